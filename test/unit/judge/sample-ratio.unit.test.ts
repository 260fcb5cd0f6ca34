import { describe, expect, it } from "vitest";
import { checkSampleRatio } from "../../../src/core/judge/sample-ratio";
import { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "../../../src/core/judge/settings";
import type { CohortStats } from "../../../src/core/judge/types";

const c = (cohort: string, requests: number): CohortStats => ({
  cohort,
  requests,
  errors: 0,
  latencyMs: null,
});
const settings = DEFAULT_JUDGE_SETTINGS;

describe("checkSampleRatio", () => {
  it("passes when shares match the weights", () => {
    const r = checkSampleRatio(
      [c("stable", 9020), c("canary", 980)],
      { stable: 90, canary: 10 },
      settings,
    );
    expect(r.status).toBe("pass");
    // χ² = 20²/9000 + 20²/1000 = 0.4444..., df = 1.
    expect(r.figures["chiSquare"]).toBeCloseTo(0.4 + 0.4 / 9, 12);
    expect(r.figures["degreesOfFreedom"]).toBe(1);
    expect(r.figures["pValue"]).toBeCloseTo(0.505, 3);
    expect(r.figures["share.canary"]).toBeCloseTo(0.098, 12);
    expect(r.figures["expectedShare.canary"]).toBeCloseTo(0.1, 12);
  });

  it("fails on a mismatch with p < 0.001 and says it blocks promotion", () => {
    // Canary got 9% instead of 10% of 20 000 requests: χ² = 200²/18000 + 200²/2000 ≈ 22.2.
    const r = checkSampleRatio(
      [c("stable", 18200), c("canary", 1800)],
      { stable: 90, canary: 10 },
      settings,
    );
    expect(r.status).toBe("fail");
    expect(r.code).toBe("sample_ratio_mismatch");
    expect(r.figures["pValue"]).toBeLessThan(0.001);
    expect(r.reason).toContain("blocks promotion");
  });

  it("applies the threshold p-value", () => {
    // 50/50 of 10 000 with deviation d: χ² = 2d²/5000. The df = 1 point for p = 0.001 is 10.828.
    const split = (d: number): CohortStats[] => [c("stable", 5000 + d), c("canary", 5000 - d)];
    const weights = { stable: 50, canary: 50 };
    const above = checkSampleRatio(split(164.7), weights, settings); // χ² ≈ 10.850
    expect(above.figures["chiSquare"]).toBeCloseTo(10.8504, 3);
    expect(above.figures["pValue"]).toBeLessThan(0.001);
    expect(above.status).toBe("fail");
    const below = checkSampleRatio(split(164.3), weights, settings); // χ² ≈ 10.797
    expect(below.figures["pValue"]).toBeGreaterThan(0.001);
    expect(below.status).toBe("pass");
    const lenient = resolveJudgeSettings({ srmPValue: 0.0009 });
    expect(checkSampleRatio(split(164.7), weights, lenient).status).toBe("pass");
  });

  it("handles three cohorts (df = 2) and missing rows as zero traffic", () => {
    const weights = { stable: 80, "canary-a": 10, "canary-b": 10 };
    const ok = checkSampleRatio(
      [c("stable", 8000), c("canary-a", 1010), c("canary-b", 990)],
      weights,
      settings,
    );
    expect(ok.status).toBe("pass");
    expect(ok.figures["degreesOfFreedom"]).toBe(2);
    const missing = checkSampleRatio([c("stable", 8000), c("canary-a", 1000)], weights, settings);
    expect(missing.status).toBe("fail");
  });

  it("fails when a zero-weight cohort receives traffic", () => {
    const r = checkSampleRatio(
      [c("stable", 1000), c("canary", 3)],
      { stable: 100, canary: 0 },
      settings,
    );
    expect(r.status).toBe("fail");
    expect(r.reason).toContain('"canary"');
    const unknown = checkSampleRatio([c("stable", 1000), c("ghost", 1)], { stable: 100 }, settings);
    expect(unknown.status).toBe("fail");
  });

  it("passes a single weighted cohort that got all traffic", () => {
    expect(checkSampleRatio([c("stable", 1000)], { stable: 100, canary: 0 }, settings).status).toBe(
      "pass",
    );
  });

  it("is inconclusive without traffic or with small expected counts", () => {
    const none = checkSampleRatio([], { stable: 90, canary: 10 }, settings);
    expect(none.status).toBe("inconclusive");
    expect(none.code).toBe("no_data");
    const few = checkSampleRatio(
      [c("stable", 40), c("canary", 0)],
      { stable: 90, canary: 10 },
      settings,
    );
    expect(few.code).toBe("insufficient_data");
  });

  it("normalises weights and accepts non-integer counts", () => {
    const r = checkSampleRatio(
      [c("stable", 900.5), c("canary", 99.5)],
      { stable: 0.9, canary: 0.1 },
      settings,
    );
    expect(r.status).toBe("pass");
  });

  it("divides the statistic by the overdispersion factor", () => {
    const stats = [c("stable", 18200), c("canary", 1800)];
    const weights = { stable: 90, canary: 10 };
    const r = checkSampleRatio(stats, weights, resolveJudgeSettings({ overdispersion: 4 }));
    expect(r.figures["chiSquare"]).toBeCloseTo(200 ** 2 / 18000 / 4 + 200 ** 2 / 2000 / 4, 9);
    expect(r.status).toBe("pass");
  });

  it("rejects invalid input", () => {
    expect(checkSampleRatio([c("stable", 10)], { stable: -1 }, settings).code).toBe(
      "invalid_input",
    );
    expect(checkSampleRatio([c("stable", 10)], { stable: 0 }, settings).code).toBe("invalid_input");
    expect(
      checkSampleRatio([c("stable", 10), c("stable", 5)], { stable: 100 }, settings).code,
    ).toBe("invalid_input");
    expect(checkSampleRatio([c("stable", -5)], { stable: 100 }, settings).code).toBe(
      "invalid_input",
    );
  });

  it("does not confuse cohort names with object prototype keys", () => {
    const r = checkSampleRatio([c("stable", 1000), c("constructor", 5)], { stable: 100 }, settings);
    expect(r.status).toBe("fail");
    expect(r.reason).toContain('"constructor"');
  });
});
