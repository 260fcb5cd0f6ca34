/**
 * Shapes shared by the judge's checks. Everything here is plain data so a
 * result can be logged or stored as JSON as is.
 */

/**
 * Aggregated numbers for one cohort over the analysis window. Counts come from
 * Analytics Engine already weighted by `_sample_interval`, so they may be
 * non-integers.
 */
export interface CohortStats {
  readonly cohort: string;
  readonly requests: number;
  readonly errors: number;
  /** Latency quantiles in milliseconds, or null when not measured / no rows. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
}

/** The latency quantiles the judge knows about. */
export type LatencyQuantile = "p50" | "p95" | "p99";

/** The latency quantiles, in reporting order. */
export const LATENCY_QUANTILES: readonly LatencyQuantile[] = ["p50", "p95", "p99"];

/** Name of a check; one result per check per evaluation. */
export type CheckName =
  | "error_rate_absolute"
  | "error_rate_relative"
  | "latency_p50"
  | "latency_p95"
  | "latency_p99"
  | "sample_ratio";

/** A check's (or the overall) decision. */
export type Status = "pass" | "fail" | "inconclusive";

/**
 * Machine-readable reason behind a status, so callers need not parse `reason`.
 * - `no_data`: a cohort the check needs has zero requests (never a pass).
 * - `insufficient_data`: some data, but below the configured minimum counts.
 * - `missing_data`: a figure the check needs is absent (e.g. latency null).
 * - `invalid_input`: negative, non-finite or contradictory numbers.
 * - `within_limit` / `exceeds_limit`: a confident pass / fail.
 * - `undecided`: enough data, but the confidence bound still straddles the limit.
 * - `sample_ratio_mismatch`: observed cohort shares contradict the weights.
 */
export type ReasonCode =
  | "no_data"
  | "insufficient_data"
  | "missing_data"
  | "invalid_input"
  | "within_limit"
  | "exceeds_limit"
  | "undecided"
  | "sample_ratio_mismatch";

/** Outcome of one check, with the numbers that led to it. */
export interface CheckResult {
  readonly check: CheckName;
  readonly status: Status;
  readonly code: ReasonCode;
  /** One human-readable sentence. */
  readonly reason: string;
  /** Inputs and intermediate values of the decision; finite numbers only (JSON-safe). */
  readonly figures: Readonly<Record<string, number>>;
}

/** The overall decision over a set of check results. */
export interface Verdict {
  readonly status: Status;
  /** `no_data` when the canary has no requests; otherwise summarises the checks. */
  readonly code: "failed_checks" | "all_passed" | "no_data" | "pending_checks" | "no_checks";
  readonly reason: string;
  /** Checks that failed (empty unless status is "fail"). */
  readonly failed: readonly CheckName[];
  /** Required checks that are not (yet) passing, when nothing failed. */
  readonly pending: readonly CheckName[];
}
