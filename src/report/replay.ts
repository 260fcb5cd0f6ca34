/**
 * The judge replayed on the data up to each minute: the controller's own
 * reading and judging (judging.ts `readAndJudge` over the twin of the
 * analysis query), with the weights, revisions and analysis start the
 * history says were in force then. So a check panel shows what the judge
 * saw at every minute, not only at the recorded decisions. The reading moves
 * forward through the points with the minutes (replay-window.ts).
 */

import type { ControlledDocument } from "../control/document";
import type { HistoryEntry, StepState } from "../control/history";
import { readAndJudge } from "../control/judging";
import { decodeDataPoint } from "../control/recorded-source";
import type { RecordedPoint } from "../control/recorded-source";
import type { CheckFrame } from "./model";
import { lowerBound, ReplayWindow } from "./replay-window";
import type { ReplayPoint } from "./replay-window";

export type { ReplayPoint } from "./replay-window";

/** Where replayed check panels come from, for the reader. */
export const REPLAYED_SOURCE =
  "The judge replayed on the data up to each minute, with the weights and revisions in force then (the controller's own reading and judging); the band is its anytime-valid bounds, the dashed red line the limit or margin.";

/**
 * Points the replayed minutes' windows may cover in all (a point counts once
 * per minute whose window holds it): a long, busy rollout replays fewer
 * minutes, evenly spread, plus every minute with a decision, so its check
 * panels stay a readable number of points.
 */
export const REPLAY_BUDGET = 300_000;

/** What the replay needs. */
export interface ReplayInput {
  readonly doc: ControlledDocument;
  readonly entries: readonly HistoryEntry[];
  /** The rollout's points, oldest first. */
  readonly points: readonly ReplayPoint[];
  readonly from: number;
  readonly to: number;
}

/** One replayed minute: what the judge reads, with which document and state. */
export interface ReplayStep {
  /** End of the minute, ms. */
  readonly at: number;
  readonly doc: ControlledDocument;
  readonly state: StepState;
  /** The minute's evidence: the points with index in [lo, hi) of the rollout's. */
  readonly lo: number;
  readonly hi: number;
}

/** The rollout's points decoded, oldest first; those of another key or lacking a field left out. */
export function replayPoints(points: readonly RecordedPoint[], key: string): ReplayPoint[] {
  const out: ReplayPoint[] = [];
  for (const recorded of points) {
    const point = decodeDataPoint(recorded.point);
    if (point !== null && point.rolloutKey === key) {
      out.push({ ...point, at: recorded.at, weight: recorded.sampleInterval ?? 1 });
    }
  }
  return out;
}

/** One frame of judged checks per replayed minute (end of the minute). */
export async function replayChecks(input: ReplayInput): Promise<CheckFrame[]> {
  const points = input.points.filter((p) => p.rolloutKey === input.doc.key);
  const window = new ReplayWindow(points, input.doc.key);
  const frames: CheckFrame[] = [];
  for (const step of replayPlan({ ...input, points })) {
    const judged = await readAndJudge(
      step.doc,
      step.state,
      step.at,
      window.source(step.lo, step.hi, step.at),
    );
    if (!("error" in judged)) {
      frames.push({ at: step.at, results: judged.judgement.results });
    }
  }
  return frames;
}

/**
 * The minutes to replay, oldest first, each with the document and state in
 * force then: every minute while the windows' points stay within
 * REPLAY_BUDGET, else every n-th, plus every minute with a decision and the
 * last one. `input.points` must all be the document's key.
 */
export function replayPlan(input: ReplayInput): ReplayStep[] {
  const { doc, entries, points, from, to } = input;
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
  const steps: ReplayStep[] = [];
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
    const weights = new Map(doc.weights);
    weights.set(doc.analysis.canary, weight);
    weights.set("stable", 10_000 - weight);
    steps.push({
      at,
      doc: { ...doc, revision: current, weights },
      state: {
        revision: current,
        phase: "ramping",
        weight,
        stepStartedAt: start,
        analysisStartedAt: start,
        revisions,
        failures: 0,
        noted: null,
      },
      lo,
      hi,
    });
  }
  return steps;
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
function revisionChanges(points: readonly ReplayPoint[]): [number, string][] {
  const changes: [number, string][] = [];
  points.forEach((p, index) => {
    const revision = p.revision;
    if (revision !== changes[changes.length - 1]?.[1]) {
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
