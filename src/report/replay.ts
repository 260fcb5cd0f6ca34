/**
 * The judge replayed on the data up to each minute: the controller's own
 * reading and judging (judging.ts `readAndJudge` over the recorded-points
 * twin of the analysis query), with the weights, revisions and analysis
 * start the history says were in force then. So a check panel shows what the
 * judge saw at every minute, not only at the recorded decisions.
 */

import type { ControlledDocument } from "../control/document";
import type { HistoryEntry, StepState } from "../control/history";
import { readAndJudge } from "../control/judging";
import { decodeDataPoint, RecordedMetricsSource } from "../control/recorded-source";
import type { RecordedPoint } from "../control/recorded-source";
import type { CheckFrame } from "./model";

/** Where replayed check panels come from, for the reader. */
export const REPLAYED_SOURCE =
  "The judge replayed on the data up to each minute, with the weights and revisions in force then (the controller's own reading and judging); the band is its anytime-valid bounds, the dashed red line the limit or margin.";

/** At most this many replayed minutes: longer windows are sampled evenly. */
export const MAX_REPLAYED = 360;

/** What the replay needs. */
export interface ReplayInput {
  readonly doc: ControlledDocument;
  readonly entries: readonly HistoryEntry[];
  /** The rollout's points, oldest first. */
  readonly points: readonly RecordedPoint[];
  readonly from: number;
  readonly to: number;
}

/** One frame of judged checks per replayed minute (end of the minute). */
export async function replayChecks(input: ReplayInput): Promise<CheckFrame[]> {
  const { doc, entries, from, to } = input;
  const points = input.points.filter((p) => decodeDataPoint(p.point)?.rolloutKey === doc.key);
  const decoded = points.map((p) => ({ at: p.at, revision: decodeDataPoint(p.point)?.revision }));
  const first = Math.ceil(from / 60_000) * 60_000;
  const count = Math.max(0, Math.floor((to - first) / 60_000) + 1);
  const stride = Math.max(1, Math.ceil(count / MAX_REPLAYED));
  const lookbackMs = doc.analysis.windowSeconds * 1000;
  const frames: CheckFrame[] = [];
  for (let i = 0; i < count; i += stride) {
    const at = first + i * 60_000;
    const start = analysisStart(entries, at, from);
    const lo = lowerBound(points, Math.max(start, at - lookbackMs) - 120_000);
    const hi = lowerBound(points, at + 1);
    if (hi <= lo) {
      continue;
    }
    const revisions = [
      ...new Set(
        decoded
          .slice(lo, hi)
          .filter((p) => p.at >= start - 120_000)
          .flatMap((p) => (p.revision === undefined ? [] : [p.revision])),
      ),
    ];
    const current = decoded[hi - 1]?.revision ?? doc.revision;
    const weight = weightAt(entries, at, doc);
    const state: StepState = {
      revision: current,
      phase: "ramping",
      weight,
      stepStartedAt: start,
      analysisStartedAt: start,
      revisions,
      failures: 0,
      noted: null,
    };
    const weights = new Map(doc.weights);
    weights.set(doc.analysis.canary, weight);
    weights.set("stable", 10_000 - weight);
    const window = points.slice(lo, hi);
    const judged = await readAndJudge(
      { ...doc, revision: current, weights },
      state,
      at,
      new RecordedMetricsSource(
        () => window,
        () => at,
      ),
    );
    if (!("error" in judged)) {
      frames.push({ at, results: judged.judgement.results });
    }
  }
  return frames;
}

/** Start of the evidence window at `at`: the newest start or manual change before it. */
function analysisStart(entries: readonly HistoryEntry[], at: number, from: number): number {
  let start = from;
  for (const e of entries) {
    const t = Date.parse(e.at);
    if (t <= at && (e.action === "start" || e.action === "manual")) {
      start = t;
    }
  }
  return start;
}

/** The canary weight (hundredths) in force at `at`. */
function weightAt(entries: readonly HistoryEntry[], at: number, doc: ControlledDocument): number {
  const first = entries[0];
  let percent =
    first === undefined ? (doc.weights.get(doc.analysis.canary) ?? 0) / 100 : first.from;
  for (const e of entries) {
    if (Date.parse(e.at) <= at) {
      percent = e.to;
    }
  }
  return Math.round(percent * 100);
}

function lowerBound(points: readonly RecordedPoint[], at: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid]?.at ?? 0) < at) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
