import { describe, expect, it } from "vitest";
import { checkLatency } from "../../../src/core/judge/latency";
import { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "../../../src/core/judge/settings";
import type { CohortStats } from "../../../src/core/judge/types";
import { sfc32 } from "./simulate";

const withLatency = (
  cohort: string,
  requests: number,
  p50: number,
  p95: number,
  p99: number,
): CohortStats => ({ cohort, requests, errors: 0, latencyMs: { p50, p95, p99 } });
const settings = DEFAULT_JUDGE_SETTINGS;

describe("checkLatency", () => {
  const stable = withLatency("stable", 10000, 100, 200, 400);

  it("passes when every ratio is within its maximum", () => {
    const canary = withLatency("canary", 2000, 119, 249, 599);
    for (const q of ["p50", "p95", "p99"] as const) {
      const r = checkLatency(q, canary, stable, settings);
      expect(r?.check).toBe(`latency_${q}`);
      expect(r?.status).toBe("pass");
      expect(r?.code).toBe("within_limit");
    }
    expect(checkLatency("p50", canary, stable, settings)?.figures["ratio"]).toBeCloseTo(1.19, 12);
  });

  it("fails when a ratio exceeds its maximum", () => {
    const canary = withLatency("canary", 2000, 121, 200, 400);
    const r = checkLatency("p50", canary, stable, settings);
    expect(r?.status).toBe("fail");
    expect(r?.code).toBe("exceeds_limit");
    expect(r?.figures["ratio"]).toBeCloseTo(1.21, 12);
    expect(r?.figures["maxRatio"]).toBe(1.2);
    expect(r?.reason).toContain("1.210");
    expect(
      checkLatency("p99", withLatency("canary", 2000, 100, 200, 601), stable, settings)?.status,
    ).toBe("fail");
  });

  it("requires per-quantile minimum counts in both cohorts", () => {
    // 500 requests: enough for p50 (200) and p95 (400), not for p99 (1000).
    const canary = withLatency("canary", 500, 500, 500, 5000);
    expect(checkLatency("p50", canary, stable, settings)?.status).toBe("fail");
    expect(checkLatency("p95", canary, stable, settings)?.status).toBe("fail");
    const p99 = checkLatency("p99", canary, stable, settings);
    expect(p99?.status).toBe("inconclusive");
    expect(p99?.code).toBe("insufficient_data");
    expect(p99?.figures["minRequests"]).toBe(1000);
    const fewStable = withLatency("stable", 199, 100, 200, 400);
    expect(checkLatency("p50", canary, fewStable, settings)?.code).toBe("insufficient_data");
  });

  it("is inconclusive when latency is missing", () => {
    const canary: CohortStats = { cohort: "canary", requests: 5000, errors: 0, latencyMs: null };
    const r = checkLatency("p95", canary, stable, settings);
    expect(r?.status).toBe("inconclusive");
    expect(r?.code).toBe("missing_data");
    expect(r?.reason).toContain('"canary"');
  });

  it("reports no data for an empty cohort", () => {
    const r = checkLatency("p50", withLatency("canary", 0, 0, 0, 0), stable, settings);
    expect(r?.status).toBe("inconclusive");
    expect(r?.code).toBe("no_data");
  });

  it("rejects invalid latencies", () => {
    const r = checkLatency("p50", withLatency("canary", 500, Number.NaN, 1, 1), stable, settings);
    expect(r?.code).toBe("invalid_input");
    expect(checkLatency("p50", withLatency("canary", 500, -1, 1, 1), stable, settings)?.code).toBe(
      "invalid_input",
    );
  });

  it("is skipped when the maximum ratio is null", () => {
    const s = resolveJudgeSettings({ maxLatencyRatio: { p99: null } });
    expect(checkLatency("p99", withLatency("canary", 5000, 1, 1, 1), stable, s)).toBeNull();
    expect(checkLatency("p95", withLatency("canary", 5000, 1, 1, 1), stable, s)).not.toBeNull();
  });

  it("lets minLatencyDeltaMs absorb large ratios of tiny latencies", () => {
    const fastStable = withLatency("stable", 10000, 1, 2, 3);
    const canary = withLatency("canary", 10000, 2, 2, 3);
    expect(checkLatency("p50", canary, fastStable, settings)?.status).toBe("fail");
    const lenient = resolveJudgeSettings({ minLatencyDeltaMs: 5 });
    expect(checkLatency("p50", canary, fastStable, lenient)?.status).toBe("pass");
  });

  it("handles a zero stable quantile without emitting non-finite figures", () => {
    const zeroStable = withLatency("stable", 10000, 0, 0, 0);
    const r = checkLatency("p50", withLatency("canary", 10000, 3, 3, 3), zeroStable, settings);
    expect(r?.status).toBe("fail");
    expect(r?.figures["ratio"]).toBeUndefined();
    expect(
      checkLatency("p50", withLatency("canary", 10000, 0, 0, 0), zeroStable, settings)?.status,
    ).toBe("pass");
  });
});

describe("latency minimum counts (simulation)", () => {
  /** Standard normal draws by Box–Muller from the seeded PRNG. */
  const normal = (rng: () => number): number =>
    Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  /** Empirical quantile: the ceil(q·n)-th smallest value. */
  const quantile = (sorted: readonly number[], q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const cohortOf = (name: string, rng: () => number, n: number): CohortStats => {
    // Log-normal latency, median 100 ms, σ = 0.5 (p99 ≈ 3.2 × median).
    const sorted = Array.from({ length: n }, () => 100 * Math.exp(0.5 * normal(rng))).sort(
      (a, b) => a - b,
    );
    return {
      cohort: name,
      requests: n,
      errors: 0,
      latencyMs: {
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
      },
    };
  };

  it.each(["p50", "p95", "p99"] as const)(
    "identical cohorts at the default minimum count rarely fail %s",
    (q) => {
      const rng = sfc32(1234);
      const n = settings.minLatencyRequests[q];
      const trials = 1000;
      let fails = 0;
      for (let t = 0; t < trials; t++) {
        const r = checkLatency(q, cohortOf("canary", rng, n), cohortOf("stable", rng, n), settings);
        if (r?.status === "fail") {
          fails += 1;
        }
      }
      console.info(
        `latency ${q} A/A at n=${String(n)}: single-look fail ${String(fails / trials)}`,
      );
      expect(fails / trials).toBeLessThanOrEqual(0.01);
    },
  );
});
