/**
 * The analysis queries as plain data, and the names of the columns they
 * answer with: the one vocabulary shared by the SQL text (sql.ts), the JS
 * twin (recorded-source.ts), the parsing of answers (analysis-rows.ts) and
 * whatever carries a query elsewhere (the local collector gets it as JSON and
 * checks it with `parseAnalysisQuery`).
 */

import * as v from "valibot";
import { LATENCY_QUANTILES } from "../core/judge";
import type { LatencyQuantile } from "../core/judge";
import { MetricsError } from "./metrics-error";

/**
 * Bucket clusters: rows are grouped by `bucket % CLUSTERS`. A visitor never
 * leaves its bucket, so its requests stay in one cluster; 64 clusters give
 * the variance 63 degrees of freedom (its own noise about 18 %) while a
 * query answers at most revisions × cohorts × 64 rows.
 */
export const CLUSTERS = 64;

/** Where the latency comparison of one revision and quantile draws its lines, ms. */
export interface LatencyThreshold {
  readonly revision: string;
  readonly quantile: LatencyQuantile;
  /** Stable's quantile in that revision. */
  readonly below: number;
  /** The limit: what a canary request may take and still count as within it. */
  readonly within: number;
}

/** What both queries filter on. */
interface Window {
  readonly key: string;
  readonly revisions: readonly string[];
  readonly lookbackSeconds: number;
}

/** Latency quantiles (and their neighbouring levels) of `ok` requests per revision and cohort. */
export interface QuantileQuery extends Window {
  readonly kind: "quantiles";
}

/** The cells: sums per revision, cohort and bucket cluster, with latency counts against thresholds. */
export interface CellQuery extends Window {
  readonly kind: "cells";
  readonly thresholds: readonly LatencyThreshold[];
}

/** One of the analysis queries. */
export type AnalysisQuery = QuantileQuery | CellQuery;

/** Column names of a quantile row's three levels for one quantile. */
export function quantileColumns(quantile: LatencyQuantile): {
  readonly low: string;
  readonly at: string;
  readonly high: string;
} {
  return { low: `${quantile}_low_ms`, at: `${quantile}_ms`, high: `${quantile}_high_ms` };
}

/** Columns of the quantile query, in order. */
export const QUANTILE_QUERY_COLUMNS: readonly string[] = [
  "revision",
  "cohort",
  "rows_read",
  ...LATENCY_QUANTILES.flatMap((q) => {
    const c = quantileColumns(q);
    return [c.low, c.at, c.high];
  }),
];

/** Columns of the cell query without latency counts, in order. */
export const CELL_COLUMNS = [
  "revision",
  "cohort",
  "cluster",
  "rows_read",
  "requests",
  "requests_sq",
  "errors",
  "ok_rows",
  "ok_requests",
  "ok_sq",
  "assigned",
  "new_rows",
  "new_visitors",
  "new_sq",
] as const;

/** Column names of one quantile's latency counts in the cell query. */
export function latencyColumns(quantile: LatencyQuantile): {
  readonly below: string;
  readonly within: string;
} {
  return { below: `${quantile}_below`, within: `${quantile}_within` };
}

/** The quantiles a cell query counts latencies for: those with at least one threshold. */
export function countedQuantiles(query: CellQuery): LatencyQuantile[] {
  return LATENCY_QUANTILES.filter((q) => query.thresholds.some((t) => t.quantile === q));
}

/** All columns of a cell query, in order. */
export function cellQueryColumns(query: CellQuery): string[] {
  return [
    ...CELL_COLUMNS,
    ...countedQuantiles(query).flatMap((q) => {
      const c = latencyColumns(q);
      return [c.below, c.within];
    }),
  ];
}

const revisions = v.array(v.string());
const window = {
  key: v.string(),
  revisions,
  lookbackSeconds: v.pipe(v.number(), v.finite(), v.minValue(0)),
};
const querySchema = v.variant("kind", [
  v.object({ kind: v.literal("quantiles"), ...window }),
  v.object({
    kind: v.literal("cells"),
    ...window,
    thresholds: v.array(
      v.object({
        revision: v.string(),
        quantile: v.picklist(LATENCY_QUANTILES),
        below: v.pipe(v.number(), v.finite()),
        within: v.pipe(v.number(), v.finite()),
      }),
    ),
  }),
]);

/**
 * Reads an analysis query sent as JSON (by a collector adapter); throws a
 * MetricsError (`bad_query`) naming the first problem.
 */
export function parseAnalysisQuery(json: unknown): AnalysisQuery {
  const parsed = v.safeParse(querySchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue === undefined ? "" : ` at ${v.getDotPath(issue) ?? "the top level"}`;
    throw new MetricsError(
      "bad_query",
      `not an analysis query${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.output;
}
