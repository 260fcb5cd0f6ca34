/**
 * Where the controller gets its figures: per cohort over the analysis window.
 * Two implementations: the Analytics Engine SQL API (sql-source.ts, production)
 * and recorded data points (recorded-source.ts, tests and the simulation).
 * Both produce the same summary rows and share `summarise`, so the error rule
 * and the latency choice are applied in one place.
 */

import type { CohortStats } from "../core/judge";
import { isErrorOutcome } from "../core/error-rule";

/** What to read: one rollout key, the analysis's revisions, how far back. */
export interface MetricsQuery {
  /** Rollout key (`index1`, at most 96 characters as written). */
  readonly key: string;
  /** Revisions (`blob5`) whose data belong to the analysis. */
  readonly revisions: readonly string[];
  /** The revision in effect now: its weights-decided requests feed the sample-ratio check. */
  readonly currentRevision: string;
  /** Look back this many seconds from now. */
  readonly lookbackSeconds: number;
}

/** One cohort's figures over the window. Counts are sample-weighted (may be fractional). */
export interface CohortMetrics extends CohortStats {
  /** Requests of the current revision decided by the weights: the sample-ratio check's input. */
  readonly stepRequests: number;
  /** Stored rows behind `requests`; requests / rows is the mean `_sample_interval`. */
  readonly rows: number;
}

/** Figures of every cohort seen in the window. */
export interface WindowMetrics {
  readonly cohorts: readonly CohortMetrics[];
}

/** Reads figures for the controller. Rejects with a MetricsError when it cannot. */
export interface MetricsSource {
  read(query: MetricsQuery): Promise<WindowMetrics>;
}

/** Why figures could not be read. */
export type MetricsErrorCode =
  "not_configured" | "bad_query" | "http" | "timeout" | "network" | "bad_response";

/** A failed read: the controller holds (never promotes, never rolls back) and records the reason. */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;
  /** HTTP status, for `http`. */
  readonly status: number | undefined;

  constructor(code: MetricsErrorCode, message: string, status?: number) {
    super(message);
    this.name = "MetricsError";
    this.code = code;
    this.status = status;
  }
}

/** One row of the summary query: a cohort and an outcome. */
export interface SummaryRow {
  readonly cohort: string;
  readonly outcome: string;
  readonly requests: number;
  /** Requests with an origin status >= 500. */
  readonly statusErrors: number;
  readonly stepRequests: number;
  /** Latency quantiles of this outcome's rows, ms; null when unknown. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly rows: number;
}

/**
 * Folds summary rows into per-cohort figures: errors by the shared rule
 * (error-rule.ts `isError`: a row whose outcome is an error counts whole, otherwise
 * only its error statuses), latency from the `ok` rows only, so fast failures
 * do not make a broken canary look quick and timeouts do not count twice.
 */
export function summarise(rows: readonly SummaryRow[]): WindowMetrics {
  const byCohort = new Map<string, Omit<CohortMetrics, "cohort">>();
  for (const row of rows) {
    const previous = byCohort.get(row.cohort) ?? {
      requests: 0,
      errors: 0,
      stepRequests: 0,
      rows: 0,
      latencyMs: null,
    };
    const outcomeIsError = isErrorOutcome(row.outcome);
    const latency =
      row.outcome === "ok" && row.p50 !== null && row.p95 !== null && row.p99 !== null
        ? { p50: row.p50, p95: row.p95, p99: row.p99 }
        : previous.latencyMs;
    byCohort.set(row.cohort, {
      requests: previous.requests + row.requests,
      errors:
        previous.errors +
        (outcomeIsError ? row.requests : Math.min(row.statusErrors, row.requests)),
      stepRequests: previous.stepRequests + row.stepRequests,
      rows: previous.rows + row.rows,
      latencyMs: latency,
    });
  }
  const cohorts = [...byCohort].map(([cohort, figures]) => ({ cohort, ...figures }));
  cohorts.sort((a, b) => (a.cohort < b.cohort ? -1 : a.cohort > b.cohort ? 1 : 0));
  return { cohorts };
}
