import { describe, expect, it } from "vitest";
import {
  checkErrorRateAbsolute,
  checkErrorRateRelative,
  restrictedRates,
} from "../../../src/core/judge/error-rate";
import { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "../../../src/core/judge/settings";
import type { CohortStats } from "../../../src/core/judge/types";

const cohort = (name: string, requests: number, errors: number): CohortStats => ({
  cohort: name,
  requests,
  errors,
  latencyMs: null,
});
const canary = (requests: number, errors: number): CohortStats =>
  cohort("canary", requests, errors);
const stable = (requests: number, errors: number): CohortStats =>
  cohort("stable", requests, errors);
const settings = DEFAULT_JUDGE_SETTINGS;

describe("checkErrorRateAbsolute", () => {
  it("passes when the upper bound is below the ceiling", () => {
    const r = checkErrorRateAbsolute(canary(2000, 10), settings);
    expect(r?.status).toBe("pass");
    expect(r?.code).toBe("within_limit");
    expect(r?.figures["upper"]).toBeLessThan(0.05);
    expect(r?.figures["errorRate"]).toBeCloseTo(0.005, 12);
  });

  it("fails when the lower bound is above the ceiling", () => {
    const r = checkErrorRateAbsolute(canary(1000, 200), settings);
    expect(r?.status).toBe("fail");
    expect(r?.code).toBe("exceeds_limit");
    expect(r?.figures["lower"]).toBeGreaterThan(0.05);
    expect(r?.reason).toContain("20.00%");
  });

  it("is inconclusive when the bounds straddle the ceiling", () => {
    const r = checkErrorRateAbsolute(canary(250, 12), settings);
    expect(r?.status).toBe("inconclusive");
    expect(r?.code).toBe("undecided");
    expect(r?.figures["lower"]).toBeLessThan(0.05);
    expect(r?.figures["upper"]).toBeGreaterThan(0.05);
  });

  it("needs minRequests, and reports no data distinctly", () => {
    expect(checkErrorRateAbsolute(canary(199, 199), settings)?.code).toBe("insufficient_data");
    const empty = checkErrorRateAbsolute(canary(0, 0), settings);
    expect(empty?.status).toBe("inconclusive");
    expect(empty?.code).toBe("no_data");
  });

  it("rejects invalid numbers", () => {
    expect(checkErrorRateAbsolute(canary(100, 101), settings)?.code).toBe("invalid_input");
    expect(checkErrorRateAbsolute(canary(-1, 0), settings)?.code).toBe("invalid_input");
    expect(checkErrorRateAbsolute(canary(Number.NaN, 0), settings)?.code).toBe("invalid_input");
  });

  it("is skipped when maxErrorRate is null", () => {
    expect(
      checkErrorRateAbsolute(canary(1000, 10), resolveJudgeSettings({ maxErrorRate: null })),
    ).toBeNull();
  });

  it("treats overdispersion as a smaller effective sample", () => {
    // 100/4000 passes; with φ = 8 it counts as 12.5/500, too little to be sure.
    const plain = checkErrorRateAbsolute(canary(4000, 100), settings);
    const inflated = checkErrorRateAbsolute(
      canary(4000, 100),
      resolveJudgeSettings({ overdispersion: 8 }),
    );
    expect(plain?.status).toBe("pass");
    expect(inflated?.figures["upper"]).toBeGreaterThan(plain?.figures["upper"] ?? 1);
    expect(inflated?.status).toBe("inconclusive");
  });
});

describe("checkErrorRateRelative", () => {
  it("fails a canary confidently worse than stable by more than the margin", () => {
    const r = checkErrorRateRelative(canary(1000, 60), stable(10000, 100), settings);
    expect(r.status).toBe("fail");
    expect(r.code).toBe("exceeds_limit");
    expect(r.figures["margin"]).toBeCloseTo(0.005, 12);
    expect(r.figures["excessLower"]).toBeGreaterThan(0);
    expect(r.figures["difference"]).toBeCloseTo(0.05, 12);
  });

  it("passes a canary confidently within the margin (non-inferiority)", () => {
    const r = checkErrorRateRelative(canary(20000, 200), stable(200000, 2000), settings);
    expect(r.status).toBe("pass");
    expect(r.code).toBe("within_limit");
    expect(r.figures["excessUpper"]).toBeLessThan(0);
  });

  it("is inconclusive while the bound straddles the margin", () => {
    const r = checkErrorRateRelative(canary(300, 3), stable(3000, 30), settings);
    expect(r.status).toBe("inconclusive");
    expect(r.code).toBe("undecided");
    expect(r.figures["excessLower"]).toBeLessThan(0);
    expect(r.figures["excessUpper"]).toBeGreaterThan(0);
  });

  it("does not fail tiny differences on huge traffic", () => {
    // 1.1% vs 1.0% on ten million requests each: the difference is certain, but
    // it is below the 0.5 pp margin, so the canary passes.
    const r = checkErrorRateRelative(canary(1e7, 1.1e5), stable(1e7, 1e5), settings);
    expect(r.status).toBe("pass");
    // Without a margin the same data fails.
    const strict = resolveJudgeSettings({ minAbsoluteEffect: 0, minRelativeEffect: 0 });
    expect(checkErrorRateRelative(canary(1e7, 1.1e5), stable(1e7, 1e5), strict).status).toBe(
      "fail",
    );
  });

  it("uses the relative margin when it is the larger one", () => {
    // Stable 4%: margin = max(0.5 pp, 50% · 4%) = 2 pp. Canary at 5% is within it.
    const r = checkErrorRateRelative(canary(50000, 2500), stable(50000, 2000), settings);
    expect(r.figures["margin"]).toBeCloseTo(0.02, 12);
    expect(r.status).toBe("pass");
    // Canary at 7% is 3 pp worse: beyond the margin.
    expect(checkErrorRateRelative(canary(50000, 3500), stable(50000, 2000), settings).status).toBe(
      "fail",
    );
  });

  it("never decides with a zero-error canary on few requests", () => {
    // 0/240 against 1% stable: a normal approximation at the observed rates
    // would see almost no canary variance and pass at once.
    expect(checkErrorRateRelative(canary(240, 0), stable(2160, 22), settings).status).toBe(
      "inconclusive",
    );
  });

  it("waits for enough errors before trusting the normal approximation", () => {
    // Without a margin, 3 vs 1 errors would look significant to a z-test, but
    // with ~0.4 expected canary errors the statistic is far from normal.
    const strict = resolveJudgeSettings({ minAbsoluteEffect: 0, minRelativeEffect: 0 });
    const r = checkErrorRateRelative(canary(400, 3), stable(3600, 1), strict);
    expect(r.status).toBe("inconclusive");
    expect(r.code).toBe("insufficient_data");
    expect(r.figures["skewness"]).toBeGreaterThan(r.figures["maxSkewness"] ?? 0);
    // The same shares with 100 times the traffic are decided.
    expect(checkErrorRateRelative(canary(40000, 300), stable(360000, 100), strict).status).toBe(
      "fail",
    );
  });

  it("needs minRequests in both cohorts", () => {
    const r = checkErrorRateRelative(canary(5000, 1000), stable(150, 0), settings);
    expect(r.status).toBe("inconclusive");
    expect(r.code).toBe("insufficient_data");
    expect(r.reason).toContain('"stable" (150)');
    expect(r.figures["stableRequests"]).toBe(150);
  });

  it("reports no data when a cohort is empty", () => {
    const r = checkErrorRateRelative(canary(0, 0), stable(5000, 50), settings);
    expect(r.status).toBe("inconclusive");
    expect(r.code).toBe("no_data");
    expect(r.reason).toContain("canary");
    expect(checkErrorRateRelative(canary(5000, 50), stable(0, 0), settings).code).toBe("no_data");
  });

  it("rejects invalid numbers", () => {
    expect(checkErrorRateRelative(canary(500, 5), stable(500, -1), settings).code).toBe(
      "invalid_input",
    );
    expect(
      checkErrorRateRelative(canary(500, 5), stable(Number.POSITIVE_INFINITY, 1), settings).code,
    ).toBe("invalid_input");
  });

  it("accepts non-integer sample-weighted counts", () => {
    const r = checkErrorRateRelative(canary(1000.5, 60.25), stable(10000.75, 100.5), settings);
    expect(r.status).toBe("fail");
    expect(Object.values(r.figures).every(Number.isFinite)).toBe(true);
  });

  it("is inconclusive when neither cohort varies and there is no margin", () => {
    const strict = resolveJudgeSettings({ minAbsoluteEffect: 0, minRelativeEffect: 0 });
    expect(checkErrorRateRelative(canary(500, 0), stable(500, 0), strict).status).toBe(
      "inconclusive",
    );
  });

  it("is more cautious with overdispersion", () => {
    const c = canary(1500, 45);
    const s = stable(15000, 150);
    expect(checkErrorRateRelative(c, s, settings).status).toBe("fail");
    expect(checkErrorRateRelative(c, s, resolveJudgeSettings({ overdispersion: 3 })).status).toBe(
      "inconclusive",
    );
  });
});

describe("restrictedRates", () => {
  it("is the pooled rate when the constraint is equality", () => {
    const r = restrictedRates(30, 1000, 70, 3000, 1, 0);
    expect(r.canary).toBeCloseTo(0.025, 10);
    expect(r.stable).toBeCloseTo(0.025, 10);
  });

  it("satisfies the constraint and maximises the likelihood on it", () => {
    const [xC, nC, xS, nS, k, a] = [12, 400, 50, 5000, 1, 0.005] as const;
    const r = restrictedRates(xC, nC, xS, nS, k, a);
    expect(r.canary).toBeCloseTo(k * r.stable + a, 14);
    const logLik = (pS: number): number => {
      const pC = k * pS + a;
      return (
        xC * Math.log(pC) +
        (nC - xC) * Math.log(1 - pC) +
        xS * Math.log(pS) +
        (nS - xS) * Math.log(1 - pS)
      );
    };
    expect(logLik(r.stable)).toBeGreaterThan(logLik(r.stable * 1.001));
    expect(logLik(r.stable)).toBeGreaterThan(logLik(r.stable * 0.999));
  });

  it("handles zero errors in both cohorts", () => {
    const r = restrictedRates(0, 500, 0, 500, 1, 0.005);
    expect(r.stable).toBe(0);
    expect(r.canary).toBeCloseTo(0.005, 14);
  });
});
