/**
 * The controller's decision rules, as pure functions of the settings, where
 * the ramp stands, the clock and the judgement. docs/canary-analysis.md
 * ("Decisions") states the same rules in prose.
 */

import { ANALYSIS_DEFAULTS } from "../core/analysis-schema";
import type { AnalysisSettings, RampDown } from "../core/analysis-schema";
import { formatHundredths } from "../core/weights";
import type { Phase, StepState } from "./history";
import type { AnalysisJudgement } from "./judging";

/** What a run decided. */
export type Action = "promote" | "hold" | "rollback" | "ramp_down" | "complete" | "error";

/** A decision and the state it leads to. */
export interface RampDecision {
  readonly action: Action;
  /** Machine-readable reason, e.g. `interval`, `not_enough_data`, `checks_failed`. */
  readonly code: string;
  readonly reason: string;
  /** Canary weight after the decision, hundredths. */
  readonly target: number;
  readonly phase: Phase;
  readonly failures: number;
  /** `onComplete: "promote"`: the canary's origin becomes stable's. */
  readonly swap: boolean;
}

/** Everything a ramping decision depends on. */
export interface PolicyInput {
  readonly settings: AnalysisSettings;
  readonly state: StepState;
  readonly now: number;
  /** Most the canary can have (what other non-stable cohorts leave), hundredths. */
  readonly maxWeight: number;
  /** The judgement, or why the figures could not be read. */
  readonly judgement: AnalysisJudgement | { readonly error: string };
}

/**
 * Cron triggers fire on the minute but not to the millisecond; without this
 * slack a step started at 12:00:00.4 would wait until the run at 12:11, not
 * 12:10, for a 10-minute interval.
 */
export const INTERVAL_SLACK_MS = 5_000;

/** Percent text for reasons: 250 -> "2.5%". */
export function percentText(hundredths: number): string {
  return `${formatHundredths(hundredths)}%`;
}

/** The steps the canary can reach: the configured ones, capped at what other cohorts leave. */
export function reachableSteps(steps: readonly number[], maxWeight: number): number[] {
  const below = steps.filter((s) => s < maxWeight);
  return steps.some((s) => s >= maxWeight) ? [...below, maxWeight] : below;
}

/** First weight of a rollback from `weight`: the next ramp-down step below it, else 0. */
export function rollbackTarget(rampDown: RampDown | null, weight: number): number {
  return rampDown?.steps.find((s) => s < weight) ?? 0;
}

/**
 * One decision while ramping. In order: a failing check (or no data with
 * `onNoData: "rollback"`) counts towards a rollback, which happens after
 * `failuresToRollback` such runs in a row; otherwise the canary stays at its
 * step for `interval`, and is never promoted without data or while the
 * sample ratio is off. Intermediate promotions then need `minRequests` in
 * both cohorts and no failing check (`promoteWhen: "no-failure"`), or a full
 * pass (`"pass"`); the last step needs every check to pass, or, after
 * `passTimeout` at that step, no failing check and `minRequests` per cohort.
 * Any promotion above `evidence.above` also needs the evidence gate.
 */
export function decideRamp(input: PolicyInput): RampDecision {
  const { settings, state, now } = input;
  const weight = state.weight;
  const hold = (code: string, reason: string, failures = 0): RampDecision => ({
    action: "hold",
    code,
    reason,
    target: weight,
    phase: "ramping",
    failures,
    swap: false,
  });
  if (weight <= 0) {
    // Only a human starts a ramp: whatever led here, a canary at 0 % stays there.
    return {
      ...hold("at_zero", "the canary is at 0%; only a new first weight starts a ramp"),
      phase: "idle",
    };
  }
  const judgement = input.judgement;
  if ("error" in judgement) {
    return {
      ...hold(
        "metrics_unavailable",
        `metrics could not be read (${judgement.error}); holding`,
        state.failures,
      ),
      action: "error",
    };
  }

  const noDataFails = judgement.noData && settings.onNoData === "rollback";
  if (judgement.failing.length > 0 || noDataFails) {
    const failures = state.failures + 1;
    const why =
      judgement.failing.length > 0
        ? judgement.verdict.reason
        : "no data from the canary (onNoData: rollback)";
    if (failures >= settings.failuresToRollback) {
      const target = rollbackTarget(settings.rampDown, weight);
      return {
        action: "rollback",
        code: judgement.failing.length > 0 ? "checks_failed" : "no_data",
        reason: `rolled back from ${percentText(weight)} to ${percentText(target)} after ${failures} failing run(s) in a row: ${why}`,
        target,
        phase: target > 0 ? "rolling_back" : "idle",
        failures,
        swap: false,
      };
    }
    return hold(
      "failing",
      `${why} (${failures} of ${settings.failuresToRollback} failing runs before a rollback)`,
      failures,
    );
  }

  const steps = reachableSteps(settings.steps, input.maxWeight);
  const last = steps[steps.length - 1] ?? input.maxWeight;
  const next = steps.find((s) => s > weight);
  const elapsed = now - state.stepStartedAt + INTERVAL_SLACK_MS;
  const intervalMs = settings.intervalSeconds * 1000;
  const swap = settings.onComplete === "promote";

  if (next === undefined && weight >= 10_000) {
    return complete(weight, swap, "the canary has all traffic; nothing is left to compare");
  }
  if (elapsed < intervalMs) {
    const minutes = Math.floor((now - state.stepStartedAt) / 60_000);
    return hold(
      "interval",
      `at ${percentText(weight)} for ${minutes} of ${settings.intervalSeconds / 60} minutes`,
    );
  }
  if (judgement.noData) {
    return hold("no_data", "no data from the canary; never promoted without data");
  }
  if (judgement.sampleRatioFailed) {
    const srm = judgement.results.find((r) => r.check === "sample_ratio");
    return hold(
      "sample_ratio_mismatch",
      `promotion blocked: ${srm?.reason ?? "sample ratio mismatch"}`,
    );
  }
  const needsPass = next === undefined || next === last || settings.promoteWhen === "pass";
  const timedOut =
    needsPass && judgement.verdict.status !== "pass" && passTimedOut(settings, state, now);
  if (needsPass && judgement.verdict.status !== "pass" && !(timedOut && judgement.enoughData)) {
    const goal = next === undefined ? "completing the ramp" : `promotion to ${percentText(next)}`;
    const timeout =
      settings.passTimeoutSeconds === null
        ? ""
        : timedOut
          ? ` (past passTimeout, but it needs ${settings.minRequests} requests in each cohort)`
          : ` (or, after passTimeout ${settings.passTimeoutSeconds / 60} minutes at this step, no failing check)`;
    return hold(
      "waiting_for_pass",
      `${goal} needs every check to pass${timeout}: ${judgement.verdict.reason}`,
    );
  }
  if (!needsPass && !judgement.enoughData) {
    return hold(
      "not_enough_data",
      `promotion needs ${settings.minRequests} requests in each cohort; ${judgement.verdict.reason}`,
    );
  }
  const gated = evidenceShort(settings, judgement, next ?? weight);
  if (gated !== null) {
    return hold("gathering_evidence", gated);
  }
  const why = timedOut
    ? `no failing check after passTimeout (${(settings.passTimeoutSeconds ?? 0) / 60} minutes at ${percentText(weight)}; not yet decided: ${judgement.verdict.pending.join(", ")})`
    : needsPass
      ? judgement.verdict.reason
      : noFailure(settings, judgement);
  if (next === undefined) {
    return complete(
      weight,
      swap,
      `${timedOut ? why : "all checks passed"} at the last step, ${percentText(weight)}`,
    );
  }
  if (next === last && last >= 10_000) {
    return complete(
      next,
      swap,
      `${timedOut ? why : `all checks passed at ${percentText(weight)}`}; the canary takes all traffic`,
    );
  }
  return {
    action: "promote",
    code: timedOut ? "pass_timeout" : needsPass ? "checks_passed" : "no_failure",
    reason: `promoted from ${percentText(weight)} to ${percentText(next)}: ${why}`,
    target: next,
    phase: "ramping",
    failures: 0,
    swap: false,
  };
}

/** Whether a step waiting for a pass has waited `passTimeout` (from the step's start). */
function passTimedOut(settings: AnalysisSettings, state: StepState, now: number): boolean {
  const timeout = settings.passTimeoutSeconds;
  return timeout !== null && now - state.stepStartedAt + INTERVAL_SLACK_MS >= timeout * 1000;
}

/**
 * Why a promotion to `target` must wait for more evidence, or null when it
 * need not: above `evidence.above` the relative error check must resolve
 * its margin to `evidence.standardErrors` standard errors (or have passed).
 */
export function evidenceShort(
  settings: AnalysisSettings,
  judgement: AnalysisJudgement,
  target: number,
): string | null {
  const gate = settings.evidence;
  if (gate === null || target <= gate.aboveHundredths) {
    return null;
  }
  const resolution = judgement.resolution;
  if (resolution !== null && resolution >= gate.standardErrors) {
    return null;
  }
  const have =
    resolution === null
      ? "it has no estimate yet"
      : `it is ${resolution.toFixed(2)} standard errors so far`;
  return `promotion to ${percentText(target)} waits until the error margin is ${gate.standardErrors} standard errors of the canary − stable difference (evidence.above ${percentText(gate.aboveHundredths)}); ${have}`;
}

/** Why an intermediate promotion went ahead without a full pass. */
function noFailure(settings: AnalysisSettings, judgement: AnalysisJudgement): string {
  const pending =
    judgement.verdict.pending.length > 0
      ? ` (not yet decided: ${judgement.verdict.pending.join(", ")})`
      : "";
  return `no failing check, at least ${settings.minRequests} requests per cohort${pending}`;
}

function complete(target: number, swap: boolean, why: string): RampDecision {
  return {
    action: "complete",
    code: swap ? "promoted_to_stable" : "stopped",
    reason: swap ? `${why}; the canary's origin is now stable's` : `${why}; ramp complete`,
    target,
    phase: "idle",
    failures: 0,
    swap,
  };
}

/** One decision while rolling back through `rampDown`: the next lower weight after its interval. */
export function decideRampDown(
  settings: AnalysisSettings,
  state: StepState,
  now: number,
): RampDecision {
  const intervalSeconds = settings.rampDown?.intervalSeconds ?? ANALYSIS_DEFAULTS.rampDownInterval;
  if (now - state.stepStartedAt + INTERVAL_SLACK_MS < intervalSeconds * 1000) {
    return {
      action: "hold",
      code: "ramp_down_interval",
      reason: `rolling back: at ${percentText(state.weight)} until the ramp-down interval has passed`,
      target: state.weight,
      phase: "rolling_back",
      failures: state.failures,
      swap: false,
    };
  }
  const target = rollbackTarget(settings.rampDown, state.weight);
  return {
    action: "ramp_down",
    code: target > 0 ? "ramp_down" : "rolled_back",
    reason: `rolling back: ${percentText(state.weight)} -> ${percentText(target)}`,
    target,
    phase: target > 0 ? "rolling_back" : "idle",
    failures: state.failures,
    swap: false,
  };
}
