/**
 * The canary analysis's SQL, written once. The controller's queries and the
 * README's ready-to-run queries are all rendered from the fragments here; the
 * JS twin (recorded-source.ts) computes the same rows from data points, from
 * the same query values (analysis-query.ts). Column names come from the
 * column map in src/core/metrics.ts, the only place that knows it.
 *
 * Only syntax the Analytics Engine SQL reference documents is used (see
 * docs/metrics.md): sum, count, if, quantileExactWeighted, %, IN, INTERVAL.
 */

import { column } from "../core/metrics";
import {
  ANALYSED_DECISIONS,
  ERROR_STATUS,
  NON_ERROR_OUTCOMES,
  WEIGHTS_DECISION,
} from "../core/error-rule";
import { LATENCY_QUANTILES, QUANTILE_LEVELS, quantileLevels } from "../core/judge";
import { CLUSTERS, countedQuantiles, latencyColumns, quantileColumns } from "./analysis-query";
import type { AnalysisQuery } from "./analysis-query";

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

const C = {
  key: column("rolloutKey"),
  cohort: column("cohort"),
  outcome: column("outcome"),
  revision: column("revision"),
  decidedBy: column("decidedBy"),
  status: column("status"),
  duration: column("durationMs"),
  bucket: column("bucket"),
  visitor: column("visitor"),
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

/** A number put into SQL: finite only, written so it reads back as the same double. */
function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`refusing to put ${String(value)} into SQL`);
  }
  return String(value);
}

/** SQL of the error condition (the twin of `isError`). */
export const ERROR_CONDITION = `${C.status} >= ${ERROR_STATUS} OR ${C.outcome} NOT IN (${list(NON_ERROR_OUTCOMES)})`;

/** The documented parametric form of a sample-weighted exact quantile of `double3` (the analysis's and the series' alike). */
export function quantile(q: number): string {
  return `quantileExactWeighted(${q})(${C.duration}, _sample_interval)`;
}

/** Sum of w (or w², or 1) over the rows matching a condition. */
function sumIf(condition: string, value = "_sample_interval"): string {
  return `sum(if(${condition}, ${value}, 0))`;
}

const SQUARED = "_sample_interval * _sample_interval";
const OK = `${C.outcome} = 'ok'`;
const ASSIGNED = `${C.decidedBy} = ${literal(WEIGHTS_DECISION)}`;
const NEW_VISITOR = `${ASSIGNED} AND ${C.visitor} = 'new'`;

/** The WHERE clause both analysis queries share. */
function windowFilter(query: AnalysisQuery): string[] {
  const seconds = Math.max(1, Math.ceil(query.lookbackSeconds));
  return [
    `WHERE ${C.key} = ${literal(query.key.slice(0, 96))}`,
    `  AND timestamp > NOW() - INTERVAL '${seconds}' SECOND`,
    `  AND ${C.decidedBy} IN (${list(ANALYSED_DECISIONS)})`,
    `  AND ${C.revision} IN (${list(query.revisions)})`,
  ];
}

/**
 * A per-row threshold: the value for the row's revision, -1 (below every
 * latency) for a revision without one. Nested `if`, since that is the
 * conditional the reference documents.
 */
function perRevision(thresholds: readonly { revision: string; value: number }[]): string {
  return thresholds.reduceRight(
    (otherwise, t) =>
      `if(${C.revision} = ${literal(t.revision)}, ${numberLiteral(t.value)}, ${otherwise})`,
    "-1",
  );
}

/**
 * The analysis queries (metrics-source.ts `readWindow` runs them). Only
 * functions the Analytics Engine SQL reference documents: sum, count, if,
 * quantileExactWeighted, %, IN, NOW() - INTERVAL.
 *
 * - `quantiles`: per revision and cohort, the `ok` requests' latency
 *   quantiles (p50, p95, p99) and the levels beside each.
 * - `cells`: per revision, cohort and bucket cluster (`bucket % CLUSTERS`):
 *   stored rows, Σw and Σw² of all requests and of `ok` ones, Σw of errors,
 *   of weights-decided requests and of new visitors among them, and per
 *   compared quantile Σw of `ok` requests at or below stable's quantile and
 *   at or below the limit (per revision, from the first query).
 */
export function analysisSql(query: AnalysisQuery): string {
  const filter = windowFilter(query);
  if (query.kind === "quantiles") {
    const levels = LATENCY_QUANTILES.flatMap((q) => {
      const [low, at, high] = quantileLevels(q);
      const columns = quantileColumns(q);
      return [
        `    ${quantile(low)} AS ${columns.low},`,
        `    ${quantile(at)} AS ${columns.at},`,
        `    ${quantile(high)} AS ${columns.high},`,
      ];
    });
    const last = levels.length - 1;
    return [
      "SELECT",
      `    ${C.revision} AS revision,`,
      `    ${C.cohort} AS cohort,`,
      "    count() AS rows_read,",
      ...levels.map((line, i) => (i === last ? line.slice(0, -1) : line)),
      `FROM ${DATASET}`,
      ...filter,
      `  AND ${OK}`,
      "GROUP BY revision, cohort",
      "ORDER BY revision, cohort",
    ].join("\n");
  }
  const counts = countedQuantiles(query).flatMap((q) => {
    const own = query.thresholds.filter((t) => t.quantile === q);
    const columns = latencyColumns(q);
    const below = perRevision(own.map((t) => ({ revision: t.revision, value: t.below })));
    const within = perRevision(own.map((t) => ({ revision: t.revision, value: t.within })));
    return [
      `    ${sumIf(`${OK} AND ${C.duration} <= ${below}`)} AS ${columns.below},`,
      `    ${sumIf(`${OK} AND ${C.duration} <= ${within}`)} AS ${columns.within},`,
    ];
  });
  const lines = [
    `    ${C.revision} AS revision,`,
    `    ${C.cohort} AS cohort,`,
    `    ${C.bucket} % ${CLUSTERS} AS cluster,`,
    "    count() AS rows_read,",
    `    ${WEIGHTED} AS requests,`,
    `    sum(${SQUARED}) AS requests_sq,`,
    `    ${sumIf(ERROR_CONDITION)} AS errors,`,
    `    ${sumIf(OK, "1")} AS ok_rows,`,
    `    ${sumIf(OK)} AS ok_requests,`,
    `    ${sumIf(OK, SQUARED)} AS ok_sq,`,
    `    ${sumIf(ASSIGNED)} AS assigned,`,
    `    ${sumIf(NEW_VISITOR, "1")} AS new_rows,`,
    `    ${sumIf(NEW_VISITOR)} AS new_visitors,`,
    `    ${sumIf(NEW_VISITOR, SQUARED)} AS new_sq,`,
    ...counts,
  ];
  const last = lines.length - 1;
  return [
    "SELECT",
    ...lines.map((line, i) => (i === last ? line.slice(0, -1) : line)),
    `FROM ${DATASET}`,
    ...filter,
    "GROUP BY revision, cohort, cluster",
    "ORDER BY revision, cohort, cluster",
  ].join("\n");
}

/**
 * The three starter queries of docs/metrics.md (request rate, error rate,
 * latency per cohort), rendered from the same fragments as the controller's
 * (docs/canary-analysis.md shows them too; a unit test keeps both pages in
 * step).
 */
export function starterQueries(): {
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
      `       ${quantile(QUANTILE_LEVELS.p50)} AS p50_ms,`,
      `       ${quantile(QUANTILE_LEVELS.p95)} AS p95_ms,`,
      `       ${quantile(QUANTILE_LEVELS.p99)} AS p99_ms,`,
      `       ${WEIGHTED} AS requests`,
      `FROM ${DATASET}`,
      `WHERE ${window} AND ${C.outcome} = 'ok'`,
      "GROUP BY rollout_key, cohort",
      "ORDER BY rollout_key, cohort",
    ].join("\n"),
  };
}
