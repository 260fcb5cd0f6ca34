import { bucketOf } from "./buckets";
import { STABLE } from "./cohort";
import type { RequestFacts } from "./facts";
import { assignCohort } from "./layout";
import type { Rollout } from "./rollout";
import { firstMatch } from "./rules";

/** A sticky id taken from a header or cookie longer than this is ignored (visitor id used). */
export const MAX_STICKY_VALUE = 1024;

/** How the cohort was chosen. */
export type DecidedBy = "weights" | "rule" | "override";

/** The routing decision for one request. */
export interface CohortDecision {
  readonly bucket: number;
  readonly cohort: string;
  /** The cohort's weight in hundredths of a percent under what decided (10000 when pinned). */
  readonly weight: number;
  readonly decidedBy: DecidedBy;
  /** The rule's name when a rule decided. */
  readonly rule: string | undefined;
  /** What was hashed: the visitor cookie, or the configured header or cookie. */
  readonly stickyBy: "visitor" | "header" | "cookie";
}

/** Inputs of a decision, all plain values. */
export interface DecisionInput {
  readonly rollout: Rollout;
  readonly facts: RequestFacts;
  readonly visitorId: string;
  /** A cohort forced by a verified QA token, if any. */
  readonly forced?: string | undefined;
}

/**
 * Decides a request's cohort: a verified override first, then the first
 * matching rule, then the weights. Recomputed on every request from the
 * bucket and the current rollout, never remembered: that is what makes ramps
 * monotonic and rollback immediate.
 */
export function decide(input: DecisionInput): CohortDecision {
  const { rollout, facts } = input;
  const sticky = stickyId(input);
  const bucket = bucketOf(rollout.salt, sticky.id);
  const stickyBy = sticky.by;

  if (input.forced !== undefined && rollout.origins.has(input.forced)) {
    return decision(bucket, input.forced, 10_000, "override", undefined, stickyBy);
  }
  const rule = rollout.rules.length === 0 ? undefined : firstMatch(rollout.rules, facts);
  if (rule !== undefined) {
    const action = rule.action;
    if (action.kind === "cohort") {
      return decision(bucket, action.cohort, 10_000, "rule", rule.name, stickyBy);
    }
    if (action.kind === "exclude") {
      return decision(bucket, STABLE, 10_000, "rule", rule.name, stickyBy);
    }
    const cohort = assignCohort(bucket, action.layout);
    return decision(bucket, cohort, action.weights.get(cohort) ?? 0, "rule", rule.name, stickyBy);
  }
  const cohort = assignCohort(bucket, rollout.layout);
  return decision(bucket, cohort, rollout.weights.get(cohort) ?? 0, "weights", undefined, stickyBy);
}

function decision(
  bucket: number,
  cohort: string,
  weight: number,
  decidedBy: DecidedBy,
  rule: string | undefined,
  stickyBy: CohortDecision["stickyBy"],
): CohortDecision {
  return { bucket, cohort, weight, decidedBy, rule, stickyBy };
}

function stickyId(input: DecisionInput): { id: string; by: CohortDecision["stickyBy"] } {
  const stickiness = input.rollout.stickiness;
  if (stickiness.source === "visitor") {
    return { id: input.visitorId, by: "visitor" };
  }
  const value =
    stickiness.source === "header"
      ? input.facts.header(stickiness.name)
      : input.facts.cookie(stickiness.name);
  if (value === undefined || value === null || value === "" || value.length > MAX_STICKY_VALUE) {
    return { id: input.visitorId, by: "visitor" };
  }
  // A separate namespace, so a user id can never collide with a visitor id.
  return { id: `${stickiness.source}:${value}`, by: stickiness.source };
}
