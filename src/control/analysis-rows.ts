/**
 * The answers to the analysis queries: their row schema, validated the same
 * way whoever answered (the SQL API or the JS twin), and the folding of rows
 * into the judge's input (cells and quantiles) and into per-cohort totals for
 * the history and displays.
 */

import * as v from "valibot";
import { LATENCY_QUANTILES } from "../core/judge";
import type { Cell, LatencyCounts, LatencyQuantile, StratumQuantiles } from "../core/judge";
import { effectiveSize } from "../core/judge";
import {
  cellQueryColumns,
  countedQuantiles,
  latencyColumns,
  quantileColumns,
} from "./analysis-query";
import type { CellQuery, CELL_COLUMNS } from "./analysis-query";
import { validateAnswer } from "./metrics-error";

/** The window's figures: the judge's input plus the order of the strata. */
export interface WindowMetrics {
  /** The revisions of the analysis, oldest first. */
  readonly strata: readonly string[];
  /** The revision in force now. */
  readonly current: string;
  readonly cells: readonly Cell[];
  readonly quantiles: readonly StratumQuantiles[];
}

// ClickHouse's JSON output quotes 64-bit integers ("1234"), and the API does
// not document which columns come back as numbers; accept both.
const count = v.union([
  v.pipe(v.number(), v.finite(), v.minValue(0)),
  v.pipe(v.string(), v.regex(/^\d+(\.\d+)?([eE][+-]?\d+)?$/), v.transform(Number), v.finite()),
]);
// ClickHouse writes NaN (a quantile over no rows) as null, or "nan" when quoted.
const milliseconds = v.union([
  count,
  v.pipe(
    v.union([v.null(), v.picklist(["nan", "NaN", "inf", "-inf"])]),
    v.transform(() => null),
  ),
]);

function envelope<T extends v.GenericSchema>(row: T) {
  return v.object({
    meta: v.array(v.object({ name: v.string(), type: v.string() })),
    data: v.array(row),
    rows: v.number(),
  });
}

const quantileRow = v.object({
  revision: v.string(),
  cohort: v.string(),
  rows_read: count,
  ...Object.fromEntries(
    LATENCY_QUANTILES.flatMap((q) => {
      const c = quantileColumns(q);
      return [
        [c.low, milliseconds],
        [c.at, milliseconds],
        [c.high, milliseconds],
      ];
    }),
  ),
});

/** A number read from a validated row (the schema has checked it). */
function numberAt(row: Readonly<Record<string, unknown>>, column: string): number | null {
  const value = row[column];
  return typeof value === "number" ? value : null;
}

/** Reads the quantile query's answer. */
export function parseQuantileAnswer(json: unknown): StratumQuantiles[] {
  const answer = validateAnswer(envelope(quantileRow), json, "SQL API");
  return answer.data.map((row) => {
    const quantiles: Partial<
      Record<LatencyQuantile, { ms: number; lowMs: number; highMs: number }>
    > = {};
    for (const q of LATENCY_QUANTILES) {
      const c = quantileColumns(q);
      const low = numberAt(row, c.low);
      const at = numberAt(row, c.at);
      const high = numberAt(row, c.high);
      if (low !== null && at !== null && high !== null) {
        quantiles[q] = { ms: at, lowMs: low, highMs: high };
      }
    }
    return {
      stratum: row.revision,
      cohort: row.cohort,
      rows: numberAt(row, "rows_read") ?? 0,
      quantiles,
    };
  });
}

/** Reads the cell query's answer; latency counts only for the revisions that had thresholds. */
export function parseCellAnswer(query: CellQuery, json: unknown): Cell[] {
  const numeric = cellQueryColumns(query).filter((c) => c !== "revision" && c !== "cohort");
  const row = v.object({
    revision: v.string(),
    cohort: v.string(),
    ...Object.fromEntries(numeric.map((c) => [c, count])),
  });
  const answer = validateAnswer(envelope(row), json, "SQL API");
  const counted = countedQuantiles(query);
  return answer.data.map((r) => {
    const get = (column: (typeof CELL_COLUMNS)[number]): number => numberAt(r, column) ?? 0;
    const latency: Partial<Record<LatencyQuantile, LatencyCounts>> = {};
    for (const q of counted) {
      if (query.thresholds.some((t) => t.quantile === q && t.revision === r.revision)) {
        const c = latencyColumns(q);
        latency[q] = { below: numberAt(r, c.below) ?? 0, within: numberAt(r, c.within) ?? 0 };
      }
    }
    return {
      stratum: r.revision,
      cohort: r.cohort,
      cluster: get("cluster"),
      rows: get("rows_read"),
      requests: get("requests"),
      requestsSq: get("requests_sq"),
      errors: get("errors"),
      okRows: get("ok_rows"),
      ok: get("ok_requests"),
      okSq: get("ok_sq"),
      assigned: get("assigned"),
      newRows: get("new_rows"),
      newVisitors: get("new_visitors"),
      newSq: get("new_sq"),
      latency,
    };
  });
}

/** The judge's input from the two answers. */
export function foldWindow(
  strata: readonly string[],
  current: string,
  cells: readonly Cell[],
  quantiles: readonly StratumQuantiles[],
): WindowMetrics {
  return { strata: [...strata], current, cells: [...cells], quantiles: [...quantiles] };
}

/** One cohort's totals over the window, for the history and displays. */
export interface CohortTotals {
  readonly cohort: string;
  /** Sample-weighted requests and errors over the window. */
  readonly requests: number;
  readonly errors: number;
  /** Weights-decided requests of the current revision. */
  readonly stepRequests: number;
  /** Stored rows behind `requests`, and their effective sample size. */
  readonly rows: number;
  readonly effectiveRequests: number;
  /** Weights-decided new visitors of the current revision (sample-weighted). */
  readonly newVisitors: number;
  /** Latency quantiles of the newest revision with `ok` requests, ms. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
}

/** Per-cohort totals of a window, cohorts in name order. */
export function cohortTotals(metrics: WindowMetrics): CohortTotals[] {
  const names = [...new Set(metrics.cells.map((c) => c.cohort))].sort();
  return names.map((cohort) => {
    const own = metrics.cells.filter((c) => c.cohort === cohort);
    const now = own.filter((c) => c.stratum === metrics.current);
    const sum = (cells: readonly Cell[], f: (c: Cell) => number): number =>
      cells.reduce((total, c) => total + f(c), 0);
    let latencyMs: CohortTotals["latencyMs"] = null;
    for (const stratum of metrics.strata) {
      const q = metrics.quantiles.find((r) => r.stratum === stratum && r.cohort === cohort);
      const [p50, p95, p99] = [q?.quantiles.p50, q?.quantiles.p95, q?.quantiles.p99];
      if (p50 !== undefined && p95 !== undefined && p99 !== undefined) {
        latencyMs = { p50: p50.ms, p95: p95.ms, p99: p99.ms };
      }
    }
    return {
      cohort,
      requests: sum(own, (c) => c.requests),
      errors: sum(own, (c) => c.errors),
      stepRequests: sum(now, (c) => c.assigned),
      rows: sum(own, (c) => c.rows),
      effectiveRequests: effectiveSize(
        sum(own, (c) => c.requests),
        sum(own, (c) => c.requestsSq),
      ),
      newVisitors: sum(now, (c) => c.newVisitors),
      latencyMs,
    };
  });
}
