import { bucketOf } from "./buckets";
import { assignCohort } from "./layout";
import type { Rollout } from "./rollout";

/** The routing decision for one request. */
export interface Decision {
  readonly bucket: number;
  readonly cohort: string;
  /** The cohort's weight in hundredths of a percent when the decision was made. */
  readonly weight: number;
}

/**
 * Decides a visitor's cohort from the current rollout. Recomputed on every
 * request from the bucket and the current weights, never remembered: that is
 * what makes ramps monotonic and rollback immediate.
 */
export function decide(rollout: Rollout, visitorId: string): Decision {
  const bucket = bucketOf(rollout.salt, visitorId);
  const cohort = assignCohort(bucket, rollout.layout);
  return { bucket, cohort, weight: rollout.weights.get(cohort) ?? 0 };
}
