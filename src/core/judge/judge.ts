/**
 * Runs every configured check for one canary cohort and combines them.
 */

import { checkErrorRateAbsolute, checkErrorRateRelative } from "./error-rate";
import { checkLatency } from "./latency";
import { checkSampleRatio } from "./sample-ratio";
import { DEFAULT_JUDGE_SETTINGS } from "./settings";
import type { JudgeSettings } from "./settings";
import { LATENCY_QUANTILES } from "./types";
import type { Cell, CheckResult, StratumQuantiles, Verdict } from "./types";
import { overallVerdict } from "./verdict";

/** Everything the judge needs about one analysis window. */
export interface JudgeInput {
  /** Name of the cohort under judgement. */
  readonly canary: string;
  /** Per stratum, cohort and bucket cluster: the window's requests (stable included). */
  readonly cells: readonly Cell[];
  /** Per stratum and cohort: latency quantiles of the `ok` requests. */
  readonly quantiles: readonly StratumQuantiles[];
  /** The stratum whose weights are in force now (the sample-ratio check's); null if unknown. */
  readonly current: string | null;
  /** The weights in force now, percent per cohort. */
  readonly weights: Readonly<Record<string, number>>;
}

/** The overall verdict and the per-check results behind it. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly results: readonly CheckResult[];
}

/**
 * Judges one canary against the baseline cohort (settings.baselineCohort):
 * absolute and relative error rate, each enabled latency quantile, and sample
 * ratio, then the overall verdict with all of them required. A pure function
 * of its input, so a judgement can be replayed on the data up to any minute.
 * Pass settings through resolveJudgeSettings first when they come from
 * configuration.
 */
export function judgeCanary(
  input: JudgeInput,
  settings: JudgeSettings = DEFAULT_JUDGE_SETTINGS,
): Judgement {
  if (input.canary === settings.baselineCohort) {
    throw new RangeError(`the canary cannot be the baseline cohort "${settings.baselineCohort}"`);
  }
  const results: CheckResult[] = [];
  const absolute = checkErrorRateAbsolute(input.cells, input.canary, settings);
  if (absolute !== null) {
    results.push(absolute);
  }
  results.push(checkErrorRateRelative(input.cells, input.canary, settings));
  for (const quantile of LATENCY_QUANTILES) {
    const latency = checkLatency(quantile, input.cells, input.quantiles, input.canary, settings);
    if (latency !== null) {
      results.push(latency);
    }
  }
  results.push(checkSampleRatio(input.cells, input.current, input.weights, input.canary, settings));
  return { verdict: overallVerdict(results), results };
}
