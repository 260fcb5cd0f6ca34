/**
 * Turns the window's figures and the analysis settings into a judgement:
 * the judge's checks on the whole analysis window, except the sample-ratio
 * check, which only sees the current revision's weights-decided requests
 * (the only traffic the current weights describe).
 */

import { STABLE } from "../core/cohort";
import type { AnalysisSettings } from "../core/analysis-schema";
import { checkSampleRatio, judgeCanary, overallVerdict, resolveJudgeSettings } from "../core/judge";
import type { CheckName, CheckResult, Verdict } from "../core/judge";
import type { ControlledDocument } from "./document";
import type { StepState } from "./history";
import { MetricsError } from "./metrics-source";
import type { CohortMetrics, MetricsSource, WindowMetrics } from "./metrics-source";

/** The judge's verdict plus what the controller's policy needs from it. */
export interface AnalysisJudgement {
  readonly verdict: Verdict;
  readonly results: readonly CheckResult[];
  /** Checks that failed, except the sample-ratio check (which only blocks promotion). */
  readonly failing: readonly CheckName[];
  readonly sampleRatioFailed: boolean;
  /** The canary had no requests in the window. */
  readonly noData: boolean;
  /** Both cohorts have `minRequests` requests in the window. */
  readonly enoughData: boolean;
  /** Variance inflation used: the configured one, or the mean sample interval if larger. */
  readonly overdispersion: number;
}

/**
 * Judges the canary. `weights` are the current weights in hundredths.
 * Sampled data (rows standing for several requests) carry less information
 * than their weighted counts suggest, so the mean `_sample_interval` of the
 * compared cohorts raises the overdispersion (effective sample size = count
 * / φ), unless the configured φ is larger.
 */
export function judgeWindow(
  metrics: WindowMetrics,
  settings: AnalysisSettings,
  weights: ReadonlyMap<string, number>,
): AnalysisJudgement {
  const find = (cohort: string): CohortMetrics | undefined =>
    metrics.cohorts.find((c) => c.cohort === cohort);
  const canary = find(settings.canary);
  const stable = find(STABLE);
  const overdispersion = Math.max(
    settings.overdispersion,
    meanSampleInterval(canary),
    meanSampleInterval(stable),
  );
  const judgeSettings = resolveJudgeSettings({
    minRequests: settings.minRequests,
    maxErrorRate: settings.maxErrorRate,
    minAbsoluteEffect: settings.errorMargin,
    minRelativeEffect: settings.relativeErrorMargin,
    maxLatencyRatio: settings.maxLatencyRatio,
    minLatencyRequests: settings.minLatencyRequests,
    minLatencyDeltaMs: settings.minLatencyDeltaMs,
    overdispersion,
  });
  const percents: Record<string, number> = {};
  for (const [cohort, hundredths] of weights) {
    percents[cohort] = hundredths / 100;
  }
  const whole = judgeCanary(
    { canary: settings.canary, cohorts: metrics.cohorts, weights: percents },
    judgeSettings,
  );
  const sampleRatio = checkSampleRatio(
    metrics.cohorts.map((c) => ({
      cohort: c.cohort,
      requests: c.stepRequests,
      errors: 0,
      latencyMs: null,
    })),
    percents,
    judgeSettings,
  );
  const results = [...whole.results.filter((r) => r.check !== "sample_ratio"), sampleRatio];
  const verdict = overallVerdict(results);
  const canaryRequests = canary?.requests ?? 0;
  return {
    verdict,
    results,
    failing: verdict.failed.filter((check) => check !== "sample_ratio"),
    sampleRatioFailed: sampleRatio.status === "fail",
    noData: canaryRequests === 0,
    enoughData:
      canaryRequests >= settings.minRequests && (stable?.requests ?? 0) >= settings.minRequests,
    overdispersion,
  };
}

function meanSampleInterval(cohort: CohortMetrics | undefined): number {
  return cohort !== undefined && cohort.rows > 0 ? Math.max(1, cohort.requests / cohort.rows) : 1;
}

/** The figures and their judgement, or why the figures could not be read. */
export type Judged =
  | { readonly metrics: WindowMetrics; readonly judgement: AnalysisJudgement }
  | { readonly error: string };

/** Extra look-back beyond the analysis start, for clock skew between the Worker and Analytics Engine. */
export const LOOKBACK_SLACK_SECONDS = 120;

/**
 * Reads the analysis window's figures and judges them. The window runs from
 * the analysis start (capped at `window`), over the revisions the controller
 * wrote since then, so evidence accumulates across steps; a failed read
 * becomes `{error}`, on which the policy holds.
 */
export async function readAndJudge(
  doc: ControlledDocument,
  state: StepState,
  now: number,
  source: MetricsSource,
): Promise<Judged> {
  const settings = doc.analysis;
  const sinceStart = Math.ceil((now - state.analysisStartedAt) / 1000) + LOOKBACK_SLACK_SECONDS;
  try {
    const metrics = await source.read({
      key: doc.key,
      revisions: state.revisions,
      currentRevision: doc.revision,
      lookbackSeconds: Math.min(settings.windowSeconds, sinceStart),
    });
    return { metrics, judgement: judgeWindow(metrics, settings, doc.weights) };
  } catch (error) {
    if (error instanceof MetricsError) {
      return { error: `${error.code}: ${error.message}` };
    }
    throw error;
  }
}
