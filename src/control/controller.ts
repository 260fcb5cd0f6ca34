/**
 * The canary controller, run by a Cron Trigger every minute: for each
 * rollout document with an `analysis` block, read the figures, judge, and
 * promote, hold or roll back; record the decision beside the rollout and post
 * it to the webhook. docs/canary-analysis.md describes the behaviour.
 */

import {
  canaryWeight,
  maxCanaryWeight,
  readDocument,
  withCanaryPromoted,
  withCanaryWeight,
} from "./document";
import type { ControlledDocument } from "./document";
import { revisionOf } from "../core/rollout";
import { historyKey, parseHistory } from "./history";
import type { HistoryRecord, StepState } from "./history";
import { readAndJudge } from "./judging";
import type { Judged } from "./judging";
import { READ, rolloutKeys } from "./kv";
import type { RolloutKv } from "./kv";
import type { MetricsSource } from "./metrics-source";
import { decideRamp, decideRampDown, percentText } from "./policy";
import type { RampDecision } from "./policy";
import { keepLastValid } from "./last-valid";
import { draft, saveDecision, withFigures } from "./record";
import type { Draft, RolloutReport } from "./record";
import type { FetchLike } from "./fetch";
import { freshChange, manualDraft, recordUnmanagedChange } from "./manual";

export type { RolloutKv } from "./kv";
export type { RolloutReport } from "./record";

/** The bindings the controller needs. */
export interface ControllerEnv {
  readonly ROLLOUTS: RolloutKv;
}

/** What the controller needs from the outside world; tests and the simulation inject their own. */
export interface ControllerDeps {
  readonly now: () => number;
  /** For the webhook. */
  readonly fetch: FetchLike;
  readonly metrics: MetricsSource;
  readonly log: (message: string) => void;
}

/**
 * One controller run over every rollout key (history keys and last valid
 * copies skipped): analyse each rollout, then keep its last valid copy. Each
 * rollout is handled on its own: an error in one is logged and the others go
 * on. Resolves to what was decided per analysed rollout.
 */
export async function runController(
  env: ControllerEnv,
  deps: ControllerDeps,
): Promise<RolloutReport[]> {
  const reports: RolloutReport[] = [];
  for await (const key of rolloutKeys(env.ROLLOUTS)) {
    try {
      const report = await controlRollout(env.ROLLOUTS, key, deps);
      if (report !== null) {
        reports.push(report);
      }
    } catch (error) {
      deps.log(
        `gray-router controller: ${key}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    await keepLastValid(env.ROLLOUTS, key, deps.log);
  }
  return reports;
}

/**
 * How long after its own write the controller takes an older revision of its
 * own for a stale KV read (KV propagates within about a minute). Later, the
 * same text is someone putting an old version back: an outside edit.
 */
const STALE_READ_GRACE_MS = 3 * 60_000;

/** A state for an analysis that starts now, from the document as it is. */
function freshState(
  revision: string,
  weight: number,
  now: number,
  noted: string | null = null,
): StepState {
  return {
    revision,
    phase: weight > 0 ? "ramping" : "idle",
    weight,
    stepStartedAt: now,
    analysisStartedAt: now,
    revisions: [revision],
    failures: 0,
    noted,
  };
}

/**
 * One rollout: the preliminaries (invalid, paused, a stale KV read, an
 * outside edit that restarts the analysis, nothing to do), then one decision.
 */
async function controlRollout(
  kv: RolloutKv,
  key: string,
  deps: ControllerDeps,
): Promise<RolloutReport | null> {
  const text = await kv.get(key, READ);
  if (text === null) {
    return null;
  }
  const read = readDocument(key, text);
  if (read.kind === "unmanaged") {
    return recordUnmanagedChange(kv, key, text, deps.now(), deps);
  }
  const loaded = parseHistory(await kv.get(historyKey(key), READ));
  if (loaded.problem !== null) {
    deps.log(`gray-router controller: ${key}: ${loaded.problem}`);
  }
  const record = loaded.record;
  const state = record.state;
  const now = deps.now();
  const save = (next: StepState, entry: Draft, doc: ControlledDocument | null) =>
    saveDecision(kv, key, record, next, entry, now, doc, deps);

  if (read.kind === "invalid") {
    const marker = `invalid:${read.revision}`;
    if (state?.noted === marker) {
      return { key, entry: null };
    }
    const reason = `the document is invalid, nothing done: ${read.errors.join("; ")}`;
    const entry = draft("invalid", "invalid_document", reason, read.revision, 0);
    return save(freshState(read.revision, 0, now, marker), entry, null);
  }

  const doc = read.doc;
  const { dryRun } = doc.analysis;
  const actual = canaryWeight(doc);
  // A manual change (gray CLI) that this revision records: credited in the history.
  const change = state?.revision === doc.revision ? null : freshChange(doc.change, now);
  if (doc.analysis.paused) {
    const marker = `paused:${doc.revision}`;
    if (state?.noted === marker) {
      return { key, entry: null };
    }
    const reason = `paused at ${percentText(actual)}; nothing happens until "paused" is removed`;
    const entry =
      change === null
        ? draft("paused", "paused", reason, doc.revision, actual, dryRun)
        : manualDraft(change, doc.revision, state?.weight ?? actual, actual, dryRun, reason);
    return save(freshState(doc.revision, actual, now, marker), entry, doc);
  }
  const stale =
    state !== null &&
    state.revision !== doc.revision &&
    state.revisions.includes(doc.revision) &&
    now - state.stepStartedAt < STALE_READ_GRACE_MS;
  if (stale) {
    // An older revision of the controller's own, soon after it wrote a newer
    // one: KV served a stale copy. Wait for the newer one.
    deps.log(
      `gray-router controller: ${key}: KV returned an older revision (${doc.revision}); skipping this run`,
    );
    return { key, entry: null };
  }
  if (change !== null) {
    // Like any outside edit, a manual change restarts the analysis from the
    // document's weight; a rollback that leaves the canary above 0 goes on
    // down through rampDown (gray rollback --ramp-down).
    const rollingBack = change.action === "rollback" && actual > 0;
    const effect = rollingBack
      ? `canary at ${percentText(actual)}, rolling back through rampDown`
      : actual === 0
        ? "canary at 0%; a new first weight starts a ramp"
        : `canary at ${percentText(actual)}; analysis restarted`;
    const fresh = freshState(doc.revision, actual, now);
    const entry = manualDraft(
      change,
      doc.revision,
      state?.weight ?? actual,
      actual,
      dryRun,
      effect,
    );
    return save(rollingBack ? { ...fresh, phase: "rolling_back" } : fresh, entry, doc);
  }
  if (state === null || state.revision !== doc.revision) {
    const why =
      state === null
        ? "analysis started"
        : `the document changed outside the controller (revision ${state.revision} -> ${doc.revision}); analysis restarted`;
    const idle =
      actual === 0 ? "; the canary is at 0%: give it a first weight to start a ramp" : "";
    const entry = draft(
      "start",
      state === null ? "started" : "restarted",
      `${why} at ${percentText(actual)}${idle}`,
      doc.revision,
      actual,
      dryRun,
    );
    return save(freshState(doc.revision, actual, now), entry, doc);
  }
  if (state.phase === "idle") {
    return { key, entry: null };
  }
  // Without a dry run the document's weight is the truth; in one, the virtual weight is.
  return decideAndApply(
    kv,
    key,
    record,
    dryRun ? state : { ...state, weight: actual },
    doc,
    now,
    deps,
  );
}

/** Decides, writes the document if the decision changes it (unless a dry run), and records. */
async function decideAndApply(
  kv: RolloutKv,
  key: string,
  record: HistoryRecord,
  current: StepState,
  doc: ControlledDocument,
  now: number,
  deps: ControllerDeps,
): Promise<RolloutReport> {
  const settings = doc.analysis;
  let judged: Judged | null = null;
  let decision: RampDecision;
  if (current.phase === "rolling_back") {
    decision = decideRampDown(settings, current, now);
  } else {
    judged = await readAndJudge(doc, current, now, deps.metrics);
    const judgement = "error" in judged ? judged : judged.judgement;
    decision = decideRamp({
      settings,
      state: current,
      now,
      maxWeight: maxCanaryWeight(doc),
      judgement,
    });
  }
  const entry: Draft = {
    ...withFigures(
      draft(
        decision.action,
        decision.code,
        decision.reason,
        doc.revision,
        current.weight,
        settings.dryRun,
      ),
      judged,
    ),
    to: decision.target / 100,
    failures: decision.failures,
  };
  const settled: StepState = { ...current, phase: decision.phase, failures: decision.failures };
  const next = decision.swap
    ? withCanaryPromoted(doc)
    : decision.target !== current.weight
      ? withCanaryWeight(doc, decision.target)
      : null;
  if (next === null) {
    return saveDecision(kv, key, record, settled, entry, now, doc, deps);
  }
  const moved: StepState = {
    ...settled,
    weight: decision.swap ? 0 : decision.target,
    stepStartedAt: now,
  };
  if (settings.dryRun) {
    return saveDecision(kv, key, record, moved, entry, now, doc, deps);
  }
  // KV has no compare-and-swap: re-reading just before the write narrows the
  // window in which a human edit could be overwritten, but cannot close it.
  if ((await kv.get(key, READ)) !== doc.text) {
    const reason = `${decision.action} to ${percentText(decision.target)} not written: the document changed since it was read (the edit wins; the next run restarts the analysis)`;
    const conflict: Draft = {
      ...entry,
      action: "conflict",
      code: "document_changed",
      reason,
      to: entry.from,
    };
    return saveDecision(kv, key, record, current, conflict, now, doc, deps);
  }
  await kv.put(key, next);
  const revision = revisionOf(next);
  const revisions = current.revisions.includes(revision)
    ? current.revisions
    : [...current.revisions, revision];
  return saveDecision(
    kv,
    key,
    record,
    { ...moved, revision, revisions },
    { ...entry, written: true },
    now,
    doc,
    deps,
  );
}
