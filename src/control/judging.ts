/**
 * Turns the window's figures and the analysis settings into a judgement:
 * the judge's checks on the cells of every revision of the analysis, the
 * sample-ratio check on the current revision's.
 */

import { STABLE } from "../core/cohort";
import type { AnalysisSettings } from "../core/analysis-schema";
import { judgeCanary, resolveJudgeSettings } from "../core/judge";
import type { CheckName, CheckResult, LatencyQuantile, Verdict } from "../core/judge";
import { LATENCY_QUANTILES } from "../core/judge";
import type { ControlledDocument } from "./document";
import type { StepState } from "./history";
import { MetricsError } from "./metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";

/** The judge's verdict plus what the controller's policy needs from it. */
export interface AnalysisJudgement {
  readonly verdict: Verdict;
  readonly results: readonly CheckResult[];
  /** Checks that failed, except the sample-ratio check (which only blocks promotion). */
  readonly failing: readonly CheckName[];
  readonly sampleRatioFailed: boolean;
  /** The canary had no requests in the window. */
  readonly noData: boolean;
  /** Both cohorts have `minRequests` stored rows in the window. */
  readonly enoughData: boolean;
  /**
   * The evidence the relative error check holds: its margin in standard
   * errors (Infinity once it passed; null while it has no estimate).
   */
  readonly resolution: number | null;
}

/**
 * The relative error check's margin in its own standard errors: how far
 * the evidence resolves the margin. A passed check needs no more evidence.
 */
export function errorResolution(results: readonly CheckResult[]): number | null {
  const relative = results.find((r) => r.check === "error_rate_relative");
  if (relative === undefined) {
    return null;
  }
  if (relative.status === "pass") {
    return Number.POSITIVE_INFINITY;
  }
  const { margin, standardError, designEffect } = relative.figures;
  if (margin === undefined || standardError === undefined || designEffect === undefined) {
    return null;
  }
  // The standard error independent requests would give: the gate asks for a
  // sample size, which clustered traffic (broken sessions) should not stretch.
  const independent = standardError / Math.sqrt(designEffect);
  return independent > 0 ? margin / independent : null;
}

/** Stored rows of a cohort over the window. */
function rowsOf(metrics: WindowMetrics, cohort: string): number {
  return metrics.cells.reduce((sum, c) => sum + (c.cohort === cohort ? c.rows : 0), 0);
}

/**
 * Judges the canary: a pure function of the window's figures, the settings
 * and the current weights (hundredths), so a judgement can be replayed from
 * recorded figures.
 */
export function judgeWindow(
  metrics: WindowMetrics,
  settings: AnalysisSettings,
  weights: ReadonlyMap<string, number>,
): AnalysisJudgement {
  const judgeSettings = resolveJudgeSettings({
    minRequests: settings.minRequests,
    maxErrorRate: settings.maxErrorRate,
    minAbsoluteEffect: settings.errorMargin,
    minRelativeEffect: settings.relativeErrorMargin,
    maxLatencyRatio: settings.maxLatencyRatio,
    minLatencyRequests: settings.minLatencyRequests,
    minLatencyDeltaMs: settings.minLatencyDeltaMs,
    overdispersion: settings.overdispersion,
  });
  const percents: Record<string, number> = {};
  for (const [cohort, hundredths] of weights) {
    percents[cohort] = hundredths / 100;
  }
  const { verdict, results } = judgeCanary(
    {
      canary: settings.canary,
      cells: metrics.cells,
      quantiles: metrics.quantiles,
      current: metrics.current,
      weights: percents,
    },
    judgeSettings,
  );
  const canaryRows = rowsOf(metrics, settings.canary);
  return {
    verdict,
    results,
    failing: verdict.failed.filter((check) => check !== "sample_ratio"),
    sampleRatioFailed: results.some((r) => r.check === "sample_ratio" && r.status === "fail"),
    noData: canaryRows === 0,
    enoughData:
      canaryRows >= settings.minRequests && rowsOf(metrics, STABLE) >= settings.minRequests,
    resolution: errorResolution(results),
  };
}

/** The figures and their judgement, or why the figures could not be read. */
export type Judged =
  | { readonly metrics: WindowMetrics; readonly judgement: AnalysisJudgement }
  | { readonly error: string };

/** Extra look-back beyond the analysis start, for clock skew between the Worker and Analytics Engine. */
export const LOOKBACK_SLACK_SECONDS = 120;

/** The metrics query of a judgement at `now`. */
export function windowQuery(doc: ControlledDocument, state: StepState, now: number): MetricsQuery {
  const settings = doc.analysis;
  const sinceStart = Math.ceil((now - state.analysisStartedAt) / 1000) + LOOKBACK_SLACK_SECONDS;
  const latencyLimits: Partial<Record<LatencyQuantile, number>> = {};
  for (const q of LATENCY_QUANTILES) {
    const limit = settings.maxLatencyRatio[q];
    if (limit !== null) {
      latencyLimits[q] = limit;
    }
  }
  return {
    key: doc.key,
    revisions: state.revisions,
    currentRevision: doc.revision,
    lookbackSeconds: Math.min(settings.windowSeconds, sinceStart),
    latencyLimits,
    minLatencyDeltaMs: settings.minLatencyDeltaMs,
  };
}

/**
 * Reads the analysis window's figures and judges them. The window runs from
 * the analysis start (capped at `window`), over the revisions the controller
 * wrote since then (the strata), so evidence accumulates across steps; a
 * failed read becomes `{error}`, on which the policy holds.
 */
export async function readAndJudge(
  doc: ControlledDocument,
  state: StepState,
  now: number,
  source: MetricsSource,
): Promise<Judged> {
  try {
    const metrics = await source.read(windowQuery(doc, state, now));
    return { metrics, judgement: judgeWindow(metrics, doc.analysis, doc.weights) };
  } catch (error) {
    if (error instanceof MetricsError) {
      return { error: `${error.code}: ${error.message}` };
    }
    throw error;
  }
}
