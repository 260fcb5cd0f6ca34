/**
 * Everything `status`, `watch` and `wait` show about one rollout, read in
 * one go: the document and its history from KV, the window's per-cohort
 * figures and the per-minute series from the metrics source, and, for a
 * rollout the controller steers, the judge's live verdict over the
 * controller's own evidence window (judging.ts `readAndJudge`, the function
 * the controller calls). Metrics failures do not fail the snapshot: they are
 * shown beside what could be read.
 */

import { readDocument } from "../control/document";
import type { DocumentRead } from "../control/document";
import type { HistoryRecord } from "../control/history";
import { readAndJudge } from "../control/judging";
import type { Judged } from "../control/judging";
import { MetricsError } from "../control/metrics-source";
import type { SeriesPoint } from "../control/series";
import { loadHistory, loadRollout } from "./kv";
import type { LoadedRollout } from "./kv";
import type { Target } from "./target";

/** One rollout, as read at `at`. */
export interface Snapshot {
  readonly at: number;
  readonly rollout: LoadedRollout;
  readonly read: DocumentRead;
  readonly history: HistoryRecord;
  readonly historyProblem: string | null;
  readonly windowSeconds: number;
  /** One point per cohort over the window; null when the figures could not be read. */
  readonly totals: readonly SeriesPoint[] | null;
  /** Per minute over `seriesSeconds`; null when they could not be read. */
  readonly series: readonly SeriesPoint[] | null;
  readonly seriesSeconds: number;
  /** The live judgement (managed rollouts the controller has caught up with). */
  readonly judged: Judged | null;
  /** Why figures are missing, one line. */
  readonly metricsError: string | null;
}

/** What to read. */
export interface SnapshotOptions {
  readonly key: string;
  readonly windowSeconds: number;
  readonly seriesSeconds: number;
  readonly now: number;
}

/** Reads a snapshot; rejects only when the rollout itself cannot be read. */
export async function takeSnapshot(target: Target, options: SnapshotOptions): Promise<Snapshot> {
  const { key, windowSeconds, seriesSeconds, now } = options;
  const [rollout, loaded] = await Promise.all([
    loadRollout(target.kv, key),
    loadHistory(target.kv, key),
  ]);
  const read = readDocument(key, rollout.text);
  const state = loaded.record.state;
  const errors: string[] = [];
  const figures = <T>(promise: Promise<T>): Promise<T | null> =>
    promise.catch((error: unknown) => {
      if (error instanceof MetricsError) {
        errors.push(error.message);
        return null;
      }
      throw error;
    });
  const caughtUp = read.kind === "managed" && state !== null && state.revision === rollout.revision;
  const [totals, series, judged] = await Promise.all([
    figures(
      target.metrics.series({
        key,
        lookbackSeconds: windowSeconds,
        stepSeconds: null,
        revision: rollout.revision,
      }),
    ),
    figures(
      target.metrics.series({
        key,
        lookbackSeconds: seriesSeconds,
        stepSeconds: 60,
        revision: null,
      }),
    ),
    caughtUp && state.phase === "ramping"
      ? readAndJudge(
          read.doc,
          read.doc.analysis.dryRun
            ? state
            : { ...state, weight: read.doc.weights.get(read.doc.analysis.canary) ?? 0 },
          now,
          target.metrics,
        )
      : Promise.resolve(null),
  ]);
  if (judged !== null && "error" in judged) {
    errors.push(judged.error);
  }
  return {
    at: now,
    rollout,
    read,
    history: loaded.record,
    historyProblem: loaded.problem,
    windowSeconds,
    totals,
    series,
    seriesSeconds,
    judged,
    metricsError: errors.length === 0 ? null : [...new Set(errors)].join("; "),
  };
}
