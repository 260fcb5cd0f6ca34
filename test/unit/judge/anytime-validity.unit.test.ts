/**
 * Statistical properties of the error-rate checks under repeated evaluation,
 * by simulation with a fixed-seed PRNG (deterministic: same numbers each run).
 *
 * Traffic: 20 requests/s (1200 per minute) split between canary and stable,
 * spread over 64 bucket clusters; the check is evaluated on the cumulative
 * cells after every minute for an hour, and a run "ever fails" if any of
 * those 60 evaluations says fail.
 */

import { describe, expect, it, vi } from "vitest";
import {
  checkErrorRateAbsolute,
  checkErrorRateRelative,
  checkSampleRatio,
  normalCdf,
  resolveJudgeSettings,
} from "../../../src/core/judge";
import type { Cell, JudgeSettings, Status } from "../../../src/core/judge";
import { binomial, minutesToFail, sfc32, simulateMany } from "./simulate";
import type { RunOutcome, Scenario } from "./simulate";

const RUNS = 400;
// Each scenario simulates RUNS hours minute by minute: seconds, not milliseconds.
vi.setConfig({ testTimeout: 120_000 });
const ALPHA = 0.05;
const defaults = resolveJudgeSettings({ alpha: ALPHA });
// No margin: the relative check then tests p_c > p_s itself, which isolates
// the anytime-valid property from the protection the margin adds.
const noMargin = resolveJudgeSettings({ alpha: ALPHA, minAbsoluteEffect: 0, minRelativeEffect: 0 });

const hour = (canaryShare: number, canaryErrorRate: number, stableErrorRate: number): Scenario => ({
  requestsPerMinute: 1200,
  canaryShare,
  canaryErrorRate,
  stableErrorRate,
  minutes: 60,
});

const relative =
  (settings: JudgeSettings) =>
  (cells: readonly Cell[]): Status =>
    checkErrorRateRelative(cells, "canary", settings).status;

/** Cohort totals of the cells. */
const totals = (cells: readonly Cell[], cohort: string) =>
  cells
    .filter((c) => c.cohort === cohort)
    .reduce((t, c) => ({ n: t.n + c.requests, x: t.x + c.errors }), { n: 0, x: 0 });

const everFailed = (outcomes: readonly RunOutcome[]): number =>
  outcomes.filter((o) => o.firstFail !== null).length / outcomes.length;
const everPassed = (outcomes: readonly RunOutcome[]): number =>
  outcomes.filter((o) => o.firstPass !== null).length / outcomes.length;

/** The naive alternative: a fixed-sample one-sided pooled z-test at α, re-run every minute. */
const naiveZTest = (cells: readonly Cell[]): Status => {
  const c = totals(cells, "canary");
  const s = totals(cells, "stable");
  if (c.n < 200 || s.n < 200) {
    return "inconclusive";
  }
  const pC = c.x / c.n;
  const pS = s.x / s.n;
  const pooled = (c.x + s.x) / (c.n + s.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / c.n + 1 / s.n));
  return se > 0 && 1 - normalCdf((pC - pS) / se) < ALPHA ? "fail" : "inconclusive";
};

describe("simulation harness", () => {
  it("draws binomial counts with the right mean and variance", () => {
    const rng = sfc32(99);
    const draws = Array.from({ length: 20000 }, () => binomial(rng, 1200, 0.1));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    expect(mean).toBeCloseTo(120, 0);
    expect(variance / 108).toBeCloseTo(1, 1);
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
    const high = Array.from({ length: 5000 }, () => binomial(rng, 100, 0.9));
    expect(high.reduce((a, b) => a + b, 0) / high.length).toBeCloseTo(90, 0);
    // p = 1/2 takes the bit-counting path, including a partial last word.
    const fair = Array.from({ length: 20000 }, () => binomial(rng, 1210, 0.5));
    const fairMean = fair.reduce((a, b) => a + b, 0) / fair.length;
    const fairVariance = fair.reduce((a, b) => a + (b - fairMean) ** 2, 0) / (fair.length - 1);
    expect(fairMean).toBeCloseTo(605, 0);
    expect(fairVariance / 302.5).toBeCloseTo(1, 1);
    expect(binomial(rng, 3, 0.5)).toBeLessThanOrEqual(3);
  });

  it("shows that peeking at a fixed-sample test every minute inflates false alarms", () => {
    const rate = everFailed(simulateMany(RUNS, hour(0.5, 0.01, 0.01), naiveZTest, 50_000));
    console.info(`naive z-test, A/A 50/50, 60 looks: ever-fail ${rate.toFixed(3)}`);
    expect(rate).toBeGreaterThan(2 * ALPHA);
  });
});

describe("relative error-rate check: false alarms under A/A (same 1% error rate)", () => {
  it.each([
    ["90/10", 0.1, 1_000],
    ["50/50", 0.5, 2_000],
  ])("with default settings, %s split: ever-fail <= alpha", (_name, share, seed) => {
    const outcomes = simulateMany(RUNS, hour(share, 0.01, 0.01), relative(defaults), seed);
    const rate = everFailed(outcomes);
    console.info(
      `A/A ${_name} defaults: ever-fail ${rate.toFixed(3)}, passed within 60 min ${everPassed(outcomes).toFixed(3)}`,
    );
    expect(rate).toBeLessThanOrEqual(ALPHA);
  });

  it.each([
    ["90/10", 0.1, 3_000],
    ["50/50", 0.5, 4_000],
  ])(
    "with no margin (pure anytime validity), %s split: ever-fail <= alpha",
    (_name, share, seed) => {
      const rate = everFailed(
        simulateMany(RUNS, hour(share, 0.01, 0.01), relative(noMargin), seed),
      );
      console.info(`A/A ${_name} no margin: ever-fail ${rate.toFixed(3)}`);
      expect(rate).toBeLessThanOrEqual(ALPHA);
    },
  );
});

describe("relative error-rate check: at the margin (canary 1.5% vs stable 1%)", () => {
  it("neither ever-fails nor ever-passes more often than alpha", () => {
    const outcomes = simulateMany(RUNS, hour(0.1, 0.015, 0.01), relative(defaults), 5_000);
    const fail = everFailed(outcomes);
    const pass = everPassed(outcomes);
    console.info(`at margin 90/10: ever-fail ${fail.toFixed(3)}, ever-pass ${pass.toFixed(3)}`);
    expect(fail).toBeLessThanOrEqual(ALPHA);
    expect(pass).toBeLessThanOrEqual(ALPHA);
  });
});

describe("relative error-rate check: power (canary 3% vs stable 1%, 10% canary share)", () => {
  it("fails within 20 minutes in >= 95% of runs, and never passes", () => {
    const outcomes = simulateMany(RUNS, hour(0.1, 0.03, 0.01), relative(defaults), 6_000);
    const n50 = minutesToFail(outcomes, 0.5);
    const n95 = minutesToFail(outcomes, 0.95);
    console.info(
      `power 3% vs 1% at 10%: 50% of runs failed by minute ${String(n50)}, 95% by minute ${String(n95)}, ever-fail ${everFailed(outcomes).toFixed(3)}, ever-pass ${everPassed(outcomes).toFixed(3)}`,
    );
    expect(n95).not.toBeNull();
    expect(n95 ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(20);
    expect(everPassed(outcomes)).toBeLessThanOrEqual(ALPHA);
  });
});

describe("absolute error-rate check: canary exactly at the 5% ceiling", () => {
  it("ever-fails and ever-passes at most alpha of the time", () => {
    const evaluate = (cells: readonly Cell[]): Status =>
      checkErrorRateAbsolute(cells, "canary", defaults)?.status ?? "inconclusive";
    const outcomes = simulateMany(RUNS, hour(0.1, 0.05, 0.05), evaluate, 7_000);
    const fail = everFailed(outcomes);
    const pass = everPassed(outcomes);
    console.info(`absolute at ceiling: ever-fail ${fail.toFixed(3)}, ever-pass ${pass.toFixed(3)}`);
    expect(fail).toBeLessThanOrEqual(ALPHA);
    expect(pass).toBeLessThanOrEqual(ALPHA);
  });

  it("fails a 10% canary within the hour", () => {
    const evaluate = (cells: readonly Cell[]): Status =>
      checkErrorRateAbsolute(cells, "canary", defaults)?.status ?? "inconclusive";
    const outcomes = simulateMany(RUNS, hour(0.1, 0.1, 0.01), evaluate, 8_000);
    const n95 = minutesToFail(outcomes, 0.95);
    console.info(`absolute 10% vs 5% ceiling: 95% of runs failed by minute ${String(n95)}`);
    expect(n95 ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(30);
  });
});

describe("sample-ratio check under correct assignment", () => {
  it("rarely fires when checked every minute for an hour", () => {
    const weights = { canary: 10, stable: 90 };
    const evaluate = (cells: readonly Cell[]): Status =>
      checkSampleRatio(cells, "r1", weights, "canary", defaults).status;
    const rate = everFailed(simulateMany(RUNS, hour(0.1, 0.01, 0.01), evaluate, 9_000));
    console.info(`sample ratio 90/10, 60 looks: ever-fail ${rate.toFixed(3)}`);
    expect(rate).toBeLessThanOrEqual(ALPHA);
  });
});
