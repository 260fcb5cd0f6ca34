/**
 * Shapes shared by the judge's checks. Everything here is plain data so a
 * result can be logged or stored as JSON as is.
 */

/** The latency quantiles the judge knows about. */
export type LatencyQuantile = "p50" | "p95" | "p99";

/** The latency quantiles, in reporting order. */
export const LATENCY_QUANTILES: readonly LatencyQuantile[] = ["p50", "p95", "p99"];

/** Quantile levels, by name. */
export const QUANTILE_LEVELS: Readonly<Record<LatencyQuantile, number>> = {
  p50: 0.5,
  p95: 0.95,
  p99: 0.99,
};

/**
 * Sample-weighted counts of one latency quantile's comparison in one cell:
 * `below` weighs the `ok` requests at or below stable's quantile of the
 * stratum, `within` those at or below the limit (stable's quantile times the
 * maximum ratio).
 */
export interface LatencyCounts {
  readonly below: number;
  readonly within: number;
}

/**
 * The unit of the judge's input: the requests of one cohort in one stratum
 * (a period of constant weights: one revision of the rollout) and one bucket
 * cluster (buckets with the same remainder modulo the cluster count; a
 * visitor never leaves its bucket, so all of a visitor's requests share a
 * cluster). Sums are weighted by `_sample_interval` (w); `...Sq` are sums of
 * w², for effective sample sizes; `...Rows` count stored rows.
 */
export interface Cell {
  readonly stratum: string;
  readonly cohort: string;
  readonly cluster: number;
  /** Stored rows. */
  readonly rows: number;
  /** Σw: the requests the rows stand for. */
  readonly requests: number;
  readonly requestsSq: number;
  /** Σw over errors (the shared error rule). */
  readonly errors: number;
  /** Rows, Σw and Σw² over `ok` requests (the latency checks' requests). */
  readonly okRows: number;
  readonly ok: number;
  readonly okSq: number;
  /** Σw over requests the top-level weights decided. */
  readonly assigned: number;
  /** Rows, Σw and Σw² over the weights-decided requests of new visitors (one per visitor). */
  readonly newRows: number;
  readonly newVisitors: number;
  readonly newSq: number;
  /** Per compared quantile; absent when the stratum has no threshold for it. */
  readonly latency: Readonly<Partial<Record<LatencyQuantile, LatencyCounts>>>;
}

/**
 * Sample-weighted latency quantiles (ms) of one cohort's `ok` requests in one
 * stratum: the compared level `q` and, for translating bounds into ratios,
 * the levels just below and above it (see README.md, latency).
 */
export interface QuantileSet {
  readonly ms: number;
  readonly lowMs: number;
  readonly highMs: number;
}

/** One cohort's latency quantiles in one stratum. */
export interface StratumQuantiles {
  readonly stratum: string;
  readonly cohort: string;
  readonly rows: number;
  readonly quantiles: Readonly<Partial<Record<LatencyQuantile, QuantileSet>>>;
}

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
 * - `missing_data`: a figure the check needs is absent (e.g. no latency threshold).
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

/** Units of a summary's estimate, bounds and limit. */
export type SummaryUnit = "rate" | "ratio" | "share";

/** One cohort's sample behind a check: stored rows, and the effective sample size (Σw)²/Σw². */
export interface SampleSize {
  readonly cohort: string;
  readonly rows: number;
  readonly effective: number;
}

/**
 * The same view of every check, for displays that do not know the check:
 * what is compared, the estimate with its bounds, and the limit it is judged
 * against. A check fails when its bounds lie wholly on the wrong side of the
 * limit (`failAbove`: above it), and passes when they lie wholly on the good
 * side (the sample-ratio check: when the limit lies inside them). Null
 * figures are not known yet.
 */
export interface CheckSummary {
  /** Short label of what is compared, e.g. "canary − stable error rate". */
  readonly label: string;
  readonly unit: SummaryUnit;
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** The limit, margin or expected value the bounds are judged against. */
  readonly limit: number | null;
  /** True when values above the limit are bad; false when below is bad; null: two-sided. */
  readonly failAbove: boolean | null;
  readonly samples: readonly SampleSize[];
}

/** Outcome of one check, with the numbers that led to it. */
export interface CheckResult {
  readonly check: CheckName;
  readonly status: Status;
  readonly code: ReasonCode;
  /** One human-readable sentence. */
  readonly reason: string;
  /** Inputs and intermediate values of the decision; finite numbers only (JSON-safe). */
  readonly figures: Readonly<Record<string, number>>;
  readonly summary: CheckSummary;
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
