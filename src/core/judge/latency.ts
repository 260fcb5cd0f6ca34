/**
 * Latency check: canary/stable ratio of one latency quantile against a
 * configured maximum.
 *
 * No confidence bound here: the input has only point quantiles, not the
 * distributions, so the judge cannot compute a standard error. Instead it
 * refuses to compare quantiles estimated from too few requests (see
 * `minLatencyRequests` in settings.ts and README.md).
 */

import { cohortProblem, count, makeResult } from "./result";
import type { JudgeSettings } from "./settings";
import type { CheckName, CheckResult, CohortStats, LatencyQuantile } from "./types";

const CHECK_NAMES: Readonly<Record<LatencyQuantile, CheckName>> = {
  p50: "latency_p50",
  p95: "latency_p95",
  p99: "latency_p99",
};

/**
 * Check 3 for one quantile: fails when canary/stable > maxLatencyRatio[q] (and
 * the increase exceeds minLatencyDeltaMs), passes otherwise, and is
 * inconclusive when either cohort lacks the latency figure or has fewer than
 * minLatencyRequests[q] requests. Returns null when the quantile is disabled.
 */
export function checkLatency(
  quantile: LatencyQuantile,
  canary: CohortStats,
  stable: CohortStats,
  settings: JudgeSettings,
): CheckResult | null {
  const maxRatio = settings.maxLatencyRatio[quantile];
  if (maxRatio === null) {
    return null;
  }
  const check = CHECK_NAMES[quantile];
  const minRequests = settings.minLatencyRequests[quantile];
  const roles = [
    { role: "canary", stats: canary },
    { role: "stable", stats: stable },
  ] as const;
  const figures: Record<string, number> = {
    canaryRequests: canary.requests,
    stableRequests: stable.requests,
    minRequests,
    maxRatio,
  };
  for (const { stats } of roles) {
    const problem = cohortProblem(stats);
    if (problem !== null) {
      return makeResult(check, "inconclusive", "invalid_input", problem);
    }
  }
  for (const { role, stats } of roles) {
    if (stats.requests === 0) {
      return makeResult(
        check,
        "inconclusive",
        "no_data",
        `${role} cohort "${stats.cohort}" has no requests`,
        figures,
      );
    }
  }
  for (const { role, stats } of roles) {
    if (stats.requests < minRequests) {
      return makeResult(
        check,
        "inconclusive",
        "insufficient_data",
        `${role} cohort "${stats.cohort}" has ${count(stats.requests)} requests; ${quantile} needs ${count(minRequests)}`,
        figures,
      );
    }
  }
  const canaryMs = canary.latencyMs?.[quantile];
  const stableMs = stable.latencyMs?.[quantile];
  if (canaryMs === undefined || stableMs === undefined) {
    const missing = canaryMs === undefined ? canary.cohort : stable.cohort;
    return makeResult(
      check,
      "inconclusive",
      "missing_data",
      `no ${quantile} latency for cohort "${missing}"`,
      figures,
    );
  }
  if (!(Number.isFinite(canaryMs) && canaryMs >= 0 && Number.isFinite(stableMs) && stableMs >= 0)) {
    return makeResult(
      check,
      "inconclusive",
      "invalid_input",
      `invalid ${quantile} latency (canary ${String(canaryMs)} ms, stable ${String(stableMs)} ms)`,
      figures,
    );
  }

  // A zero stable quantile makes the ratio infinite; it is then left out of
  // the figures and the millisecond slack alone decides.
  const ratio = canaryMs / stableMs;
  const delta = canaryMs - stableMs;
  Object.assign(figures, {
    canaryMs,
    stableMs,
    ratio,
    deltaMs: delta,
    minDeltaMs: settings.minLatencyDeltaMs,
  });
  const summary = `${quantile} canary ${canaryMs.toFixed(1)} ms vs stable ${stableMs.toFixed(1)} ms`;
  const ratioText = Number.isFinite(ratio) ? `ratio ${ratio.toFixed(3)}` : "stable is 0 ms";
  if (canaryMs > maxRatio * stableMs && delta > settings.minLatencyDeltaMs) {
    return makeResult(
      check,
      "fail",
      "exceeds_limit",
      `${summary} (${ratioText}) exceeds the maximum ratio ${String(maxRatio)}`,
      figures,
    );
  }
  return makeResult(
    check,
    "pass",
    "within_limit",
    `${summary} (${ratioText}) is within the maximum ratio ${String(maxRatio)}`,
    figures,
  );
}
