import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { origins, router } from "../support/harness";
import {
  expectRouterAnswer,
  faultyOrigin,
  MemoryKv,
  onlyStable,
  points,
  readBody,
  settle,
} from "./support";

/**
 * Many requests at once through one router (one store, as in one isolate),
 * and rollouts that change, break or become unreadable while requests are in
 * flight. Every request must get exactly one response and one data point,
 * and no request may mix two rollouts or two cohorts.
 */

/** A 0 % or 100 % canary rollout on the real stable/canary echo origins. */
function split(canaryPercent: 0 | 100): string {
  const o = origins();
  return JSON.stringify({
    origins: { stable: o.stable, canary: o.canary },
    weights: { stable: 100 - canaryPercent, canary: canaryPercent },
  });
}

describe("500 concurrent requests", () => {
  it("each get one response of their own and one data point, whatever their origin does", async () => {
    const kv = new MemoryKv({
      "faulty.test": onlyStable(faultyOrigin()),
      "down.test": onlyStable(origins().down),
    });
    // Generous, so that only /hang times out even on a loaded machine.
    const r = router({ kv: () => kv, vars: { ORIGIN_TIMEOUT_SECONDS: "3" } });
    type Kind = "echo" | "status" | "reset" | "garbage" | "hang" | "down";
    const kinds: readonly Kind[] = [
      "echo",
      "echo",
      "echo",
      "echo",
      "status",
      "reset",
      "garbage",
      "hang",
      "down",
      "echo",
    ];
    const url = (kind: Kind, i: number): string => {
      switch (kind) {
        case "echo":
          return `http://faulty.test/echo/${i}?i=${i}`;
        case "status":
          return `http://faulty.test/early/503?i=${i}`;
        case "reset":
          return `http://faulty.test/reset?bytes=100&length=200&i=${i}`;
        case "garbage":
          return `http://faulty.test/raw/garbage?i=${i}`;
        case "hang":
          return `http://faulty.test/hang?i=${i}`;
        case "down":
          return `http://down.test/x?i=${i}`;
      }
    };
    const expected: Record<Kind, { status: number; outcome: string }> = {
      echo: { status: 200, outcome: "ok" },
      status: { status: 503, outcome: "ok" },
      reset: { status: 200, outcome: "stream_error" },
      garbage: { status: 502, outcome: "origin_error" },
      hang: { status: 504, outcome: "timeout" },
      down: { status: 502, outcome: "origin_error" },
    };
    const results = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const kind = kinds[i % kinds.length] ?? "echo";
        const { response, ctx } = await r.open(url(kind, i));
        const read = await readBody(response);
        return { i, kind, response, read, settled: await settle(ctx, 10_000) };
      }),
    );
    const outcomes = new Map<string, number>();
    for (const { i, kind, response, read, settled } of results) {
      expect(settled).toBe("settled");
      expect(response.status).toBe(expected[kind].status);
      outcomes.set(expected[kind].outcome, (outcomes.get(expected[kind].outcome) ?? 0) + 1);
      const text = new TextDecoder().decode(read.bytes);
      if (kind === "echo") {
        // Its own answer, not a neighbour's.
        expect(read.kind).toBe("complete");
        expect(parseEcho(text).url).toBe(`/echo/${i}?i=${i}`);
      } else if (kind === "reset") {
        expect(read.kind).toBe("error");
      } else if (kind === "status") {
        expect(text).toBe("early 503");
      } else {
        expectRouterAnswer(response, text, kind === "hang" ? 504 : 502);
      }
    }
    expect(r.dataset.points).toHaveLength(500);
    const recorded = new Map<string, number>();
    for (const point of points(r.dataset)) {
      recorded.set(point.outcome, (recorded.get(point.outcome) ?? 0) + 1);
    }
    expect(recorded).toEqual(outcomes);
  }, 60_000);
});

describe("a rollout that changes while requests are in flight", () => {
  it("lets started requests finish on the rollout they began with; new ones follow the change or the last valid one", async () => {
    const kv = new MemoryKv({ "inflight.test": split(0) });
    const r = router({ kv: () => kv });
    const open = async (n: number) =>
      Promise.all(
        Array.from({ length: n }, () => r.open("http://inflight.test/stream?chunks=4&gap=50")),
      );

    const groups: {
      name: string;
      cohort: string;
      state: string;
      requests: Awaited<ReturnType<typeof open>>;
    }[] = [];
    groups.push({ name: "before", cohort: "stable", state: "fresh", requests: await open(20) });
    kv.values.set("inflight.test", split(100)); // ramp to 100 % while the first group streams
    groups.push({
      name: "after the ramp",
      cohort: "canary",
      state: "fresh",
      requests: await open(20),
    });
    kv.values.set("inflight.test", '{"origins": {"stable": '); // corrupted
    groups.push({ name: "corrupted", cohort: "canary", state: "stale", requests: await open(20) });
    kv.values.delete("inflight.test"); // deleted, and no `default`
    groups.push({ name: "deleted", cohort: "canary", state: "stale", requests: await open(20) });

    // Only now read the bodies: all 80 are still streaming from their origins.
    const revisions = new Map<string, Set<string>>();
    for (const group of groups) {
      await Promise.all(
        group.requests.map(async ({ response, ctx }) => {
          expect(response.status).toBe(200);
          expect(response.headers.get("X-Gray-Cohort")).toBe(group.cohort);
          expect(response.headers.get("X-Origin-Name")).toBe(group.cohort);
          const read = await readBody(response);
          expect(read.kind).toBe("complete");
          expect(new TextDecoder().decode(read.bytes)).toMatch(/data: 3 \d+\n\n$/);
          expect(await settle(ctx)).toBe("settled");
        }),
      );
    }
    const all = points(r.dataset);
    expect(all).toHaveLength(80);
    for (const point of all) {
      expect(point.outcome).toBe("ok");
      const seen = revisions.get(point.cohort) ?? new Set<string>();
      seen.add(point.revision);
      revisions.set(point.cohort, seen);
    }
    // One revision per cohort: stale requests report the last valid document, not the broken one.
    expect(revisions.get("stable")?.size).toBe(1);
    expect(revisions.get("canary")?.size).toBe(1);
    expect(all.filter((p) => p.configState === "stale")).toHaveLength(40);
  });

  it("never mixes two rollouts in one request while KV flaps between versions, garbage, absence and errors", async () => {
    const kv = new MemoryKv({ "flap.test": split(0) });
    const r = router({ kv: () => kv, kvTimeoutMs: 100 });
    // Warm up: one valid rollout seen, so nothing afterwards may answer 503.
    expect((await r.send("http://flap.test/")).response.status).toBe(200);
    const states = [
      () => kv.values.set("flap.test", split(100)),
      () => kv.values.set("flap.test", "{not json"),
      () => kv.values.set("flap.test", split(0)),
      () => kv.values.delete("flap.test"),
      () => {
        kv.mode = "throw";
      },
      () => {
        kv.mode = "ok";
      },
      () => {
        kv.mode = "slow";
      },
      () => {
        kv.mode = "ok";
      },
    ];
    let step = 0;
    const flapper = setInterval(() => {
      states[step % states.length]?.();
      step++;
    }, 2);
    try {
      for (let batch = 0; batch < 6; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const { response, body } = await r.send(`http://flap.test/b${batch}/${i}`);
            expect(response.status).toBe(200);
            const cohort = response.headers.get("X-Gray-Cohort");
            expect(parseEcho(body).origin).toBe(cohort);
            expect(parseEcho(body).url).toBe(`/b${batch}/${i}`);
          }),
        );
      }
    } finally {
      clearInterval(flapper);
    }
    expect(step).toBeGreaterThan(states.length);
    const all = points(r.dataset);
    expect(all).toHaveLength(301);
    // The two valid documents send everyone to one cohort each, so a cohort
    // always comes with that document's revision.
    const revisionOf = new Map<string, string>();
    for (const point of all) {
      expect(point.outcome).toBe("ok");
      expect(["fresh", "stale"]).toContain(point.configState);
      const known = revisionOf.get(point.cohort);
      if (known === undefined) {
        revisionOf.set(point.cohort, point.revision);
      } else {
        expect(point.revision).toBe(known);
      }
    }
  }, 30_000);
});

describe("KV that throws or hangs under load", () => {
  it("answers 100 concurrent requests from the last valid rollout within the KV timeout, sharing reads", async () => {
    const kv = new MemoryKv({ "kvload.test": split(100) });
    const r = router({ kv: () => kv, kvTimeoutMs: 150 });
    expect((await r.send("http://kvload.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    for (const mode of ["hang", "throw"] as const) {
      kv.mode = mode;
      const readsBefore = kv.reads;
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => r.send("http://kvload.test/")),
      );
      for (const { response } of answers) {
        expect(response.status).toBe(200);
        expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
      }
      // Concurrent requests share one in-flight read instead of stampeding KV.
      expect(kv.reads - readsBefore).toBeLessThan(20);
    }
    const all = points(r.dataset);
    expect(all).toHaveLength(201);
    expect(all.slice(1).every((p) => p.configState === "stale" && p.outcome === "ok")).toBe(true);
    expect(r.logs.join("\n")).toMatch(/KV read timed out after 150 ms/);
  });

  it("answers 100 concurrent requests for a never-seen host with the 503, one data point each", async () => {
    const kv = new MemoryKv();
    kv.mode = "hang";
    const r = router({ kv: () => kv, kvTimeoutMs: 150 });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => r.send("http://kvnever.test/")),
    );
    for (const { response, body } of answers) {
      expectRouterAnswer(response, body, 503);
      expect(body).toBe(
        'gray-router: host "kvnever.test": could not read KV keys "kvnever.test" and "default" (KV read timed out after 150 ms)',
      );
    }
    expect(points(r.dataset)).toHaveLength(100);
    expect(points(r.dataset).every((p) => p.outcome === "config_error" && p.cohort === "")).toBe(
      true,
    );
  });
});
