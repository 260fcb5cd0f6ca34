/**
 * The document edits behind `set`, `promote`, `pause`, `resume` and
 * `rollback`, as pure functions of the document (parsed by the router's own
 * parser, and as JSON so every other field and its order is kept). Each
 * returns the new JSON and a one-line summary, or says why there is nothing
 * to do. The `change` stamp (who, why, what) is added by `stampChange`.
 */

import { ANALYSIS_DEFAULTS } from "../core/analysis-settings";
import type { CHANGE_ACTIONS } from "../core/change";
import { STABLE } from "../core/cohort";
import type { Rollout } from "../core/rollout";
import { toHundredths } from "../core/weights";
import { weightsObject } from "../control/document";
import { percentText, reachableSteps, rollbackTarget } from "../control/policy";
import { usage } from "./errors";

/** A change to make, or why none is needed. */
export type EditResult =
  | {
      readonly kind: "edit";
      readonly json: Record<string, unknown>;
      readonly summary: string;
      readonly warnings: readonly string[];
    }
  | { readonly kind: "nothing"; readonly why: string };

/** What a manual change records (src/core/change.ts). */
export interface ChangeStamp {
  readonly action: (typeof CHANGE_ACTIONS)[number];
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

/** The JSON with `change` set (last, replacing any earlier one). */
export function stampChange(
  json: Readonly<Record<string, unknown>>,
  stamp: ChangeStamp,
): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(json).filter(([field]) => field !== "change"));
  return {
    ...rest,
    change: {
      action: stamp.action,
      by: stamp.by,
      ...(stamp.reason === "" ? {} : { reason: stamp.reason }),
      at: new Date(stamp.at).toISOString(),
    },
  };
}

/**
 * New weights: the given cohorts get their percents; unless `stable` is
 * given, it takes what the others leave. Cohorts not named keep theirs.
 */
export function setWeights(
  json: Readonly<Record<string, unknown>>,
  rollout: Rollout,
  assignments: readonly { readonly cohort: string; readonly percent: number }[],
): EditResult {
  const weights = new Map(rollout.weights);
  for (const { cohort, percent } of assignments) {
    if (!rollout.origins.has(cohort)) {
      throw usage(
        `set: unknown cohort "${cohort}" (cohorts with an origin: ${[...rollout.origins.keys()].join(", ")})`,
      );
    }
    weights.set(cohort, toHundredths(percent) ?? Math.round(percent * 100));
  }
  if (!assignments.some((a) => a.cohort === STABLE)) {
    const others = [...weights].filter(([c]) => c !== STABLE).reduce((sum, [, w]) => sum + w, 0);
    if (others > 10_000) {
      throw usage(
        `set: the cohorts other than stable would have ${percentText(others)} together; at most 100% is left`,
      );
    }
    weights.set(STABLE, 10_000 - others);
  }
  const next = { ...json, weights: weightsObject(json["weights"], weights) };
  const changed = [...weights].filter(([c, w]) => (rollout.weights.get(c) ?? 0) !== w);
  if (changed.length === 0) {
    return { kind: "nothing", why: `the weights are already ${weightsText(weights)}` };
  }
  return {
    kind: "edit",
    json: next,
    summary: `weights ${weightsText(rollout.weights)} -> ${weightsText(weights)}`,
    warnings: [],
  };
}

/** The analysed canary, or the only non-stable cohort; a usage error otherwise. */
function canaryOf(rollout: Rollout, command: string): string {
  if (rollout.analysis !== null) {
    return rollout.analysis.canary;
  }
  const candidates = [...rollout.origins.keys()].filter((c) => c !== STABLE);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) {
    return only;
  }
  throw usage(
    candidates.length === 0
      ? `${command}: the rollout has no cohort besides stable`
      : `${command}: several non-stable cohorts (${candidates.join(", ")}) and no analysis.canary to say which; use gray set`,
  );
}

/** What the other non-stable cohorts leave the canary, hundredths. */
function roomFor(rollout: Rollout, canary: string): number {
  const others = [...rollout.weights]
    .filter(([c]) => c !== STABLE && c !== canary)
    .reduce((sum, [, w]) => sum + w, 0);
  return 10_000 - others;
}

/** The canary at `target` (hundredths), stable taking up the difference. */
function withCanary(
  json: Readonly<Record<string, unknown>>,
  rollout: Rollout,
  canary: string,
  target: number,
): Record<string, unknown> {
  const weights = new Map(rollout.weights);
  weights.set(STABLE, (weights.get(STABLE) ?? 0) + (weights.get(canary) ?? 0) - target);
  weights.set(canary, target);
  return { ...json, weights: weightsObject(json["weights"], weights) };
}

/** The canary to its next step (the analysis's steps, else the defaults), or to all it can have. */
export function promote(
  json: Readonly<Record<string, unknown>>,
  rollout: Rollout,
  full: boolean,
): EditResult {
  const canary = canaryOf(rollout, "promote");
  const weight = rollout.weights.get(canary) ?? 0;
  const room = roomFor(rollout, canary);
  const steps = rollout.analysis?.steps ?? ANALYSIS_DEFAULTS.steps.map((s) => s * 100);
  const target = full ? room : reachableSteps(steps, room).find((s) => s > weight);
  if (target === undefined || target <= weight) {
    return {
      kind: "nothing",
      why: `${canary} is already at ${percentText(weight)}, its last step`,
    };
  }
  const warnings =
    rollout.analysis?.paused === true
      ? ["the rollout is paused: the controller will not act on this weight until it is resumed"]
      : [];
  return {
    kind: "edit",
    json: withCanary(json, rollout, canary, target),
    summary: `${canary} ${percentText(weight)} -> ${percentText(target)}${full ? " (full)" : ""}`,
    warnings,
  };
}

/** `analysis.paused: true`. */
export function pause(json: Readonly<Record<string, unknown>>, rollout: Rollout): EditResult {
  const analysis = analysisJson(json, rollout, "pause");
  if (analysis["paused"] === true) {
    return { kind: "nothing", why: "the rollout is already paused" };
  }
  return {
    kind: "edit",
    json: { ...json, analysis: { ...analysis, paused: true } },
    summary: "analysis.paused: the controller stops acting on this rollout",
    warnings: [],
  };
}

/** `analysis.paused` removed. */
export function resume(json: Readonly<Record<string, unknown>>, rollout: Rollout): EditResult {
  const analysis = analysisJson(json, rollout, "resume");
  if (analysis["paused"] !== true) {
    return { kind: "nothing", why: "the rollout is not paused" };
  }
  const rest = Object.fromEntries(Object.entries(analysis).filter(([field]) => field !== "paused"));
  return {
    kind: "edit",
    json: { ...json, analysis: rest },
    summary: "analysis.paused removed: the controller restarts the analysis at the current weight",
    warnings: [],
  };
}

function analysisJson(
  json: Readonly<Record<string, unknown>>,
  rollout: Rollout,
  command: string,
): Record<string, unknown> {
  const analysis = json["analysis"];
  if (
    rollout.analysis === null ||
    typeof analysis !== "object" ||
    analysis === null ||
    Array.isArray(analysis)
  ) {
    throw usage(`${command}: the rollout has no analysis block, so no controller to ${command}`);
  }
  return { ...analysis };
}

/**
 * Every non-stable cohort to 0 (stable takes all); with `rampDown`, the
 * analysed canary to its first ramp-down step below its weight instead, and
 * the controller takes it down from there.
 */
export function rollback(
  json: Readonly<Record<string, unknown>>,
  rollout: Rollout,
  rampDown: boolean,
): EditResult {
  const weights = new Map(rollout.weights);
  let summary = "";
  if (rampDown) {
    const settings = rollout.analysis;
    if (settings?.rampDown === null || settings === null) {
      throw usage(
        'rollback: --ramp-down needs analysis.rampDown in the document (e.g. "rampDown": {"steps": [25, 5]})',
      );
    }
    const weight = weights.get(settings.canary) ?? 0;
    const first = rollbackTarget(settings.rampDown, weight);
    for (const cohort of weights.keys()) {
      if (cohort !== STABLE) {
        weights.set(cohort, cohort === settings.canary ? first : 0);
      }
    }
    summary = `${settings.canary} ${percentText(weight)} -> ${percentText(first)}, then down through rampDown`;
  } else {
    for (const cohort of weights.keys()) {
      if (cohort !== STABLE) {
        weights.set(cohort, 0);
      }
    }
    summary = "every visitor back to stable on their next request";
  }
  const others = [...weights].filter(([c]) => c !== STABLE).reduce((sum, [, w]) => sum + w, 0);
  weights.set(STABLE, 10_000 - others);
  if ([...weights].every(([c, w]) => (rollout.weights.get(c) ?? 0) === w)) {
    return { kind: "nothing", why: `the weights are already ${weightsText(weights)}` };
  }
  const pinned = rollout.rules
    .filter(
      (rule) =>
        (rule.action.kind === "cohort" && rule.action.cohort !== STABLE) ||
        (rule.action.kind === "weights" &&
          [...rule.action.weights].some(([c, w]) => c !== STABLE && w > 0)),
    )
    .map((rule) => rule.name);
  const warnings =
    pinned.length === 0
      ? []
      : [
          `rules still send matching requests to a non-stable cohort: ${pinned.join(", ")} (edit them with gray set --file)`,
        ];
  return {
    kind: "edit",
    json: { ...json, weights: weightsObject(json["weights"], weights) },
    summary,
    warnings,
  };
}

/** `stable 90 %, canary 10 %`. */
export function weightsText(weights: ReadonlyMap<string, number>): string {
  return [...weights].map(([cohort, w]) => `${cohort} ${percentText(w)}`).join(", ");
}
