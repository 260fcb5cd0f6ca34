/**
 * Runs every configured check for one canary cohort and combines them.
 */

import { checkErrorRateAbsolute, checkErrorRateRelative } from "./error-rate";
import { checkLatency } from "./latency";
import { checkSampleRatio } from "./sample-ratio";
import { DEFAULT_JUDGE_SETTINGS } from "./settings";
import type { JudgeSettings } from "./settings";
import { LATENCY_QUANTILES } from "./types";
import type { CheckResult, CohortStats, Verdict } from "./types";
import { overallVerdict } from "./verdict";

/** Everything the judge needs about one analysis window. */
export interface JudgeInput {
  /** Name of the cohort under judgement. */
  readonly canary: string;
  /** Aggregates for every cohort seen in the window (stable included). */
  readonly cohorts: readonly CohortStats[];
  /** Configured weight in percent per cohort, as in effect for the whole window. */
  readonly weights: Readonly<Record<string, number>>;
}

/** The overall verdict and the per-check results behind it. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly results: readonly CheckResult[];
}

/** A cohort absent from the data had no requests in the window. */
function statsFor(cohorts: readonly CohortStats[], cohort: string): CohortStats {
  return (
    cohorts.find((s) => s.cohort === cohort) ?? { cohort, requests: 0, errors: 0, latencyMs: null }
  );
}

/**
 * Judges one canary against the baseline cohort (settings.baselineCohort):
 * absolute and relative error rate, each enabled latency quantile, and sample
 * ratio, then the overall verdict with all of them required. Pass settings
 * through resolveJudgeSettings first when they come from configuration.
 */
export function judgeCanary(
  input: JudgeInput,
  settings: JudgeSettings = DEFAULT_JUDGE_SETTINGS,
): Judgement {
  if (input.canary === settings.baselineCohort) {
    throw new RangeError(`the canary cannot be the baseline cohort "${settings.baselineCohort}"`);
  }
  const canary = statsFor(input.cohorts, input.canary);
  const stable = statsFor(input.cohorts, settings.baselineCohort);
  const results: CheckResult[] = [];
  const absolute = checkErrorRateAbsolute(canary, settings);
  if (absolute !== null) {
    results.push(absolute);
  }
  results.push(checkErrorRateRelative(canary, stable, settings));
  for (const quantile of LATENCY_QUANTILES) {
    const latency = checkLatency(quantile, canary, stable, settings);
    if (latency !== null) {
      results.push(latency);
    }
  }
  results.push(checkSampleRatio(input.cohorts, input.weights, settings));
  return { verdict: overallVerdict(results), results };
}
