/**
 * The operator's series query, written once: per time bucket (a minute for
 * `gray watch` and the report's charts; the whole window for `gray status`),
 * per cohort, sample-weighted requests, errors, weights-assigned requests,
 * new visitors and latency quantiles of one rollout key. `seriesSql` is the
 * SQL the production SQL API runs (docs/metrics.md shows it);
 * `seriesApiRows` is its JavaScript twin over captured data points, which the
 * local collector answers with. A unit test holds the two to the same rows.
 *
 * It groups by outcome as well, so the shared error rule (error-rule.ts) and
 * "latency of `ok` requests" (as the judge measures latency) are applied when
 * the rows are folded, and it keeps only analysed traffic (weights- and
 * rule-decided; QA-forced and breaker-diverted requests are left out), so the
 * operator's figures and the judge's agree.
 */

import * as v from "valibot";
import { readField } from "../core/metrics";
import { ERROR_STATUS, WEIGHTS_DECISION, isAnalysed, isErrorOutcome } from "../core/error-rule";
import { QUANTILE_LEVELS } from "../core/judge";
import { column } from "../core/metrics";
import { decodeDataPoint, weightedQuantile } from "./recorded-source";
import type { DecodedPoint, RecordedPoint } from "./recorded-source";
import { countCell, millisecondsCell, parseAnswer } from "./sql-api";
import { ANALYSED_DECISIONS, DATASET, WEIGHTED, list, literal, quantile } from "./sql";

/** What to read: one rollout key, how far back, in what buckets. */
export interface SeriesQuery {
  /** Rollout key (`index1`, at most 96 characters as written). */
  readonly key: string;
  /** Look back this many seconds from now. */
  readonly lookbackSeconds: number;
  /** Bucket width in seconds (60: per minute); null for one bucket over the whole window. */
  readonly stepSeconds: number | null;
  /**
   * Count `assigned` and `newVisitors` only for this revision (`blob5`): the
   * weights in force now, so the observed share compares with them. Null
   * counts every revision (a share over a window with several weights).
   */
  readonly revision: string | null;
}

/** One cohort in one bucket. Counts are sample-weighted (may be fractional). */
export interface SeriesPoint {
  /** Start of the bucket, ms since the epoch; null for the whole window. */
  readonly at: number | null;
  readonly cohort: string;
  readonly requests: number;
  /** By the shared error rule (src/core/error-rule.ts). */
  readonly errors: number;
  /** Requests the top-level weights decided (of the query's revision, if it names one): what the observed share is computed from. */
  readonly assigned: number;
  /** Of those, requests that were given a new visitor id: the units the weights assign. */
  readonly newVisitors: number;
  /** Quantiles of the `ok` requests, ms; null without any. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
  /** Stored rows behind `requests`. */
  readonly rows: number;
}

/** Reads the series. Rejects with a MetricsError when it cannot. */
export interface SeriesSource {
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
}

const C = {
  key: column("rolloutKey"),
  revision: column("revision"),
  cohort: column("cohort"),
  outcome: column("outcome"),
  decidedBy: column("decidedBy"),
  visitor: column("visitor"),
  status: column("status"),
};

/** Column aliases of the series query's answer, in order (`bucket` only with a step). */
export const SERIES_COLUMNS = [
  "bucket",
  "cohort",
  "outcome",
  "requests",
  "status_errors",
  "assigned",
  "new_visitors",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "rows_read",
] as const;

/** A row of the answer, as the SQL API (or the collector) sends it. */
export type SeriesApiRow = Partial<Record<(typeof SERIES_COLUMNS)[number], string | number | null>>;

/** Whole seconds, at least 1. */
function seconds(value: number): number {
  return Math.max(1, Math.ceil(value));
}

/** The series query's SQL. Only documented functions: intDiv, toUInt32, sum, if, quantileExactWeighted. */
export function seriesSql(query: SeriesQuery): string {
  const step = query.stepSeconds === null ? null : seconds(query.stepSeconds);
  const bucket =
    step === null ? [] : [`    intDiv(toUInt32(timestamp), ${step}) * ${step} AS bucket,`];
  const group = step === null ? "cohort, outcome" : "bucket, cohort, outcome";
  const weightsDecided =
    query.revision === null
      ? `${C.decidedBy} = ${literal(WEIGHTS_DECISION)}`
      : `${C.decidedBy} = ${literal(WEIGHTS_DECISION)} AND ${C.revision} = ${literal(query.revision)}`;
  return [
    "SELECT",
    ...bucket,
    `    ${C.cohort} AS cohort,`,
    `    ${C.outcome} AS outcome,`,
    `    ${WEIGHTED} AS requests,`,
    `    sum(if(${C.status} >= ${ERROR_STATUS}, _sample_interval, 0)) AS status_errors,`,
    `    sum(if(${weightsDecided}, _sample_interval, 0)) AS assigned,`,
    `    sum(if(${weightsDecided} AND ${C.visitor} = 'new', _sample_interval, 0)) AS new_visitors,`,
    `    ${quantile(QUANTILE_LEVELS.p50)} AS p50_ms,`,
    `    ${quantile(QUANTILE_LEVELS.p95)} AS p95_ms,`,
    `    ${quantile(QUANTILE_LEVELS.p99)} AS p99_ms,`,
    "    count() AS rows_read",
    `FROM ${DATASET}`,
    `WHERE ${C.key} = ${literal(query.key.slice(0, 96))}`,
    `  AND timestamp > NOW() - INTERVAL '${seconds(query.lookbackSeconds)}' SECOND`,
    `  AND ${C.decidedBy} IN (${list(ANALYSED_DECISIONS)})`,
    `GROUP BY ${group}`,
    `ORDER BY ${group}`,
  ].join("\n");
}

/**
 * The fields the series reads from a data point: the analysis's (decoded by
 * the recorded source, so both read points alike) plus whether the visitor
 * was new; null when one is missing or of the wrong type.
 */
function decode(point: RecordedPoint["point"]): (DecodedPoint & { visitor: string }) | null {
  const decoded = decodeDataPoint(point);
  // blob11 was appended later: points written before it read as "not new".
  return decoded === null
    ? null
    : { ...decoded, visitor: readField(point, "visitor") === "new" ? "new" : "" };
}

/**
 * The JS twin of `seriesSql`: the rows the SQL API would answer for `query`
 * at `now` (ms), from captured data points, in the same order.
 */
export function seriesApiRows(
  points: readonly RecordedPoint[],
  query: SeriesQuery,
  now: number,
): SeriesApiRow[] {
  const since = now - seconds(query.lookbackSeconds) * 1000;
  const key = query.key.slice(0, 96);
  const step = query.stepSeconds === null ? null : seconds(query.stepSeconds);
  const groups = new Map<
    string,
    {
      bucket: number | null;
      cohort: string;
      outcome: string;
      rows: { weight: number; point: NonNullable<ReturnType<typeof decode>> }[];
    }
  >();
  for (const recorded of points) {
    const point = decode(recorded.point);
    if (point === null || recorded.at <= since || point.rolloutKey !== key) {
      continue;
    }
    if (!isAnalysed(point.decidedBy)) {
      continue;
    }
    const bucket = step === null ? null : Math.floor(recorded.at / 1000 / step) * step;
    const id = `${bucket ?? ""}\u0000${point.cohort}\u0000${point.outcome}`;
    const group = groups.get(id) ?? {
      bucket,
      cohort: point.cohort,
      outcome: point.outcome,
      rows: [],
    };
    group.rows.push({ weight: recorded.sampleInterval ?? 1, point });
    groups.set(id, group);
  }
  const assignedNow = (p: { decidedBy: string; revision: string }): boolean =>
    p.decidedBy === WEIGHTS_DECISION && (query.revision === null || p.revision === query.revision);
  const ordered = [...groups.values()].sort(
    (a, b) =>
      (a.bucket ?? 0) - (b.bucket ?? 0) ||
      compare(a.cohort, b.cohort) ||
      compare(a.outcome, b.outcome),
  );
  return ordered.map((group) => {
    const sum = (keep: (p: (typeof group.rows)[number]["point"]) => boolean): number =>
      group.rows.reduce((total, r) => total + (keep(r.point) ? r.weight : 0), 0);
    const durations = group.rows.map((r) => ({ value: r.point.durationMs, weight: r.weight }));
    const row: SeriesApiRow = {
      cohort: group.cohort,
      outcome: group.outcome,
      requests: sum(() => true),
      status_errors: sum((p) => p.status >= ERROR_STATUS),
      assigned: sum(assignedNow),
      new_visitors: sum((p) => assignedNow(p) && p.visitor === "new"),
      p50_ms: weightedQuantile(durations, QUANTILE_LEVELS.p50),
      p95_ms: weightedQuantile(durations, QUANTILE_LEVELS.p95),
      p99_ms: weightedQuantile(durations, QUANTILE_LEVELS.p99),
      rows_read: group.rows.length,
    };
    return group.bucket === null ? row : { bucket: group.bucket, ...row };
  });
}

/** Byte order, as ClickHouse sorts strings. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const seriesRow = v.object({
  bucket: v.optional(countCell),
  cohort: v.string(),
  outcome: v.string(),
  requests: countCell,
  status_errors: countCell,
  assigned: countCell,
  new_visitors: countCell,
  p50_ms: millisecondsCell,
  p95_ms: millisecondsCell,
  p99_ms: millisecondsCell,
  rows_read: countCell,
});

/**
 * Parses an answer to the series query (from the SQL API or the collector)
 * into one point per bucket and cohort, oldest first, its outcome rows
 * folded by `foldCohort`.
 */
export function parseSeriesAnswer(body: string, service: string): SeriesPoint[] {
  const rows = parseAnswer(body, seriesRow, service);
  const groups = new Map<string, { at: number | null; cohort: string; rows: typeof rows }>();
  for (const row of rows) {
    const at = row.bucket === undefined ? null : row.bucket * 1000;
    const id = `${at ?? ""}\u0000${row.cohort}`;
    const group = groups.get(id) ?? { at, cohort: row.cohort, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  return [...groups.values()]
    .sort((a, b) => (a.at ?? 0) - (b.at ?? 0) || compare(a.cohort, b.cohort))
    .map((group) => ({ at: group.at, cohort: group.cohort, ...foldCohort(group.rows) }));
}

/**
 * One cohort's outcome rows as figures: errors by the shared rule (a row
 * whose outcome is an error counts whole, otherwise only its error
 * statuses), latency from the `ok` row only, so fast failures do not make a
 * broken canary look quick.
 */
function foldCohort(
  rows: readonly v.InferOutput<typeof seriesRow>[],
): Omit<SeriesPoint, "at" | "cohort"> {
  let requests = 0;
  let errors = 0;
  let assigned = 0;
  let newVisitors = 0;
  let stored = 0;
  let latencyMs: SeriesPoint["latencyMs"] = null;
  for (const row of rows) {
    requests += row.requests;
    errors += isErrorOutcome(row.outcome)
      ? row.requests
      : Math.min(row.status_errors, row.requests);
    assigned += row.assigned;
    newVisitors += row.new_visitors;
    stored += row.rows_read;
    if (row.outcome === "ok" && row.p50_ms !== null && row.p95_ms !== null && row.p99_ms !== null) {
      latencyMs = { p50: row.p50_ms, p95: row.p95_ms, p99: row.p99_ms };
    }
  }
  return { requests, errors, assigned, newVisitors, latencyMs, rows: stored };
}
