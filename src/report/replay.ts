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

/**
 * Points the replay may read in all: each replayed minute re-reads its whole
 * evidence window (as the controller does), so a long, busy rollout replays
 * fewer minutes, evenly spread, plus every minute with a decision. About
 * 4 µs a point here: this keeps a report's build around a second.
 */
export const REPLAY_BUDGET = 300_000;

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
  const changes = revisionChanges(points);
  const first = Math.ceil(from / 60_000) * 60_000;
  const lookbackMs = doc.analysis.windowSeconds * 1000;
  const windowOf = (at: number): { start: number; lo: number; hi: number } => {
    const start = analysisStart(entries, at, from);
    return {
      start,
      lo: lowerBound(points, Math.max(start, at - lookbackMs) - 120_000),
      hi: lowerBound(points, at + 1),
    };
  };
  const minutes: number[] = [];
  for (let at = first; at <= to; at += 60_000) {
    minutes.push(at);
  }
  const cost = minutes.reduce((total, at) => {
    const w = windowOf(at);
    return total + Math.max(0, w.hi - w.lo);
  }, 0);
  const stride = Math.max(1, Math.ceil(cost / REPLAY_BUDGET));
  const decisions = new Set(entries.map((e) => Math.ceil(Date.parse(e.at) / 60_000) * 60_000));
  const frames: CheckFrame[] = [];
  for (const [i, at] of minutes.entries()) {
    if (i % stride !== 0 && !decisions.has(at) && i !== minutes.length - 1) {
      continue;
    }
    const { start, lo, hi } = windowOf(at);
    if (hi <= lo) {
      continue;
    }
    const revisions = revisionsIn(changes, lowerBound(points, start - 120_000), lo, hi);
    const current = revisionAt(changes, hi - 1) ?? doc.revision;
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

/** Where the points' revision changes: [index of the first point with it, revision]. */
function revisionChanges(points: readonly RecordedPoint[]): [number, string][] {
  const changes: [number, string][] = [];
  points.forEach((p, index) => {
    const revision = decodeDataPoint(p.point)?.revision;
    if (revision !== undefined && revision !== changes[changes.length - 1]?.[1]) {
      changes.push([index, revision]);
    }
  });
  return changes;
}

/** The revision of the point at `index`. */
function revisionAt(changes: readonly [number, string][], index: number): string | undefined {
  let found: string | undefined;
  for (const [at, revision] of changes) {
    if (at > index) {
      break;
    }
    found = revision;
  }
  return found;
}

/** The revisions of the points in [max(lo, from), hi). */
function revisionsIn(
  changes: readonly [number, string][],
  from: number,
  lo: number,
  hi: number,
): string[] {
  const start = Math.max(lo, from);
  const found = new Set<string>();
  const firstRevision = revisionAt(changes, start);
  if (firstRevision !== undefined && start < hi) {
    found.add(firstRevision);
  }
  for (const [at, revision] of changes) {
    if (at > start && at < hi) {
      found.add(revision);
    }
  }
  return [...found];
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
