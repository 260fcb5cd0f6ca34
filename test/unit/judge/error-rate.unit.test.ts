import { describe, expect, it } from "vitest";
import {
  checkErrorRateAbsolute,
  checkErrorRateRelative,
  restrictedRates,
} from "../../../src/core/judge/error-rate";
import { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "../../../src/core/judge/settings";
import { cell, spread } from "./cells";

const settings = DEFAULT_JUDGE_SETTINGS;
const canary = (rows: number, errors: number, stratum = "r1", weight = 1) =>
  spread({ cohort: "canary", rows, errors, stratum, weight });
const stable = (rows: number, errors: number, stratum = "r1", weight = 1) =>
  spread({ cohort: "stable", rows, errors, stratum, weight });

describe("checkErrorRateRelative", () => {
  it("fails a canary confidently worse than stable by more than the margin", () => {
    const r = checkErrorRateRelative(
      [...canary(4000, 120), ...stable(36000, 360)],
      "canary",
      settings,
    );
    expect(r.status).toBe("fail");
    expect(r.code).toBe("exceeds_limit");
    expect(r.figures["excessLower"]).toBeGreaterThan(0);
    expect(r.summary).toMatchObject({
      label: "canary − stable error rate",
      unit: "rate",
      failAbove: true,
    });
    expect(r.summary.lower).toBeGreaterThan(r.summary.limit ?? 1);
  });

  it("passes a canary confidently within the margin, and says so in the summary", () => {
    const r = checkErrorRateRelative(
      [...canary(40000, 400), ...stable(40000, 400)],
      "canary",
      settings,
    );
    expect(r.status).toBe("pass");
    expect(r.summary.estimate).toBeCloseTo(0, 12);
    expect(r.summary.limit).toBeCloseTo(0.005, 12);
    expect(r.summary.upper).toBeLessThan(0.005);
    expect(r.summary.samples).toEqual([
      { cohort: "canary", rows: 40000, effective: 40000 },
      { cohort: "stable", rows: 40000, effective: 40000 },
    ]);
  });

  it("is undecided while the bounds straddle the margin", () => {
    const r = checkErrorRateRelative(
      [...canary(2000, 28), ...stable(18000, 180)],
      "canary",
      settings,
    );
    expect(r.status).toBe("inconclusive");
    expect(r.code).toBe("undecided");
  });

  it("compares within strata, so a change both cohorts share does not read as the canary's", () => {
    // Stratum r1: canary at 1 % of traffic, both cohorts 1 % errors; r2: 50/50,
    // both cohorts 10 % errors. Pooled, the canary (mostly r2) reads 9.8 % vs
    // stable's 4 %; within each stratum they are equal.
    const cells = [
      ...canary(1000, 10, "r1"),
      ...stable(99000, 990, "r1"),
      ...canary(50000, 5000, "r2"),
      ...stable(50000, 5000, "r2"),
    ];
    const r = checkErrorRateRelative(cells, "canary", settings);
    expect(r.status).not.toBe("fail");
    expect(r.figures["difference"]).toBeCloseTo(0, 10);
    expect(r.figures["strata"]).toBe(2);
  });

  it("widens its bounds by the design effect when errors gather in a few bucket clusters", () => {
    // Same totals; in `clustered` each cohort's errors sit in 4 of 64 clusters
    // (a few visitors failing again and again), so the evidence is weaker.
    const even = [...canary(8000, 240), ...stable(8000, 80)];
    const gathered = (cohort: string, errors: number) =>
      Array.from({ length: 64 }, (_, i) =>
        cell({
          cohort,
          cluster: i,
          rows: 125,
          requests: 125,
          requestsSq: 125,
          errors: i < 4 ? errors / 4 : 0,
          assigned: 125,
        }),
      );
    const clustered = [...gathered("canary", 240), ...gathered("stable", 80)];
    const a = checkErrorRateRelative(even, "canary", settings);
    const b = checkErrorRateRelative(clustered, "canary", settings);
    expect(a.figures["designEffect"]).toBeCloseTo(1, 1);
    expect(b.figures["designEffect"]).toBeGreaterThan(5);
    expect(a.status).toBe("fail");
    expect(b.status).not.toBe("fail");
    expect((b.summary.upper ?? 0) - (b.summary.lower ?? 0)).toBeGreaterThan(
      2 * ((a.summary.upper ?? 0) - (a.summary.lower ?? 0)),
    );
  });

  it("counts stored rows, not sample-weighted requests, for minRequests", () => {
    const r = checkErrorRateRelative(
      [...canary(150, 3, "r1", 100), ...stable(1000, 10, "r1", 100)],
      "canary",
      settings,
    );
    expect(r.code).toBe("insufficient_data");
    expect(r.figures["canaryRows"]).toBe(150);
  });

  it("uses the effective sample size of unequally weighted rows", () => {
    const mixed = [cell({ cohort: "canary", rows: 2, requests: 101, requestsSq: 1 + 100 * 100 })];
    const r = checkErrorRateRelative(mixed, "canary", settings);
    expect(r.summary.samples[0]?.effective).toBeCloseTo((101 * 101) / 10001, 10);
  });

  it("reports no data, and waits for the errors the normal approximation needs", () => {
    expect(checkErrorRateRelative(stable(1000, 10), "canary", settings).code).toBe("no_data");
    const few = checkErrorRateRelative([...canary(300, 0), ...stable(300, 0)], "canary", settings);
    expect(few.status).toBe("inconclusive");
  });

  it("rejects invalid numbers", () => {
    const bad = [cell({ cohort: "canary", rows: 1, requests: 1, requestsSq: 1, errors: 2 })];
    expect(checkErrorRateRelative([...bad, ...stable(1000, 1)], "canary", settings).code).toBe(
      "invalid_input",
    );
    const nan = [cell({ cohort: "canary", rows: Number.NaN })];
    expect(checkErrorRateRelative(nan, "canary", settings).code).toBe("invalid_input");
  });

  it("scales the margin with stable's rate in each stratum", () => {
    // Stable at 4 %: the relative margin (50 % of 4 % = 2 pp) is the larger.
    const r = checkErrorRateRelative(
      [...canary(20000, 900), ...stable(20000, 800)],
      "canary",
      settings,
    );
    expect(r.figures["margin"]).toBeCloseTo(0.02, 10);
    expect(r.status).toBe("pass");
  });
});

describe("checkErrorRateAbsolute", () => {
  it("fails a canary confidently above the ceiling while stable is below it", () => {
    const r = checkErrorRateAbsolute(
      [...canary(2000, 200), ...stable(18000, 180)],
      "canary",
      settings,
    );
    expect(r?.status).toBe("fail");
    expect(r?.summary).toMatchObject({ label: "canary error rate", limit: 0.05 });
  });

  it("does not blame the canary for an incident stable shares", () => {
    // Both cohorts at 10 %: above the 5 % ceiling, but no worse than stable.
    const r = checkErrorRateAbsolute(
      [...canary(5000, 500), ...stable(45000, 4500)],
      "canary",
      settings,
    );
    expect(r?.status).not.toBe("fail");
    expect(r?.summary.limit).toBeCloseTo(0.1, 10);
  });

  it("passes a canary confidently below the ceiling, and waits for minRequests rows", () => {
    expect(checkErrorRateAbsolute(canary(4000, 40), "canary", settings)?.status).toBe("pass");
    expect(checkErrorRateAbsolute(canary(199, 150), "canary", settings)?.code).toBe(
      "insufficient_data",
    );
    expect(checkErrorRateAbsolute([], "canary", settings)?.code).toBe("no_data");
  });

  it("is skipped when maxErrorRate is null", () => {
    const off = resolveJudgeSettings({ maxErrorRate: null });
    expect(checkErrorRateAbsolute(canary(1000, 500), "canary", off)).toBeNull();
  });
});

describe("restrictedRates", () => {
  it("puts both rates on the margin boundary p_c = k·p_s + a", () => {
    const r = restrictedRates(30, 1000, 100, 9000, 1, 0.005);
    expect(r.canary - r.stable).toBeCloseTo(0.005, 12);
    const rel = restrictedRates(30, 1000, 100, 9000, 1.5, 0);
    expect(rel.canary / rel.stable).toBeCloseTo(1.5, 10);
  });

  it("fixes the canary at a when k is 0 (the ceiling)", () => {
    const r = restrictedRates(30, 1000, 100, 9000, 0, 0.05);
    expect(r.canary).toBeCloseTo(0.05, 12);
  });
});
