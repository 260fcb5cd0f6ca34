import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_JUDGE_SETTINGS, judgeCanary, resolveJudgeSettings } from "../../../src/core/judge";
import type { CohortStats } from "../../../src/core/judge";

const stats = (
  cohort: string,
  requests: number,
  errors: number,
  latency: number | null = 100,
): CohortStats => ({
  cohort,
  requests,
  errors,
  latencyMs: latency === null ? null : { p50: latency, p95: 2 * latency, p99: 4 * latency },
});
const weights = { stable: 90, canary: 10 };

describe("judgeCanary", () => {
  it("passes a healthy canary with plenty of data", () => {
    const { verdict, results } = judgeCanary({
      canary: "canary",
      cohorts: [stats("stable", 180000, 1800), stats("canary", 20000, 200, 105)],
      weights,
    });
    expect(results.map((r) => r.check)).toEqual([
      "error_rate_absolute",
      "error_rate_relative",
      "latency_p50",
      "latency_p95",
      "latency_p99",
      "sample_ratio",
    ]);
    expect(results.every((r) => r.status === "pass")).toBe(true);
    expect(verdict.status).toBe("pass");
  });

  it("fails a canary with a regression and names the check", () => {
    const { verdict } = judgeCanary({
      canary: "canary",
      cohorts: [stats("stable", 18000, 180), stats("canary", 2000, 120)],
      weights,
    });
    expect(verdict.status).toBe("fail");
    expect(verdict.failed).toContain("error_rate_relative");
  });

  it("reports no data when the canary has no rows, and never passes", () => {
    const { verdict, results } = judgeCanary({
      canary: "canary",
      cohorts: [stats("stable", 30, 0)],
      weights,
    });
    expect(verdict.status).toBe("inconclusive");
    expect(verdict.code).toBe("no_data");
    expect(results.find((r) => r.check === "error_rate_absolute")?.code).toBe("no_data");
  });

  it("fails on sample-ratio mismatch even if the canary got no traffic", () => {
    const { verdict } = judgeCanary({
      canary: "canary",
      cohorts: [stats("stable", 20000, 200)],
      weights,
    });
    expect(verdict.status).toBe("fail");
    expect(verdict.failed).toEqual(["sample_ratio"]);
  });

  it("omits disabled checks", () => {
    const settings = resolveJudgeSettings({
      maxErrorRate: null,
      maxLatencyRatio: { p50: null, p95: null, p99: null },
    });
    const { results } = judgeCanary(
      {
        canary: "canary",
        cohorts: [stats("stable", 900, 9, null), stats("canary", 100, 1, null)],
        weights,
      },
      settings,
    );
    expect(results.map((r) => r.check)).toEqual(["error_rate_relative", "sample_ratio"]);
  });

  it("compares with a configurable baseline", () => {
    const settings = resolveJudgeSettings({ baselineCohort: "prod" });
    const { results } = judgeCanary(
      {
        canary: "canary",
        cohorts: [stats("prod", 180000, 1800), stats("canary", 20000, 200)],
        weights: { prod: 90, canary: 10 },
      },
      settings,
    );
    expect(results.find((r) => r.check === "error_rate_relative")?.status).toBe("pass");
    expect(() => judgeCanary({ canary: "prod", cohorts: [], weights: {} }, settings)).toThrow(
      RangeError,
    );
  });

  it("keeps its invariants on arbitrary inputs", () => {
    const count = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true }));
    const cohortArb = (name: string): fc.Arbitrary<CohortStats> =>
      fc
        .record({
          requests: count,
          errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
          latency: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true })),
        })
        .map(({ requests, errorShare, latency }) =>
          stats(name, requests, requests * errorShare, latency),
        );
    fc.assert(
      fc.property(
        cohortArb("stable"),
        cohortArb("canary"),
        fc.integer({ min: 1, max: 99 }),
        (stable, canary, canaryWeight) => {
          const { verdict, results } = judgeCanary({
            canary: "canary",
            cohorts: [stable, canary],
            weights: { stable: 100 - canaryWeight, canary: canaryWeight },
          });
          for (const r of results) {
            expect(["pass", "fail", "inconclusive"]).toContain(r.status);
            expect(Object.values(r.figures).every(Number.isFinite)).toBe(true);
            const lower = r.figures["excessLower"];
            const upper = r.figures["excessUpper"];
            if (r.check === "error_rate_relative" && lower !== undefined && upper !== undefined) {
              expect(lower).toBeLessThanOrEqual(upper);
              expect(r.status === "fail").toBe(lower > 0);
              expect(r.status === "pass").toBe(upper < 0);
            }
          }
          if (canary.requests === 0) {
            expect(verdict.status).not.toBe("pass");
          }
          if (verdict.status === "pass") {
            expect(results.every((r) => r.status === "pass")).toBe(true);
          }
          expect(verdict.status === "fail").toBe(results.some((r) => r.status === "fail"));
        },
      ),
      { seed: 20240607, numRuns: 300 },
    );
  });

  it("fails more readily as the canary's errors grow (monotone in canary errors)", () => {
    const order = { pass: 0, inconclusive: 1, fail: 2 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 100000 }),
        fc.integer({ min: 200, max: 100000 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (nC, nS, rateC, rateS, extra) => {
          const stable = stats("stable", nS, nS * rateS);
          const lo = judgeCanary({
            canary: "canary",
            cohorts: [stable, stats("canary", nC, nC * rateC)],
            weights,
          });
          const hi = judgeCanary({
            canary: "canary",
            cohorts: [stable, stats("canary", nC, nC * Math.min(1, rateC + extra))],
            weights,
          });
          for (const check of ["error_rate_absolute", "error_rate_relative"] as const) {
            const a = lo.results.find((r) => r.check === check);
            const b = hi.results.find((r) => r.check === check);
            expect(order[b?.status ?? "inconclusive"]).toBeGreaterThanOrEqual(
              order[a?.status ?? "inconclusive"],
            );
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("resolveJudgeSettings", () => {
  it("returns the defaults when nothing is overridden", () => {
    expect(resolveJudgeSettings()).toEqual(DEFAULT_JUDGE_SETTINGS);
  });

  it("merges partial latency overrides", () => {
    const s = resolveJudgeSettings({
      maxLatencyRatio: { p99: 2 },
      minLatencyRequests: { p50: 10 },
    });
    expect(s.maxLatencyRatio).toEqual({ p50: 1.2, p95: 1.25, p99: 2 });
    expect(s.minLatencyRequests).toEqual({ p50: 10, p95: 400, p99: 1000 });
  });

  it("rejects invalid values, listing each", () => {
    expect(() => resolveJudgeSettings({ alpha: 0 })).toThrow(/alpha/);
    expect(() => resolveJudgeSettings({ alpha: 1.5, overdispersion: 0.5 })).toThrow(
      /alpha.*overdispersion/,
    );
    expect(() => resolveJudgeSettings({ maxErrorRate: 2 })).toThrow(/maxErrorRate/);
    expect(() => resolveJudgeSettings({ mixtureScale: 0 })).toThrow(/mixtureScale/);
    expect(() => resolveJudgeSettings({ maxLatencyRatio: { p50: -1 } })).toThrow(/p50/);
    expect(() => resolveJudgeSettings({ minRequests: Number.NaN })).toThrow(/minRequests/);
    expect(() => resolveJudgeSettings({ baselineCohort: "" })).toThrow(/baselineCohort/);
    expect(() => resolveJudgeSettings({ minExpectedErrors: 0 })).toThrow(/minExpectedErrors/);
    expect(() => resolveJudgeSettings({ minAbsoluteEffect: 1 })).toThrow(/minAbsoluteEffect/);
    expect(() => resolveJudgeSettings({ srmPValue: 0 })).toThrow(/srmPValue/);
  });
});
