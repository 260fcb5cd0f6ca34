import { describe, expect, it } from "vitest";
import { checkLatency, limitThreshold, quantileLevels } from "../../../src/core/judge/latency";
import { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "../../../src/core/judge/settings";
import type { StratumQuantiles } from "../../../src/core/judge/types";
import { spread } from "./cells";

const settings = DEFAULT_JUDGE_SETTINGS;

/** Stable's p95 of 200 ms in stratum r1, and the canary's, with the levels beside them. */
const quantiles = (canaryMs = 200): StratumQuantiles[] => [
  {
    stratum: "r1",
    cohort: "stable",
    rows: 1,
    quantiles: { p95: { lowMs: 180, ms: 200, highMs: 225 } },
  },
  {
    stratum: "r1",
    cohort: "canary",
    rows: 1,
    quantiles: { p95: { lowMs: canaryMs * 0.9, ms: canaryMs, highMs: canaryMs * 1.125 } },
  },
];

/** `rows` ok rows per cohort; shares at or below stable's p95 (stable) and the limit (canary). */
const cells = (rows: number, stableBelow: number, canaryWithin: number, canaryRows = rows) => [
  ...spread({
    cohort: "stable",
    rows,
    latency: { p95: { below: Math.round(rows * stableBelow), within: rows } },
  }),
  ...spread({
    cohort: "canary",
    rows: canaryRows,
    latency: {
      p95: { below: Math.round(canaryRows * 0.9), within: Math.round(canaryRows * canaryWithin) },
    },
  }),
];

describe("checkLatency", () => {
  it("fails when confidently fewer canary requests fit under the limit than stable's under its quantile", () => {
    const r = checkLatency("p95", cells(4000, 0.95, 0.9), quantiles(300), "canary", settings);
    expect(r?.status).toBe("fail");
    expect(r?.code).toBe("exceeds_limit");
    expect(r?.figures["shareUpper"]).toBeLessThan(0);
    expect(r?.summary).toMatchObject({ label: "p95 latency canary / stable", unit: "ratio" });
    expect(r?.summary.limit).toBeCloseTo(1.25, 10);
    expect(r?.summary.lower).toBeGreaterThan(1.25);
  });

  it("passes when confidently more canary requests fit under the limit", () => {
    const r = checkLatency("p95", cells(4000, 0.95, 0.99), quantiles(200), "canary", settings);
    expect(r?.status).toBe("pass");
    expect(r?.summary.upper).toBeLessThan(1.25);
    expect(r?.figures["ratio"]).toBeCloseTo(1, 10);
  });

  it("is undecided when the bounds straddle the limit", () => {
    const r = checkLatency("p95", cells(500, 0.95, 0.95), quantiles(250), "canary", settings);
    expect(r?.status).toBe("inconclusive");
    expect(r?.code).toBe("undecided");
  });

  it("needs minLatencyRequests ok rows per cohort, counted as rows", () => {
    const r = checkLatency("p95", cells(399, 0.95, 0.5), quantiles(), "canary", settings);
    expect(r?.code).toBe("insufficient_data");
    expect(r?.reason).toContain("400");
  });

  it("reports no data and missing thresholds distinctly", () => {
    const stableOnly = spread({ cohort: "stable", rows: 1000 });
    expect(checkLatency("p95", stableOnly, [], "canary", settings)?.code).toBe("no_data");
    const noThreshold = [
      ...spread({ cohort: "stable", rows: 1000 }),
      ...spread({ cohort: "canary", rows: 1000 }),
    ];
    expect(checkLatency("p95", noThreshold, [], "canary", settings)?.code).toBe("missing_data");
  });

  it("is skipped when the quantile's ratio is null", () => {
    const off = resolveJudgeSettings({ maxLatencyRatio: { p95: null } });
    expect(checkLatency("p95", cells(4000, 0.95, 0.5), quantiles(), "canary", off)).toBeNull();
  });
});

describe("limitThreshold", () => {
  it("is stable's quantile times the ratio, and at least minDeltaMs above it", () => {
    expect(limitThreshold(200, 1.25, 0)).toBe(250);
    expect(limitThreshold(2, 1.25, 5)).toBe(7);
  });
});

describe("quantileLevels", () => {
  it("reads each quantile with the levels beside it", () => {
    expect(quantileLevels("p50")).toEqual([0.45, 0.5, 0.55]);
    expect(quantileLevels("p95")).toEqual([0.93, 0.95, 0.97]);
    expect(quantileLevels("p99")).toEqual([0.985, 0.99, 0.995]);
  });
});
