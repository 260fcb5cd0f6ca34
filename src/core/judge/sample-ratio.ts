/**
 * Sample-ratio mismatch (SRM): do the cohorts' observed request shares match
 * the configured weights? When they do not, assignment or the metrics pipeline
 * is broken, and every other comparison is suspect, so a mismatch blocks
 * promotion regardless of how good the canary looks.
 */

import { cohortProblem, count, makeResult, percent } from "./result";
import type { JudgeSettings } from "./settings";
import { chiSquareSurvival } from "./stats";
import type { CheckResult, CohortStats } from "./types";

/**
 * Check 4: Pearson chi-square goodness of fit of the observed request counts
 * to the shares implied by `weights` (percent per cohort; normalised, so any
 * positive scale works). Fails when p < settings.srmPValue, or when a cohort
 * with zero weight received traffic. Inconclusive without traffic or while
 * some expected count is below settings.srmMinExpected (the chi-square
 * approximation is unreliable there).
 */
export function checkSampleRatio(
  cohorts: readonly CohortStats[],
  weights: Readonly<Record<string, number>>,
  settings: JudgeSettings,
): CheckResult {
  const check = "sample_ratio";
  const observed = new Map<string, number>();
  for (const stats of cohorts) {
    const problem = cohortProblem(stats);
    if (problem !== null) {
      return makeResult(check, "inconclusive", "invalid_input", problem);
    }
    if (observed.has(stats.cohort)) {
      return makeResult(
        check,
        "inconclusive",
        "invalid_input",
        `cohort "${stats.cohort}" appears more than once`,
      );
    }
    // Counts divided by φ: overdispersed (e.g. per-visitor sticky) traffic
    // varies more than a multinomial, and the statistic must not overstate it.
    observed.set(stats.cohort, stats.requests / settings.overdispersion);
  }
  // A Map, not the record itself: a cohort may legitimately be called
  // "constructor", which a plain-object lookup would find on the prototype.
  const weightOf = new Map<string, number>();
  let totalWeight = 0;
  for (const [cohort, weight] of Object.entries(weights)) {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      return makeResult(
        check,
        "inconclusive",
        "invalid_input",
        `cohort "${cohort}" has an invalid weight (${String(weight)})`,
      );
    }
    weightOf.set(cohort, weight);
    totalWeight += weight;
  }
  if (!(totalWeight > 0)) {
    return makeResult(check, "inconclusive", "invalid_input", "weights sum to zero");
  }

  let total = 0;
  for (const n of observed.values()) {
    total += n;
  }
  if (total === 0) {
    return makeResult(check, "inconclusive", "no_data", "no requests in any cohort", {
      totalRequests: 0,
    });
  }

  const figures: Record<string, number> = { totalRequests: total * settings.overdispersion };
  const names = new Set([...weightOf.keys(), ...observed.keys()]);
  const stray: string[] = [];
  const cells: { cohort: string; observed: number; expected: number }[] = [];
  for (const cohort of names) {
    const weight = weightOf.get(cohort) ?? 0;
    const o = observed.get(cohort) ?? 0;
    figures[`share.${cohort}`] = o / total;
    figures[`expectedShare.${cohort}`] = weight / totalWeight;
    if (weight === 0) {
      if (o > 0) {
        stray.push(cohort);
      }
      continue;
    }
    cells.push({ cohort, observed: o, expected: (total * weight) / totalWeight });
  }

  if (stray.length > 0) {
    // Expected 0 but observed > 0: the chi-square statistic is infinite.
    const list = stray.map((c) => `"${c}"`).join(", ");
    return makeResult(
      check,
      "fail",
      "sample_ratio_mismatch",
      `traffic reached ${list} with weight 0; blocks promotion: assignment or data is broken`,
      { ...figures, pValue: 0 },
    );
  }
  const smallest = Math.min(...cells.map((c) => c.expected));
  figures["minExpected"] = smallest;
  if (cells.length < 2) {
    return makeResult(
      check,
      "pass",
      "within_limit",
      "only one cohort has weight; all traffic went to it",
      figures,
    );
  }
  if (smallest < settings.srmMinExpected) {
    return makeResult(
      check,
      "inconclusive",
      "insufficient_data",
      `smallest expected count ${count(smallest)} is below ${count(settings.srmMinExpected)}`,
      figures,
    );
  }

  let chiSquare = 0;
  for (const cell of cells) {
    const d = cell.observed - cell.expected;
    chiSquare += (d * d) / cell.expected;
  }
  const df = cells.length - 1;
  const pValue = chiSquareSurvival(chiSquare, df);
  Object.assign(figures, {
    chiSquare,
    degreesOfFreedom: df,
    pValue,
    threshold: settings.srmPValue,
  });
  const shares = cells
    .map(
      (c) => `${c.cohort} ${percent(c.observed / total)} (expected ${percent(c.expected / total)})`,
    )
    .join(", ");
  if (pValue < settings.srmPValue) {
    return makeResult(
      check,
      "fail",
      "sample_ratio_mismatch",
      `sample ratio mismatch, p = ${pValue.toExponential(2)}: ${shares}; blocks promotion: assignment or data is broken`,
      figures,
    );
  }
  return makeResult(
    check,
    "pass",
    "within_limit",
    `observed shares match the weights (p = ${pValue.toPrecision(3)}): ${shares}`,
    figures,
  );
}
