/**
 * Latency check: is the canary's quantile more than `maxLatencyRatio` times
 * stable's? Asked as a question about shares, which have a clustered variance
 * and an anytime-valid bound like the error rates: in each stratum, the share
 * of canary requests at or below the limit (stable's quantile T times the
 * ratio) is compared with the share of stable requests at or below T. When
 * the canary's quantile is exactly at the limit the two shares are equal;
 * when it is above, fewer canary requests fit under the limit. README.md in
 * this folder derives it.
 */

import { anytimeBounds, cohortSample } from "./bounds";
import { cellProblem, count, emptySummary, makeResult } from "./result";
import type { JudgeSettings } from "./settings";
import { binomialVariance, byStratum, combine, designEffect, side } from "./strata";
import type { StratumContrast } from "./strata";
import { QUANTILE_LEVELS } from "./types";
import type {
  Cell,
  CheckName,
  CheckResult,
  CheckSummary,
  LatencyQuantile,
  StratumQuantiles,
} from "./types";

const CHECK_NAMES: Readonly<Record<LatencyQuantile, CheckName>> = {
  p50: "latency_p50",
  p95: "latency_p95",
  p99: "latency_p99",
};

/**
 * Distance of the neighbouring levels read with each quantile (q ± spread):
 * they give the slope of log-latency at q, used only to translate the
 * decision's bounds into ratios for display.
 */
export const QUANTILE_SPREAD: Readonly<Record<LatencyQuantile, number>> = {
  p50: 0.05,
  p95: 0.02,
  p99: 0.005,
};

/** The levels read for a quantile: below, at and above it. */
export function quantileLevels(quantile: LatencyQuantile): readonly [number, number, number] {
  const q = QUANTILE_LEVELS[quantile];
  const d = QUANTILE_SPREAD[quantile];
  return [round6(q - d), q, round6(q + d)];
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The latency a canary request may take and still count as within the limit:
 * stable's quantile times the maximum ratio, and at least `minDeltaMs` above
 * stable's quantile (a few ms never fail).
 */
export function limitThreshold(stableMs: number, maxRatio: number, minDeltaMs: number): number {
  return Math.max(maxRatio * stableMs, stableMs + minDeltaMs);
}

/**
 * Mixture scale of the latency bounds, in share units: tightest for
 * differences of about a tenth of the share's standard deviation, which is
 * where the ratio limits put healthy canaries (README.md, latency).
 */
function mixtureScale(q: number): number {
  return 0.1 * Math.sqrt(q * (1 - q));
}

/**
 * Check 3 for one quantile: fails when the combined share difference (canary
 * within the limit minus stable below its quantile) is confidently below 0,
 * passes when confidently above, and is inconclusive while either cohort has
 * fewer than minLatencyRequests[q] `ok` rows or no stratum has stable's
 * quantile. Returns null when the quantile is disabled.
 */
export function checkLatency(
  quantile: LatencyQuantile,
  cells: readonly Cell[],
  quantiles: readonly StratumQuantiles[],
  canary: string,
  settings: JudgeSettings,
): CheckResult | null {
  const maxRatio = settings.maxLatencyRatio[quantile];
  if (maxRatio === null) {
    return null;
  }
  const check = CHECK_NAMES[quantile];
  const stable = settings.baselineCohort;
  const minRows = settings.minLatencyRequests[quantile];
  const samples = [cohortSample(cells, canary, "ok"), cohortSample(cells, stable, "ok")];
  const label = `${quantile} latency canary / stable`;
  const empty = emptySummary(label, "ratio", maxRatio, true, samples);
  for (const cell of cells) {
    const problem = cellProblem(cell);
    if (problem !== null) {
      return makeResult(check, "inconclusive", "invalid_input", problem, empty);
    }
  }
  const figures: Record<string, number> = { maxRatio, minRows };
  for (const [role, sample] of [
    ["canary", samples[0]],
    ["stable", samples[1]],
  ] as const) {
    figures[`${role}Rows`] = sample?.rows ?? 0;
    if ((sample?.rows ?? 0) === 0) {
      return makeResult(
        check,
        "inconclusive",
        "no_data",
        `${role} cohort "${sample?.cohort ?? role}" has no ok requests`,
        empty,
        figures,
      );
    }
  }
  const short = samples.filter((s) => s.rows < minRows);
  if (short.length > 0) {
    const names = short.map((s) => `"${s.cohort}" (${count(s.rows)})`).join(", ");
    return makeResult(
      check,
      "inconclusive",
      "insufficient_data",
      `${quantile} needs ${count(minRows)} ok rows per cohort; ${names} ${short.length > 1 ? "have" : "has"} fewer`,
      empty,
      figures,
    );
  }

  const strata = latencyStrata(quantile, cells, canary, stable);
  const { used, combined } = combine(strata);
  if (combined === null) {
    return makeResult(
      check,
      "inconclusive",
      "missing_data",
      `no stratum has a ${quantile} for stable and ok requests in both cohorts`,
      empty,
      figures,
    );
  }
  const q = QUANTILE_LEVELS[quantile];
  let boundary = 0;
  for (const s of used) {
    boundary +=
      s.weight *
      s.weight *
      (binomialVariance(q, s.canary.effective) + binomialVariance(q, s.stable.effective));
  }
  const deff = designEffect(combined, 1);
  const variance = boundary * deff;
  const scale = mixtureScale(q);
  const bounds = anytimeBounds(variance, 1 / (scale * scale), settings.alpha);
  const share = combined.excess;
  const status =
    share + bounds.halfWidth < 0 ? "fail" : share - bounds.halfWidth > 0 ? "pass" : "inconclusive";
  const display = ratioView(quantile, used, quantiles, canary, stable, settings);
  const toRatio = (d: number): number => display.limit * Math.exp(-d * display.slope);
  const summary: CheckSummary = {
    ...empty,
    estimate: toRatio(share),
    lower: toRatio(share + bounds.halfWidth),
    upper: toRatio(share - bounds.halfWidth),
    limit: display.limit,
  };
  Object.assign(figures, {
    shareDifference: share,
    shareLower: share - bounds.halfWidth,
    shareUpper: share + bounds.halfWidth,
    canaryShareWithin: combined.canaryRate,
    stableShareBelow: combined.stableRate,
    standardError: Math.sqrt(variance),
    criticalValue: bounds.criticalValue,
    designEffect: deff,
    clusters: combined.clusters,
    strata: combined.strata,
    ratio: display.pointRatio,
    alpha: settings.alpha,
  });
  const what = `${quantile}: ${(100 * combined.canaryRate).toFixed(1)}% of canary requests within ${display.limit.toFixed(2)} x stable's ${quantile} (stable: ${(100 * combined.stableRate).toFixed(1)}% below its ${quantile}); ratio about ${display.pointRatio.toFixed(2)}`;
  const reason =
    status === "fail"
      ? `${what}: the canary is confidently slower than the limit`
      : status === "pass"
        ? `${what}: the canary is confidently within the limit`
        : `${what}: not yet enough evidence either way`;
  return makeResult(
    check,
    status,
    status === "fail" ? "exceeds_limit" : status === "pass" ? "within_limit" : "undecided",
    reason,
    summary,
    figures,
  );
}

/** Per stratum: canary within the limit vs stable below its quantile, over `ok` requests. */
function latencyStrata(
  quantile: LatencyQuantile,
  cells: readonly Cell[],
  canary: string,
  stable: string,
): StratumContrast[] {
  const strata: StratumContrast[] = [];
  for (const [stratum, cohorts] of byStratum(cells)) {
    const withCounts = (name: string): Cell[] =>
      (cohorts.get(name) ?? []).filter((c) => c.latency[quantile] !== undefined);
    const c = side(
      withCounts(canary),
      (cell) => cell.latency[quantile]?.within ?? 0,
      (cell) => cell.ok,
      (cell) => cell.okSq,
      (cell) => cell.okRows,
    );
    const s = side(
      withCounts(stable),
      (cell) => cell.latency[quantile]?.below ?? 0,
      (cell) => cell.ok,
      (cell) => cell.okSq,
      (cell) => cell.okRows,
    );
    const weight = c.effective > 0 && s.effective > 0 ? 1 / (1 / c.effective + 1 / s.effective) : 0;
    strata.push({ stratum, canary: c, stable: s, k: 1, a: 0, weight });
  }
  return strata;
}

/**
 * How to show a share difference as a quantile ratio: with stable's slope of
 * log-latency against the level at the quantile (from the neighbouring
 * levels), a share difference d moves the canary's quantile by a factor of
 * about exp(−d · slope) from the limit. Display only: the decision is on the
 * shares. Also the plain ratio of the quantiles, combined over the strata.
 */
function ratioView(
  quantile: LatencyQuantile,
  used: readonly StratumContrast[],
  quantiles: readonly StratumQuantiles[],
  canary: string,
  stable: string,
  settings: JudgeSettings,
): { limit: number; slope: number; pointRatio: number } {
  const maxRatio = settings.maxLatencyRatio[quantile] ?? 1;
  const find = (stratum: string, cohort: string) =>
    quantiles.find((r) => r.stratum === stratum && r.cohort === cohort)?.quantiles[quantile];
  let logLimit = 0;
  let slope = 0;
  let baseWeight = 0;
  let logRatio = 0;
  let ratioWeight = 0;
  for (const s of used) {
    const base = find(s.stratum, stable);
    if (base === undefined || !(base.ms > 0)) {
      continue;
    }
    const limit = limitThreshold(base.ms, maxRatio, settings.minLatencyDeltaMs) / base.ms;
    logLimit += s.weight * Math.log(limit);
    baseWeight += s.weight;
    const rise = base.lowMs > 0 ? Math.log(base.highMs / base.lowMs) : Number.NaN;
    slope += s.weight * (rise / (2 * QUANTILE_SPREAD[quantile]));
    const other = find(s.stratum, canary);
    if (other !== undefined && other.ms > 0) {
      logRatio += s.weight * Math.log(other.ms / base.ms);
      ratioWeight += s.weight;
    }
  }
  return {
    limit: baseWeight > 0 ? Math.exp(logLimit / baseWeight) : maxRatio,
    slope: baseWeight > 0 ? slope / baseWeight : Number.NaN,
    pointRatio: ratioWeight > 0 ? Math.exp(logRatio / ratioWeight) : Number.NaN,
  };
}
