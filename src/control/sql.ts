/**
 * The canary analysis's SQL, written once. The controller's query and the
 * README's ready-to-run queries are all rendered from the fragments here, and
 * the JavaScript predicates used on recorded data points (tests, simulation)
 * are defined next to the SQL they mirror. Column names come from the column
 * map in src/edge/metrics.ts, the only place that knows it.
 *
 * Only syntax the Analytics Engine SQL reference documents is used (see
 * docs/metrics-sql.md): sum, count, if, quantileWeighted, IN, INTERVAL.
 */

import { column } from "../core/metrics";
import {
  ANALYSED_DECISIONS,
  ERROR_STATUS,
  NON_ERROR_OUTCOMES,
  WEIGHTS_DECISION,
} from "../core/error-rule";
import type { MetricsQuery } from "./metrics-source";

export {
  ANALYSED_DECISIONS,
  ERROR_STATUS,
  NON_ERROR_OUTCOMES,
  WEIGHTS_DECISION,
  isAnalysed,
  isError,
  isErrorOutcome,
} from "../core/error-rule";

/** The Analytics Engine dataset (wrangler.toml `dataset`). */
export const DATASET = "gray_router";

/** Latency quantiles read, by judge name. */
export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

const C = {
  key: column("rolloutKey"),
  cohort: column("cohort"),
  outcome: column("outcome"),
  revision: column("revision"),
  decidedBy: column("decidedBy"),
  status: column("status"),
  duration: column("durationMs"),
};

/** Sample-weighted count: every row stands for `_sample_interval` requests. */
export const WEIGHTED = "sum(_sample_interval)";

/** A string literal; callers pass only values checked by `isSafeLiteral`. */
export function literal(value: string): string {
  if (!isSafeLiteral(value)) {
    throw new RangeError(`refusing to put ${JSON.stringify(value)} into SQL`);
  }
  return `'${value}'`;
}

/**
 * Values the analysis queries put into SQL: rollout keys (hostnames, IPv6
 * literals, `default`), cohort names and revisions. Anything else is refused
 * rather than escaped, so no escaping rule of the SQL dialect matters.
 */
export function isSafeLiteral(value: string): boolean {
  return /^[A-Za-z0-9._:[\]-]{1,96}$/.test(value);
}

/** A list of string literals, for `IN (...)`. */
export function list(values: readonly string[]): string {
  return values.map(literal).join(", ");
}

/** SQL of the error condition (the twin of `isError`). */
export const ERROR_CONDITION = `${C.status} >= ${ERROR_STATUS} OR ${C.outcome} NOT IN (${list(NON_ERROR_OUTCOMES)})`;

/** A sample-weighted latency quantile of `double3` (the judge's and the series' alike). */
export function quantile(q: number): string {
  return `quantileWeighted(${q}, ${C.duration}, _sample_interval)`;
}

/** What the controller asks for (the metrics source's query). */
export type SummaryFilter = MetricsQuery;

/** Column aliases of the summary query, read by the SQL source. */
export const SUMMARY_COLUMNS = [
  "cohort",
  "outcome",
  "requests",
  "status_errors",
  "step_requests",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "rows_read",
] as const;

/**
 * The controller's query: per cohort and outcome, sample-weighted requests,
 * requests with an error status, requests of the current revision decided by
 * the weights, latency quantiles and the stored rows behind them. Grouping by
 * outcome keeps latency to the `ok` rows and lets the error rule be applied
 * per outcome without a second query.
 */
export function summarySql(filter: SummaryFilter): string {
  const seconds = Math.max(1, Math.ceil(filter.lookbackSeconds));
  return [
    "SELECT",
    `    ${C.cohort} AS cohort,`,
    `    ${C.outcome} AS outcome,`,
    `    ${WEIGHTED} AS requests,`,
    `    sum(if(${C.status} >= ${ERROR_STATUS}, _sample_interval, 0)) AS status_errors,`,
    `    sum(if(${C.revision} = ${literal(filter.currentRevision)} AND ${C.decidedBy} = ${literal(WEIGHTS_DECISION)}, _sample_interval, 0)) AS step_requests,`,
    `    ${quantile(QUANTILES.p50)} AS p50_ms,`,
    `    ${quantile(QUANTILES.p95)} AS p95_ms,`,
    `    ${quantile(QUANTILES.p99)} AS p99_ms,`,
    "    count() AS rows_read",
    `FROM ${DATASET}`,
    `WHERE ${C.key} = ${literal(filter.key.slice(0, 96))}`,
    `  AND timestamp > NOW() - INTERVAL '${seconds}' SECOND`,
    `  AND ${C.decidedBy} IN (${list(ANALYSED_DECISIONS)})`,
    `  AND ${C.revision} IN (${list(filter.revisions)})`,
    "GROUP BY cohort, outcome",
    "ORDER BY cohort, outcome",
  ].join("\n");
}

/**
 * The README's "Metrics" queries, rendered from the same fragments as the
 * controller's (docs/canary-analysis.md shows them; a unit test keeps the
 * documentation in step).
 */
export function readmeQueries(): {
  readonly requestRate: string;
  readonly errorRate: string;
  readonly latency: string;
} {
  const window = "timestamp > NOW() - INTERVAL '15' MINUTE";
  const head = `SELECT ${C.key} AS rollout_key, ${C.cohort} AS cohort,`;
  return {
    requestRate: [
      head,
      `       ${WEIGHTED} AS requests,`,
      `       ${WEIGHTED} / 15 AS requests_per_minute`,
      `FROM ${DATASET}`,
      `WHERE ${window}`,
      "GROUP BY rollout_key, cohort",
      "ORDER BY rollout_key, requests DESC",
    ].join("\n"),
    errorRate: [
      head,
      `       ${WEIGHTED} AS requests,`,
      `       sum(if(${ERROR_CONDITION}, _sample_interval, 0)) / ${WEIGHTED} AS error_rate`,
      `FROM ${DATASET}`,
      `WHERE ${window}`,
      "GROUP BY rollout_key, cohort",
      "ORDER BY rollout_key, error_rate DESC",
    ].join("\n"),
    latency: [
      head,
      `       ${quantile(QUANTILES.p50)} AS p50_ms,`,
      `       ${quantile(QUANTILES.p95)} AS p95_ms,`,
      `       ${quantile(QUANTILES.p99)} AS p99_ms,`,
      `       ${WEIGHTED} AS requests`,
      `FROM ${DATASET}`,
      `WHERE ${window} AND ${C.outcome} = 'ok'`,
      "GROUP BY rollout_key, cohort",
      "ORDER BY rollout_key, cohort",
    ].join("\n"),
  };
}
