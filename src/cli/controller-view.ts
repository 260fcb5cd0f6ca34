/**
 * What the controller will do with a rollout next, and when: the real
 * policy (src/control/policy.ts) applied to the live judgement at the time
 * of the next run, so gray's prediction cannot drift from the controller.
 * It assumes the figures stay as they are until then.
 */

import { canaryWeight, maxCanaryWeight } from "../control/document";
import type { ControlledDocument } from "../control/document";
import type { HistoryEntry, StepState } from "../control/history";
import type { Judged } from "../control/judging";
import { freshChange } from "../control/manual";
import { decideRamp, decideRampDown, percentText } from "../control/policy";

/** Where the controller stands with a rollout. */
export type ControllerState =
  | "not_managed"
  | "invalid"
  | "paused"
  | "waiting_for_controller"
  | "ramping"
  | "rolling_back"
  | "complete"
  | "rolled_back"
  | "idle";

/** The controller's next decision, as far as it can be known now. */
export interface NextAction {
  /** When (ISO 8601); null when the schedule is not one gray reads. */
  readonly at: string | null;
  readonly action: string;
  readonly code: string;
  readonly reason: string;
  /** Canary weight after it, percent. */
  readonly target: number | null;
}

/** The controller part of a status. */
export interface ControllerView {
  readonly state: ControllerState;
  /** One sentence for people. */
  readonly summary: string;
  readonly weight: number | null;
  /** When the current step began (ISO 8601). */
  readonly stepSince: string | null;
  readonly failures: number | null;
  readonly failuresToRollback: number | null;
  readonly next: NextAction | null;
}

/** Inputs of controllerView. */
export interface ControllerInput {
  readonly doc: ControlledDocument;
  /** The history's state and newest entry. */
  readonly state: StepState | null;
  readonly last: HistoryEntry | null;
  /** The live judgement over the controller's evidence window (null when not caught up). */
  readonly judged: Judged | null;
  readonly now: number;
  /** Start of the next run, ms; null when unknown. */
  readonly nextRunAt: number | null;
}

/** The controller's view of a managed (analysed, valid) rollout. */
export function controllerView(input: ControllerInput): ControllerView {
  const { doc, state, last, judged, now, nextRunAt } = input;
  const settings = doc.analysis;
  const actual = canaryWeight(doc);
  const at = nextRunAt === null ? null : new Date(nextRunAt).toISOString();
  const base = {
    weight: actual / 100,
    stepSince: null,
    failures: null,
    failuresToRollback: settings.failuresToRollback,
  };
  const next = (
    action: string,
    code: string,
    reason: string,
    target: number | null,
  ): NextAction => ({
    at,
    action,
    code,
    reason,
    target,
  });
  if (settings.paused) {
    return {
      ...base,
      state: "paused",
      summary: `paused at ${percentText(actual)}: nothing happens until it is resumed (gray resume)`,
      next: null,
    };
  }
  if (state === null || state.revision !== doc.revision) {
    const change = freshChange(doc.change, now);
    const rollingBack = change?.action === "rollback" && actual > 0;
    const what = change === null ? "an outside edit" : `${change.action} by ${change.by}`;
    return {
      ...base,
      state: "waiting_for_controller",
      summary: `revision ${doc.revision} is not seen by the controller yet`,
      next: next(
        change === null ? "start" : "manual",
        change === null ? (state === null ? "started" : "restarted") : change.action,
        rollingBack
          ? `records ${what} and rolls back from ${percentText(actual)} through rampDown`
          : `records ${what} and starts the analysis at ${percentText(actual)}`,
        actual / 100,
      ),
    };
  }
  const tracked = {
    ...base,
    weight: (settings.dryRun ? state.weight : actual) / 100,
    stepSince: new Date(state.stepStartedAt).toISOString(),
    failures: state.failures,
  };
  const current = settings.dryRun ? state : { ...state, weight: actual };
  if (state.phase === "idle") {
    const finished = last?.action === "complete";
    const rolledBack = current.weight === 0 && last !== null && isRollback(last);
    return {
      ...tracked,
      state: finished ? "complete" : rolledBack ? "rolled_back" : "idle",
      summary: finished
        ? `ramp complete at ${percentText(current.weight)}`
        : current.weight === 0
          ? `canary at 0%${rolledBack ? " after a rollback" : ""}: a new first weight starts a ramp (gray set ${settings.canary}=${percentText(settings.steps[0] ?? 100).replace("%", "")})`
          : `idle at ${percentText(current.weight)}`,
      next: null,
    };
  }
  if (nextRunAt === null) {
    return {
      ...tracked,
      state: state.phase,
      summary: phaseSummary(state.phase, current.weight),
      next: null,
    };
  }
  if (state.phase === "rolling_back") {
    const d = decideRampDown(settings, current, nextRunAt);
    return {
      ...tracked,
      state: "rolling_back",
      summary: phaseSummary("rolling_back", current.weight),
      next: next(d.action, d.code, d.reason, d.target / 100),
    };
  }
  if (judged === null) {
    return {
      ...tracked,
      state: "ramping",
      summary: phaseSummary("ramping", current.weight),
      next: null,
    };
  }
  const d = decideRamp({
    settings,
    state: current,
    now: nextRunAt,
    maxWeight: maxCanaryWeight(doc),
    judgement: "error" in judged ? judged : judged.judgement,
  });
  return {
    ...tracked,
    state: "ramping",
    summary: phaseSummary("ramping", current.weight),
    next: next(d.action, d.code, d.reason, d.target / 100),
  };
}

function phaseSummary(phase: "ramping" | "rolling_back", weight: number): string {
  return phase === "ramping"
    ? `ramping, canary at ${percentText(weight)}`
    : `rolling back through rampDown, canary at ${percentText(weight)}`;
}

/** Whether a history entry took the canary down: a rollback, the last ramp-down step, a manual rollback. */
export function isRollback(entry: HistoryEntry): boolean {
  return (
    entry.action === "rollback" ||
    (entry.action === "ramp_down" && entry.to === 0) ||
    (entry.action === "manual" && entry.code === "rollback")
  );
}
