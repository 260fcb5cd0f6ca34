/**
 * The `analysis` block's settings as the controller uses them, and their
 * defaults. analysis-schema.ts reads them from a rollout document.
 */

import { DEFAULT_JUDGE_SETTINGS } from "./judge";
import type { JudgeSettings } from "./judge";

/** Gradual return to `stable` after a rollback, so a cold `stable` is not flooded at once. */
export interface RampDown {
  /** Canary weights in hundredths, descending, ending with 0. */
  readonly steps: readonly number[];
  /** Seconds at each ramp-down weight. */
  readonly intervalSeconds: number;
}

/**
 * The evidence gate: promotion to a weight above `aboveHundredths` waits
 * until the relative error check's margin is at least `standardErrors` of
 * its standard errors (or that check passed), so the small steps have
 * gathered enough evidence to see a canary beyond the margin before a
 * larger share of visitors gets it.
 */
export interface EvidenceGate {
  /** Canary weight, hundredths: promotions to a weight above it are gated. */
  readonly aboveHundredths: number;
  /** Margin / standard error of the relative error check needed to pass the gate. */
  readonly standardErrors: number;
}

/** The `analysis` block of a rollout document, validated and with every default filled in. */
export interface AnalysisSettings {
  /** The cohort under analysis; `stable` is its baseline. */
  readonly canary: string;
  /** Canary weights to ramp through, in hundredths of a percent, ascending. */
  readonly steps: readonly number[];
  /** Minimum seconds at each step before promoting to the next. */
  readonly intervalSeconds: number;
  /** Longest look-back of the metrics query, in seconds. */
  readonly windowSeconds: number;
  readonly minRequests: number;
  readonly maxErrorRate: number | null;
  readonly errorMargin: number;
  readonly relativeErrorMargin: number;
  /** Passed to the judge as they are (judging.ts). */
  readonly maxLatencyRatio: JudgeSettings["maxLatencyRatio"];
  /** Requests each cohort needs before a quantile is compared. */
  readonly minLatencyRequests: JudgeSettings["minLatencyRequests"];
  readonly minLatencyDeltaMs: number;
  readonly overdispersion: number;
  /** Consecutive failing checks (controller runs) before a rollback. */
  readonly failuresToRollback: number;
  readonly onNoData: "hold" | "rollback";
  /** `no-failure`: intermediate steps need enough data and no failing check; `pass`: every step needs a pass. */
  readonly promoteWhen: "no-failure" | "pass";
  /**
   * Seconds a step that needs a pass (the last one) waits for it; after
   * that, enough data and no failing check promote it. Null waits forever.
   */
  readonly passTimeoutSeconds: number | null;
  /** Null: promotions are not gated on evidence. */
  readonly evidence: EvidenceGate | null;
  readonly paused: boolean;
  readonly dryRun: boolean;
  readonly onComplete: "stop" | "promote";
  readonly rampDown: RampDown | null;
  readonly webhook: string | null;
}

/** Defaults of the fields that have one; docs/canary-analysis.md explains each. */
export const ANALYSIS_DEFAULTS = {
  steps: [1, 5, 10, 25, 50, 100],
  interval: 600,
  window: 14_400,
  minRequests: DEFAULT_JUDGE_SETTINGS.minRequests,
  maxErrorRate: DEFAULT_JUDGE_SETTINGS.maxErrorRate,
  errorMargin: DEFAULT_JUDGE_SETTINGS.minAbsoluteEffect,
  relativeErrorMargin: DEFAULT_JUDGE_SETTINGS.minRelativeEffect,
  maxLatencyRatio: DEFAULT_JUDGE_SETTINGS.maxLatencyRatio,
  minLatencyRequests: DEFAULT_JUDGE_SETTINGS.minLatencyRequests,
  minLatencyDeltaMs: DEFAULT_JUDGE_SETTINGS.minLatencyDeltaMs,
  overdispersion: 1,
  failuresToRollback: 2,
  onNoData: "hold",
  promoteWhen: "no-failure",
  passTimeout: 3600,
  evidence: { above: 10, standardErrors: 2 },
  onComplete: "stop",
  rampDownInterval: 60,
} as const;

/** Every field the `analysis` block may have. */
export const ANALYSIS_FIELDS = [
  "canary",
  "steps",
  "interval",
  "window",
  "minRequests",
  "maxErrorRate",
  "errorMargin",
  "relativeErrorMargin",
  "maxLatencyRatio",
  "minLatencyRequests",
  "minLatencyDeltaMs",
  "overdispersion",
  "failuresToRollback",
  "onNoData",
  "promoteWhen",
  "passTimeout",
  "evidence",
  "paused",
  "dryRun",
  "onComplete",
  "rampDown",
  "webhook",
] as const;
