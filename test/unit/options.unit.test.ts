import { describe, it, expect } from "vitest";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";
import {
  DEFAULT_BREAKER,
  DEFAULT_FAILOVER_MAX_BODY_BYTES,
  DEFAULT_FAILOVER_STATUSES,
} from "../../src/core/options";

const BASE = {
  origins: { stable: "https://v1.example.com", canary: "https://v2.example.com" },
  weights: { stable: 90, canary: 10 },
};

function parse(extra: Record<string, unknown>): ReturnType<typeof parseRollout> {
  return parseRollout(JSON.stringify({ ...BASE, ...extra }), "default");
}

function ok(extra: Record<string, unknown>): Rollout {
  const result = parse(extra);
  if (!result.ok) {
    throw new Error(result.errors.join(" | "));
  }
  return result.rollout;
}

function errors(extra: Record<string, unknown>): readonly string[] {
  const result = parse(extra);
  if (result.ok) {
    throw new Error(`expected errors for ${JSON.stringify(extra)}`);
  }
  return result.errors;
}

/** Asserts the document is rejected with a message starting with `field: `. */
function expectRejected(extra: Record<string, unknown>, field: string): void {
  const list = errors(extra);
  expect(
    list.some((e) => e.startsWith(`${field}: `)),
    `expected an error on ${field}, got ${JSON.stringify(list)}`,
  ).toBe(true);
}

describe("stickiness", () => {
  it("defaults to the visitor cookie", () => {
    expect(ok({}).stickiness).toEqual({ source: "visitor" });
  });

  it("reads a header, lower-casing its name", () => {
    expect(ok({ stickiness: { header: "X-User-Id" } }).stickiness).toEqual({
      source: "header",
      name: "x-user-id",
    });
  });

  it("reads a cookie, keeping its name as written", () => {
    expect(ok({ stickiness: { cookie: "Session_ID" } }).stickiness).toEqual({
      source: "cookie",
      name: "Session_ID",
    });
  });

  it("rejects an empty object", () => {
    expectRejected({ stickiness: {} }, "stickiness");
  });

  it("rejects both header and cookie", () => {
    expectRejected({ stickiness: { header: "x-user", cookie: "uid" } }, "stickiness");
  });

  it("rejects an unknown field", () => {
    expectRejected({ stickiness: { query: "uid" } }, "stickiness.query");
  });

  it("rejects a header name with a space", () => {
    expectRejected({ stickiness: { header: "X User" } }, "stickiness.header");
  });

  it("rejects an empty cookie name", () => {
    expectRejected({ stickiness: { cookie: "" } }, "stickiness.cookie");
  });

  it("rejects a string instead of an object", () => {
    expectRejected({ stickiness: "x-user-id" }, "stickiness");
  });
});

describe("timeouts", () => {
  it("defaults to none", () => {
    expect(ok({}).timeoutsMs).toEqual(new Map());
  });

  it("reads cohort -> seconds as milliseconds", () => {
    expect(ok({ timeouts: { canary: 2.5, stable: 30 } }).timeoutsMs).toEqual(
      new Map([
        ["canary", 2500],
        ["stable", 30_000],
      ]),
    );
  });

  it("accepts the range ends 0.001 and 3600", () => {
    expect(ok({ timeouts: { canary: 0.001, stable: 3600 } }).timeoutsMs).toEqual(
      new Map([
        ["canary", 1],
        ["stable", 3_600_000],
      ]),
    );
  });

  it("rejects a cohort without an origin", () => {
    expectRejected({ timeouts: { ghost: 5 } }, "timeouts.ghost");
  });

  it("rejects 0 seconds", () => {
    expectRejected({ timeouts: { canary: 0 } }, "timeouts.canary");
  });

  it("rejects more than 3600 seconds", () => {
    expectRejected({ timeouts: { canary: 3601 } }, "timeouts.canary");
  });

  it("rejects a negative number", () => {
    expectRejected({ timeouts: { canary: -1 } }, "timeouts.canary");
  });

  it("rejects a string", () => {
    expectRejected({ timeouts: { canary: "5" } }, "timeouts.canary");
  });

  it("rejects a list", () => {
    expectRejected({ timeouts: [5] }, "timeouts");
  });
});

describe("failover", () => {
  it("is null when absent", () => {
    expect(ok({}).failover).toBeNull();
  });

  it("takes the defaults from {}", () => {
    expect(ok({ failover: {} }).failover).toEqual({
      statuses: new Set([502, 503, 504]),
      maxBodyBytes: 65_536,
    });
    expect([...DEFAULT_FAILOVER_STATUSES]).toEqual([502, 503, 504]);
    expect(DEFAULT_FAILOVER_MAX_BODY_BYTES).toBe(65_536);
  });

  it("reads statuses and maxBodyBytes", () => {
    expect(ok({ failover: { statuses: [500, 599], maxBodyBytes: 0 } }).failover).toEqual({
      statuses: new Set([500, 599]),
      maxBodyBytes: 0,
    });
  });

  it("accepts maxBodyBytes of exactly 1 MiB", () => {
    expect(ok({ failover: { maxBodyBytes: 1_048_576 } }).failover?.maxBodyBytes).toBe(1_048_576);
  });

  it("rejects maxBodyBytes over 1 MiB", () => {
    expectRejected({ failover: { maxBodyBytes: 1_048_577 } }, "failover.maxBodyBytes");
  });

  it("rejects a negative maxBodyBytes", () => {
    expectRejected({ failover: { maxBodyBytes: -1 } }, "failover.maxBodyBytes");
  });

  it("rejects a fractional maxBodyBytes", () => {
    expectRejected({ failover: { maxBodyBytes: 10.5 } }, "failover.maxBodyBytes");
  });

  it("rejects a 4xx status", () => {
    expectRejected({ failover: { statuses: [502, 404] } }, "failover.statuses[1]");
  });

  it("rejects a status of 600", () => {
    expectRejected({ failover: { statuses: [600] } }, "failover.statuses[0]");
  });

  it("rejects a fractional status", () => {
    expectRejected({ failover: { statuses: [502.5] } }, "failover.statuses[0]");
  });

  it("rejects a status written as a string", () => {
    expectRejected({ failover: { statuses: ["502"] } }, "failover.statuses[0]");
  });

  it("rejects statuses that are not a list", () => {
    expectRejected({ failover: { statuses: 502 } }, "failover.statuses");
  });

  it("rejects an unknown field", () => {
    expectRejected({ failover: { retries: 2 } }, "failover.retries");
  });

  it("rejects true instead of an object", () => {
    expectRejected({ failover: true }, "failover");
  });
});

describe("breaker", () => {
  it("is null when absent", () => {
    expect(ok({}).breaker).toBeNull();
  });

  it("takes DEFAULT_BREAKER from {}", () => {
    expect(ok({ breaker: {} }).breaker).toEqual(DEFAULT_BREAKER);
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_BREAKER).toEqual({
      failureRate: 0.5,
      minRequests: 20,
      windowMs: 30_000,
      coolDownMs: 30_000,
      halfOpenPercent: 10,
      halfOpenSuccesses: 5,
    });
  });

  it("reads every field, seconds as milliseconds", () => {
    expect(
      ok({
        breaker: {
          failureRate: 0.25,
          minRequests: 50,
          windowSeconds: 60,
          coolDownSeconds: 10,
          halfOpenPercent: 5,
          halfOpenSuccesses: 3,
        },
      }).breaker,
    ).toEqual({
      failureRate: 0.25,
      minRequests: 50,
      windowMs: 60_000,
      coolDownMs: 10_000,
      halfOpenPercent: 5,
      halfOpenSuccesses: 3,
    });
  });

  it("accepts the lower range ends", () => {
    expect(
      ok({
        breaker: {
          failureRate: 0.01,
          minRequests: 1,
          windowSeconds: 1,
          coolDownSeconds: 1,
          halfOpenPercent: 0.01,
          halfOpenSuccesses: 1,
        },
      }).breaker,
    ).toEqual({
      failureRate: 0.01,
      minRequests: 1,
      windowMs: 1000,
      coolDownMs: 1000,
      halfOpenPercent: 0.01,
      halfOpenSuccesses: 1,
    });
  });

  it("accepts the upper range ends", () => {
    expect(
      ok({
        breaker: {
          failureRate: 1,
          minRequests: 100_000,
          windowSeconds: 3600,
          coolDownSeconds: 3600,
          halfOpenPercent: 100,
          halfOpenSuccesses: 1000,
        },
      }).breaker,
    ).toEqual({
      failureRate: 1,
      minRequests: 100_000,
      windowMs: 3_600_000,
      coolDownMs: 3_600_000,
      halfOpenPercent: 100,
      halfOpenSuccesses: 1000,
    });
  });

  const outOfRange: readonly [string, number][] = [
    ["failureRate", 0],
    ["failureRate", 1.01],
    ["minRequests", 0],
    ["minRequests", 100_001],
    ["minRequests", 2.5],
    ["windowSeconds", 0.5],
    ["windowSeconds", 3601],
    ["coolDownSeconds", 0],
    ["coolDownSeconds", 3601],
    ["halfOpenPercent", 0],
    ["halfOpenPercent", 100.5],
    ["halfOpenSuccesses", 0],
    ["halfOpenSuccesses", 1001],
    ["halfOpenSuccesses", 1.5],
  ];
  for (const [field, value] of outOfRange) {
    it(`rejects ${field}: ${value}`, () => {
      expectRejected({ breaker: { [field]: value } }, `breaker.${field}`);
    });
  }

  it("rejects a field written in milliseconds", () => {
    expectRejected({ breaker: { windowMs: 30_000 } }, "breaker.windowMs");
  });

  it("rejects a string value", () => {
    expectRejected({ breaker: { failureRate: "0.5" } }, "breaker.failureRate");
  });
});

describe("cache", () => {
  it("defaults to private", () => {
    expect(ok({}).cache).toBe("private");
  });

  for (const policy of ["private", "vary", "off"]) {
    it(`reads ${policy}`, () => {
      expect(ok({ cache: policy }).cache).toBe(policy);
    });
  }

  it("rejects any other string", () => {
    expectRejected({ cache: "public" }, "cache");
  });

  it("rejects a differently-cased value", () => {
    expectRejected({ cache: "Private" }, "cache");
  });

  it("rejects a boolean", () => {
    expectRejected({ cache: false }, "cache");
  });
});
