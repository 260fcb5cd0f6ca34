import { describe, it, expect } from "vitest";
import { DOCUMENT_FIELDS, parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";

const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };
const WEIGHTS = { stable: 90, canary: 10 };

function parse(doc: unknown): ReturnType<typeof parseRollout> {
  return parseRollout(JSON.stringify(doc), "default");
}

function ok(doc: unknown): Rollout {
  const result = parse(doc);
  if (!result.ok) {
    throw new Error(result.errors.join(" | "));
  }
  return result.rollout;
}

function errors(doc: unknown): readonly string[] {
  const result = parse(doc);
  if (result.ok) {
    throw new Error(`expected errors for ${JSON.stringify(doc)}`);
  }
  return result.errors;
}

describe("a document with only origins and weights", () => {
  const rollout = ok({ origins: ORIGINS, weights: WEIGHTS });

  it("has no rules", () => {
    expect(rollout.rules).toEqual([]);
  });

  it("is sticky by visitor", () => {
    expect(rollout.stickiness).toEqual({ source: "visitor" });
  });

  it("has no failover", () => {
    expect(rollout.failover).toBeNull();
  });

  it("has no breaker", () => {
    expect(rollout.breaker).toBeNull();
  });

  it("uses the private cache policy", () => {
    expect(rollout.cache).toBe("private");
  });

  it("has no per-cohort timeouts", () => {
    expect(rollout.timeoutsMs.size).toBe(0);
  });
});

describe("top-level fields", () => {
  it("lists every optional field as allowed", () => {
    expect([...DOCUMENT_FIELDS]).toEqual([
      "origins",
      "weights",
      "salt",
      "rules",
      "stickiness",
      "timeouts",
      "failover",
      "breaker",
      "cache",
      "analysis",
      "change",
    ]);
  });

  it("rejects an unknown top-level field, naming it and every allowed field", () => {
    const list = errors({ origins: ORIGINS, weights: WEIGHTS, stickyness: { header: "x-user" } });
    const message = list.find((e) => e.startsWith("stickyness: "));
    expect(message, JSON.stringify(list)).toBeDefined();
    for (const field of DOCUMENT_FIELDS) {
      expect(message).toContain(field);
    }
  });

  it("accepts every optional field together", () => {
    const rollout = ok({
      origins: ORIGINS,
      weights: WEIGHTS,
      salt: "exp-1",
      rules: [{ name: "bots", match: { bot: true }, exclude: true }],
      stickiness: { header: "X-User-Id" },
      timeouts: { canary: 5 },
      failover: {},
      breaker: {},
      cache: "vary",
    });
    expect(rollout.rules.map((r) => r.name)).toEqual(["bots"]);
    expect(rollout.stickiness).toEqual({ source: "header", name: "x-user-id" });
    expect(rollout.timeoutsMs.get("canary")).toBe(5000);
    expect(rollout.failover).not.toBeNull();
    expect(rollout.breaker).not.toBeNull();
    expect(rollout.cache).toBe("vary");
  });

  it("reports a problem in each optional field at once", () => {
    const list = errors({
      origins: ORIGINS,
      weights: WEIGHTS,
      rules: [{ match: { country: ["de"] }, exclude: true }],
      stickiness: {},
      timeouts: { ghost: 1 },
      failover: { maxBodyBytes: 2_000_000 },
      breaker: { failureRate: 2 },
      cache: "sometimes",
    });
    for (const field of [
      "rules[0].match.country[0]",
      "stickiness",
      "timeouts.ghost",
      "failover.maxBodyBytes",
      "breaker.failureRate",
      "cache",
    ]) {
      expect(
        list.some((e) => e.startsWith(`${field}: `)),
        `${field} in ${JSON.stringify(list)}`,
      ).toBe(true);
    }
  });

  it("validates rule cohorts against the document's origins", () => {
    const list = errors({
      origins: ORIGINS,
      weights: WEIGHTS,
      rules: [{ match: { bot: false }, cohort: "beta" }],
    });
    expect(list.some((e) => e.startsWith("rules[0].cohort: "))).toBe(true);
  });

  it("lets a rule pin a cohort that has an origin but no weight", () => {
    const rollout = ok({
      origins: { ...ORIGINS, beta: "https://v3.example.com" },
      weights: WEIGHTS,
      rules: [{ match: { bot: false }, cohort: "beta" }],
    });
    expect(rollout.rules[0]?.action).toEqual({ kind: "cohort", cohort: "beta" });
  });

  it("rejects rules that are not a list", () => {
    const list = errors({
      origins: ORIGINS,
      weights: WEIGHTS,
      rules: { match: { bot: true }, exclude: true },
    });
    expect(list.some((e) => e.startsWith("rules: "))).toBe(true);
  });

  it("rejects rules: null like any other value that is not a list", () => {
    const list = errors({ origins: ORIGINS, weights: WEIGHTS, rules: null });
    expect(list.some((e) => e.startsWith("rules: "))).toBe(true);
  });

  for (const field of ["stickiness", "timeouts", "failover", "breaker", "cache"]) {
    it(`rejects ${field}: null`, () => {
      const list = errors({ origins: ORIGINS, weights: WEIGHTS, [field]: null });
      expect(
        list.some((e) => e.startsWith(`${field}: `)),
        JSON.stringify(list),
      ).toBe(true);
    });
  }
});
