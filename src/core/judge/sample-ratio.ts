/**
 * Sample-ratio mismatch (SRM): do the weights assign visitors in the shares
 * they say? When they do not, assignment or the metrics pipeline is broken,
 * and every other comparison is suspect, so a mismatch blocks promotion
 * regardless of how good the canary looks. The unit is what the weights
 * assign: a new visitor, not a request (one visitor's requests are not
 * independent draws).
 */

import { cellProblem, count, emptySummary, makeResult, percent } from "./result";
import type { JudgeSettings } from "./settings";
import { bisect, chiSquareSurvival, normalCdf } from "./stats";
import { clusterVariance, effectiveSize } from "./strata";
import type { Part } from "./strata";
import type { Cell, CheckResult, CheckSummary, SampleSize } from "./types";

const CHECK = "sample_ratio";
/** The cluster test needs this many clusters with data before its variance is trusted. */
export const MIN_SRM_CLUSTERS = 10;

/** z with P(|Z| > z) = p. */
function twoSidedCritical(p: number): number {
  return bisect((z) => 2 * (1 - normalCdf(z)) - p, 0, 40, 200);
}

/**
 * Check 4, on the current stratum only (the only one the current weights
 * describe), over weights-decided requests:
 *
 * - with new visitors (`visitor = new`: one row per visitor, on its first
 *   request), Pearson's chi-square of their counts against the weights'
 *   shares, on effective counts when rows are sampled;
 * - without any (stickiness by an application id: every bucket comes from
 *   the application, so no visitor is "new" to the router), a z-test of the
 *   canary's share of requests with bucket clusters as units, so heavy users
 *   weigh as what they are: one unit each.
 *
 * Fails when p < srmPValue, or when a cohort with weight 0 got assigned
 * traffic; inconclusive while an expected count is below srmMinExpected.
 */
export function checkSampleRatio(
  cells: readonly Cell[],
  current: string | null,
  weights: Readonly<Record<string, number>>,
  canary: string,
  settings: JudgeSettings,
): CheckResult {
  const now = cells.filter((c) => c.stratum === current);
  for (const cell of now) {
    const problem = cellProblem(cell);
    if (problem !== null) {
      return makeResult(
        CHECK,
        "inconclusive",
        "invalid_input",
        problem,
        emptySummary("canary share", "share", null, null),
      );
    }
  }
  const weightOf = new Map<string, number>();
  let totalWeight = 0;
  for (const [cohort, weight] of Object.entries(weights)) {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      return makeResult(
        CHECK,
        "inconclusive",
        "invalid_input",
        `cohort "${cohort}" has an invalid weight (${String(weight)})`,
        emptySummary("canary share", "share", null, null),
      );
    }
    // A Map, not the record: a cohort may be called "constructor".
    weightOf.set(cohort, weight);
    totalWeight += weight;
  }
  if (!(totalWeight > 0)) {
    return makeResult(
      CHECK,
      "inconclusive",
      "invalid_input",
      "weights sum to zero",
      emptySummary("canary share", "share", null, null),
    );
  }
  const expected = (weightOf.get(canary) ?? 0) / totalWeight;
  const hasNew = now.some((c) => c.newRows > 0);
  const assigned = now.reduce((sum, c) => sum + c.assigned, 0);
  if (!hasNew && !(assigned > 0)) {
    return makeResult(
      CHECK,
      "inconclusive",
      "insufficient_data",
      "no weights-decided requests in the current revision yet",
      emptySummary("canary share", "share", expected, null),
    );
  }
  const stray = [...new Set(now.map((c) => c.cohort))].filter(
    (cohort) =>
      (weightOf.get(cohort) ?? 0) === 0 &&
      now.some((c) => c.cohort === cohort && (hasNew ? c.newVisitors : c.assigned) > 0),
  );
  if (stray.length > 0) {
    const list = stray.map((c) => `"${c}"`).join(", ");
    return makeResult(
      CHECK,
      "fail",
      "sample_ratio_mismatch",
      `traffic was assigned to ${list} with weight 0; blocks promotion: assignment or data is broken`,
      emptySummary("canary share", "share", expected, null),
      { pValue: 0 },
    );
  }
  return hasNew
    ? visitorTest(now, weightOf, totalWeight, canary, expected, settings)
    : clusterTest(now, weightOf, canary, expected, settings);
}

/** Chi-square on new visitors, scaled to the effective count when rows are sampled. */
function visitorTest(
  cells: readonly Cell[],
  weightOf: ReadonlyMap<string, number>,
  totalWeight: number,
  canary: string,
  expectedShare: number,
  settings: JudgeSettings,
): CheckResult {
  const sums = new Map<string, { n: number; sq: number; rows: number }>();
  let total = 0;
  let totalSq = 0;
  for (const c of cells) {
    const s = sums.get(c.cohort) ?? { n: 0, sq: 0, rows: 0 };
    sums.set(c.cohort, { n: s.n + c.newVisitors, sq: s.sq + c.newSq, rows: s.rows + c.newRows });
    total += c.newVisitors;
    totalSq += c.newSq;
  }
  const effective = effectiveSize(total, totalSq);
  const scale = total > 0 ? effective / total : 0;
  const samples: SampleSize[] = [...sums].map(([cohort, s]) => ({
    cohort,
    rows: s.rows,
    effective: effectiveSize(s.n, s.sq),
  }));
  const observedShare = total > 0 ? (sums.get(canary)?.n ?? 0) / total : 0;
  const cells2 = [...weightOf]
    .filter(([, w]) => w > 0)
    .map(([cohort, w]) => ({
      cohort,
      observed: (sums.get(cohort)?.n ?? 0) * scale,
      expected: (effective * w) / totalWeight,
    }));
  const smallest = Math.min(...cells2.map((c) => c.expected));
  const figures: Record<string, number> = {
    newVisitors: total,
    effectiveVisitors: effective,
    minExpected: smallest,
    share: observedShare,
    expectedShare,
  };
  const halfWidth =
    twoSidedCritical(settings.srmPValue) *
    Math.sqrt((expectedShare * (1 - expectedShare)) / Math.max(effective, 1e-300));
  const summary: CheckSummary = {
    label: "canary share of new visitors",
    unit: "share",
    estimate: observedShare,
    lower: observedShare - halfWidth,
    upper: observedShare + halfWidth,
    limit: expectedShare,
    failAbove: null,
    samples,
  };
  if (cells2.length < 2) {
    return makeResult(
      CHECK,
      "pass",
      "within_limit",
      "only one cohort has weight; all visitors went to it",
      summary,
      figures,
    );
  }
  if (smallest < settings.srmMinExpected) {
    return makeResult(
      CHECK,
      "inconclusive",
      "insufficient_data",
      `smallest expected count of new visitors ${count(smallest)} is below ${count(settings.srmMinExpected)}`,
      summary,
      figures,
    );
  }
  let chiSquare = 0;
  for (const cell of cells2) {
    const d = cell.observed - cell.expected;
    chiSquare += (d * d) / cell.expected;
  }
  const df = cells2.length - 1;
  const pValue = chiSquareSurvival(chiSquare, df);
  Object.assign(figures, {
    chiSquare,
    degreesOfFreedom: df,
    pValue,
    threshold: settings.srmPValue,
  });
  const shares = cells2
    .map(
      (c) =>
        `${c.cohort} ${percent(c.observed / Math.max(effective, 1e-300))} (expected ${percent(c.expected / Math.max(effective, 1e-300))})`,
    )
    .join(", ");
  return decided(pValue, "new visitors", shares, summary, figures, settings);
}

/** Fail below srmPValue, else pass; the reason names the unit and the observed shares. */
function decided(
  pValue: number,
  unit: string,
  shares: string,
  summary: CheckSummary,
  figures: Record<string, number>,
  settings: JudgeSettings,
): CheckResult {
  return pValue < settings.srmPValue
    ? makeResult(
        CHECK,
        "fail",
        "sample_ratio_mismatch",
        `${unit}: sample ratio mismatch, p = ${pValue.toExponential(2)}: ${shares}; blocks promotion: assignment or data is broken`,
        summary,
        figures,
      )
    : makeResult(
        CHECK,
        "pass",
        "within_limit",
        `${unit}: shares match the weights (p = ${pValue.toPrecision(3)}): ${shares}`,
        summary,
        figures,
      );
}

/** z-test of the canary's share of assigned requests, bucket clusters as units. */
function clusterTest(
  cells: readonly Cell[],
  weightOf: ReadonlyMap<string, number>,
  canary: string,
  expectedShare: number,
  settings: JudgeSettings,
): CheckResult {
  const byCluster = new Map<number, { num: number; den: number }>();
  const samples = new Map<string, { rows: number; n: number; sq: number }>();
  for (const c of cells) {
    const part = byCluster.get(c.cluster) ?? { num: 0, den: 0 };
    byCluster.set(c.cluster, {
      num: part.num + (c.cohort === canary ? c.assigned : 0),
      den: part.den + c.assigned,
    });
    const s = samples.get(c.cohort) ?? { rows: 0, n: 0, sq: 0 };
    samples.set(c.cohort, { rows: s.rows + c.rows, n: s.n + c.requests, sq: s.sq + c.requestsSq });
  }
  const parts: Part[] = [...byCluster].map(([cluster, p]) => ({ cluster, ...p }));
  const num = parts.reduce((sum, p) => sum + p.num, 0);
  const den = parts.reduce((sum, p) => sum + p.den, 0);
  const share = den > 0 ? num / den : 0;
  const { variance, clusters } = clusterVariance([
    { coefficient: 1, side: { num, den, rows: 0, effective: 0, parts } },
  ]);
  const se = Math.sqrt(variance);
  const halfWidth = twoSidedCritical(settings.srmPValue) * se;
  const summary: CheckSummary = {
    label: "canary share of requests (bucket clusters)",
    unit: "share",
    estimate: share,
    lower: share - halfWidth,
    upper: share + halfWidth,
    limit: expectedShare,
    failAbove: null,
    samples: [...samples].map(([cohort, s]) => ({
      cohort,
      rows: s.rows,
      effective: effectiveSize(s.n, s.sq),
    })),
  };
  const figures: Record<string, number> = { share, expectedShare, clusters, assigned: den };
  const positive = [...weightOf.values()].filter((w) => w > 0).length;
  if (positive < 2) {
    return makeResult(
      CHECK,
      "pass",
      "within_limit",
      "only one cohort has weight; all traffic went to it",
      summary,
      figures,
    );
  }
  const minExpected = Math.min(expectedShare, 1 - expectedShare) * den;
  if (clusters < MIN_SRM_CLUSTERS || !(se > 0) || minExpected < settings.srmMinExpected) {
    return makeResult(
      CHECK,
      "inconclusive",
      "insufficient_data",
      `no new visitors (application stickiness): the canary's share of requests needs ${MIN_SRM_CLUSTERS} bucket clusters with traffic (${clusters} so far) and ${count(settings.srmMinExpected)} expected requests per cohort`,
      summary,
      figures,
    );
  }
  const z = (share - expectedShare) / se;
  const pValue = 2 * (1 - normalCdf(Math.abs(z)));
  Object.assign(figures, { z, pValue, threshold: settings.srmPValue });
  const shares = `canary ${percent(share)} of requests (expected ${percent(expectedShare)}, ${clusters} bucket clusters)`;
  return decided(
    pValue,
    "no new visitors (application stickiness), requests by bucket cluster",
    shares,
    summary,
    figures,
    settings,
  );
}
