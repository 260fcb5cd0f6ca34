import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_JUDGE_SETTINGS, judgeCanary, resolveJudgeSettings } from "../../../src/core/judge";
import type { Cell, JudgeInput, StratumQuantiles } from "../../../src/core/judge";
import { spread } from "./cells";

const weights = { stable: 90, canary: 10 };

/** Quantiles of both cohorts in stratum r1 (ms at p50/p95/p99, with the levels beside them). */
const quantiles = (canaryFactor = 1): StratumQuantiles[] =>
  (["stable", "canary"] as const).map((cohort) => {
    const f = cohort === "canary" ? canaryFactor : 1;
    const set = (ms: number) => ({ lowMs: ms * f * 0.9, ms: ms * f, highMs: ms * f * 1.1 });
    return {
      stratum: "r1",
      cohort,
      rows: 1,
      quantiles: { p50: set(100), p95: set(230), p99: set(400) },
    };
  });

/** A cohort's cells: rows with errors and new visitors, latency counts at the given shares. */
const cohort = (name: string, rows: number, errors: number, within = 0.999): Cell[] => {
  const ok = rows - errors;
  const counts = (q: number) => ({
    below: Math.round(ok * q),
    within: Math.round(ok * (name === "canary" ? within : 1)),
  });
  return spread({
    cohort: name,
    rows,
    errors,
    newRows: Math.round(rows / 10),
    latency: { p50: counts(0.5), p95: counts(0.95), p99: counts(0.99) },
  });
};

const input = (cells: Cell[], extra: Partial<JudgeInput> = {}): JudgeInput => ({
  canary: "canary",
  cells,
  quantiles: quantiles(),
  current: "r1",
  weights,
  ...extra,
});

describe("judgeCanary", () => {
  it("passes a healthy canary with plenty of data", () => {
    const { verdict, results } = judgeCanary(
      input([...cohort("stable", 180000, 1800), ...cohort("canary", 20000, 200)]),
    );
    expect(results.map((r) => r.check)).toEqual([
      "error_rate_absolute",
      "error_rate_relative",
      "latency_p50",
      "latency_p95",
      "latency_p99",
      "sample_ratio",
    ]);
    expect(results.map((r) => [r.check, r.status])).toEqual(results.map((r) => [r.check, "pass"]));
    expect(verdict.status).toBe("pass");
  });

  it("gives every check the same summary shape", () => {
    const { results } = judgeCanary(
      input([...cohort("stable", 180000, 1800), ...cohort("canary", 20000, 200)]),
    );
    for (const r of results) {
      expect(Object.keys(r.summary).sort()).toEqual(
        ["estimate", "failAbove", "label", "limit", "lower", "samples", "unit", "upper"].sort(),
      );
      expect(r.summary.lower ?? 0).toBeLessThanOrEqual(r.summary.upper ?? 0);
      expect(r.summary.samples.length).toBeGreaterThan(0);
    }
  });

  it("fails a canary with a regression and names the check", () => {
    const { verdict } = judgeCanary(
      input([...cohort("stable", 18000, 180), ...cohort("canary", 2000, 120)]),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.failed).toContain("error_rate_relative");
  });

  it("fails a canary whose requests do not fit under the latency limit", () => {
    const { verdict } = judgeCanary(
      input([...cohort("stable", 36000, 360), ...cohort("canary", 4000, 40, 0.45)], {
        quantiles: quantiles(1.6),
      }),
    );
    expect(verdict.failed).toEqual(["latency_p50", "latency_p95", "latency_p99"]);
  });

  it("reports no data when the canary has no rows, and never passes", () => {
    const { verdict, results } = judgeCanary(input(cohort("stable", 30, 0)));
    expect(verdict.status).toBe("inconclusive");
    expect(verdict.code).toBe("no_data");
    expect(results.find((r) => r.check === "error_rate_absolute")?.code).toBe("no_data");
  });

  it("omits disabled checks", () => {
    const settings = resolveJudgeSettings({
      maxErrorRate: null,
      maxLatencyRatio: { p50: null, p95: null, p99: null },
    });
    const { results } = judgeCanary(
      input([...cohort("stable", 900, 9), ...cohort("canary", 100, 1)]),
      settings,
    );
    expect(results.map((r) => r.check)).toEqual(["error_rate_relative", "sample_ratio"]);
  });

  it("compares with a configurable baseline, never with itself", () => {
    const settings = resolveJudgeSettings({ baselineCohort: "prod" });
    const { results } = judgeCanary(
      input([...cohort("prod", 180000, 1800), ...cohort("canary", 20000, 200)], {
        weights: { prod: 90, canary: 10 },
      }),
      settings,
    );
    expect(results.find((r) => r.check === "error_rate_relative")?.status).toBe("pass");
    expect(() => judgeCanary(input([], { canary: "prod" }), settings)).toThrow(RangeError);
  });

  it("is a pure function of its input: the same figures give the same judgement", () => {
    const cells = [...cohort("stable", 18000, 200), ...cohort("canary", 2000, 30)];
    expect(judgeCanary(input(cells))).toEqual(judgeCanary(input(structuredClone(cells))));
  });

  it("keeps its invariants on arbitrary inputs", () => {
    const cohortArb = (name: string) =>
      fc
        .record({
          rows: fc.integer({ min: 0, max: 200_000 }),
          errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
          weight: fc.integer({ min: 1, max: 100 }),
          clusters: fc.integer({ min: 1, max: 64 }),
          within: fc.double({ min: 0, max: 1, noNaN: true }),
        })
        .map(({ rows, errorShare, weight, clusters, within }) =>
          spread({
            cohort: name,
            rows,
            errors: Math.round(rows * errorShare),
            weight,
            clusters,
            newRows: Math.round(rows / 3),
            latency: {
              p95: {
                below: Math.round(rows * 0.95 * (1 - errorShare)),
                within: Math.round(rows * within * (1 - errorShare)),
              },
            },
          }),
        );
    fc.assert(
      fc.property(
        cohortArb("stable"),
        cohortArb("canary"),
        fc.integer({ min: 1, max: 99 }),
        (stable, canary, canaryWeight) => {
          const { verdict, results } = judgeCanary({
            canary: "canary",
            cells: [...stable, ...canary],
            quantiles: quantiles(),
            current: "r1",
            weights: { stable: 100 - canaryWeight, canary: canaryWeight },
          });
          for (const r of results) {
            expect(["pass", "fail", "inconclusive"]).toContain(r.status);
            expect(Object.values(r.figures).every(Number.isFinite)).toBe(true);
            const { lower, upper, limit, failAbove } = r.summary;
            if (lower !== null && upper !== null) {
              expect(lower).toBeLessThanOrEqual(upper);
            }
            if (r.status === "fail" && failAbove === true && lower !== null && limit !== null) {
              expect(lower).toBeGreaterThan(limit);
            }
          }
          if (canary.length === 0) {
            expect(verdict.status).not.toBe("pass");
          }
          if (verdict.status === "pass") {
            expect(results.every((r) => r.status === "pass")).toBe(true);
          }
          expect(verdict.status === "fail").toBe(results.some((r) => r.status === "fail"));
        },
      ),
      { seed: 20240607, numRuns: 200 },
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
          const stable = spread({ cohort: "stable", rows: nS, errors: Math.round(nS * rateS) });
          const judge = (rate: number) =>
            judgeCanary(
              input([
                ...stable,
                ...spread({ cohort: "canary", rows: nC, errors: Math.round(nC * rate) }),
              ]),
            );
          const lo = judge(rateC);
          const hi = judge(Math.min(1, rateC + extra));
          for (const check of ["error_rate_absolute", "error_rate_relative"] as const) {
            const a = lo.results.find((r) => r.check === check);
            const b = hi.results.find((r) => r.check === check);
            expect(order[b?.status ?? "inconclusive"]).toBeGreaterThanOrEqual(
              order[a?.status ?? "inconclusive"],
            );
          }
        },
      ),
      { seed: 42, numRuns: 200 },
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
