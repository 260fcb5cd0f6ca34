/**
 * The JS twin of the analysis SQL: from captured data points (a recording
 * Analytics Engine dataset, the local collector's store, the simulation), the
 * rows the SQL API would answer to the analysis queries (sql.ts), in its
 * `{meta, data, rows}` form. Points are decoded through the column map
 * (src/core/metrics.ts), filtered like the SQL's WHERE clause, and summed per
 * revision, cohort and bucket cluster, with `quantileExactWeighted`'s choice
 * of quantile. `answerQuery` is the pure entry point; `WindowAggregate` is the
 * same computation kept up to date point by point (the simulation adds and
 * drops points as its window moves instead of re-reading them all).
 */

import { COLUMNS } from "../core/metrics";
import type { RequestMetrics } from "../core/metrics";
import { WEIGHTS_DECISION, isAnalysed, isError } from "../core/error-rule";
import { LATENCY_QUANTILES, quantileLevels } from "../core/judge";
import {
  CELL_COLUMNS,
  CLUSTERS,
  cellQueryColumns,
  countedQuantiles,
  latencyColumns,
  quantileColumns,
  QUANTILE_QUERY_COLUMNS,
} from "./analysis-query";
import type { AnalysisQuery, CellQuery } from "./analysis-query";
import { readWindow } from "./metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";

/** The shape of an Analytics Engine data point (structurally `AnalyticsEngineDataPoint`). */
export interface DataPointLike {
  readonly indexes?: readonly (string | ArrayBuffer | null)[];
  readonly blobs?: readonly (string | ArrayBuffer | null)[];
  readonly doubles?: readonly number[];
}

/** A captured data point and when it was written (ms since the epoch). */
export interface RecordedPoint {
  readonly at: number;
  readonly point: DataPointLike;
  /** Rows stand for this many requests, as Analytics Engine sampling would make them; default 1. */
  readonly sampleInterval?: number;
}

/**
 * The fields the analysis reads from a data point. `outcome` and `visitor`
 * stay plain strings: a value the router does not write is treated by the
 * shared rules (an unknown outcome is an error, an unknown visitor is not
 * new) rather than trusted as one of its literals.
 */
export type DecodedPoint = Pick<
  RequestMetrics,
  "rolloutKey" | "cohort" | "revision" | "decidedBy" | "status" | "durationMs" | "bucket"
> & {
  readonly outcome: string;
  readonly visitor: string;
};

/** Decodes the fields the analysis needs; null when the point lacks one of them. */
export function decodeDataPoint(point: DataPointLike): DecodedPoint | null {
  const text = (field: keyof RequestMetrics): string | null => {
    const value = cell(point, field);
    return typeof value === "string" ? value : null;
  };
  const number = (field: keyof RequestMetrics): number | null => {
    const value = cell(point, field);
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  };
  const rolloutKey = text("rolloutKey");
  const cohort = text("cohort");
  const outcome = text("outcome");
  const revision = text("revision");
  const decidedBy = text("decidedBy");
  const status = number("status");
  const durationMs = number("durationMs");
  const bucket = number("bucket");
  if (
    rolloutKey === null ||
    cohort === null ||
    outcome === null ||
    revision === null ||
    decidedBy === null ||
    status === null ||
    durationMs === null ||
    bucket === null
  ) {
    return null;
  }
  // A point written before blob11 existed has no visitor column: not a new visitor.
  const visitor = text("visitor") ?? "";
  return { rolloutKey, cohort, outcome, revision, decidedBy, status, durationMs, bucket, visitor };
}

/** Where each field sits, from the column map: computed once, since decoding runs per data point. */
const POSITIONS = new Map<
  string,
  { readonly kind: "index" | "blob" | "double"; readonly position: number }
>();
for (const [name, field] of Object.entries(COLUMNS)) {
  const match = /^(index|blob|double)(\d+)$/.exec(name);
  const kind = match?.[1];
  if (kind === "index" || kind === "blob" || kind === "double") {
    POSITIONS.set(field, { kind, position: Number(match?.[2]) - 1 });
  }
}

/** The raw value in the column that holds `field`. */
function cell(
  point: DataPointLike,
  field: keyof RequestMetrics,
): string | number | ArrayBuffer | null | undefined {
  const at = POSITIONS.get(field);
  if (at === undefined) {
    return undefined;
  }
  if (at.kind === "index") {
    return point.indexes?.[at.position];
  }
  return at.kind === "blob" ? point.blobs?.[at.position] : point.doubles?.[at.position];
}

/** The window's start (ms) for a query at `now`: the SQL's `timestamp > NOW() - INTERVAL 's' SECOND`. */
export function windowStart(query: Pick<AnalysisQuery, "lookbackSeconds">, now: number): number {
  return now - Math.max(1, Math.ceil(query.lookbackSeconds)) * 1000;
}

/** The SQL's WHERE clause on the rollout key and the analysed traffic (QA and breaker traffic out). */
export function analysedFor(point: DecodedPoint, key: string): boolean {
  return point.rolloutKey === key.slice(0, 96) && isAnalysed(point.decidedBy);
}

/** The SQL's WHERE clause, except the time: rollout key, analysed traffic, the analysis's revisions. */
export function inQuery(
  point: DecodedPoint,
  query: Pick<AnalysisQuery, "key" | "revisions">,
): boolean {
  return analysedFor(point, query.key) && query.revisions.includes(point.revision);
}

/** The SQL API's answer: column names and types, the rows, and their number. */
export interface SqlAnswer {
  readonly meta: readonly { readonly name: string; readonly type: string }[];
  readonly data: readonly Readonly<Record<string, string | number | null>>[];
  readonly rows: number;
}

/** Running sums of one (revision, cohort, cluster) cell. */
interface Sums {
  rows: number;
  requests: number;
  requestsSq: number;
  errors: number;
  okRows: number;
  ok: number;
  okSq: number;
  assigned: number;
  newRows: number;
  newVisitors: number;
  newSq: number;
  /** `ok` latencies: value (ms) -> Σw. */
  latency: Map<number, number>;
  /** Sorted values and cumulative weights of `latency`, rebuilt when it changed. */
  sorted: { values: Float64Array; cumulative: Float64Array } | null;
}

function emptySums(): Sums {
  return {
    rows: 0,
    requests: 0,
    requestsSq: 0,
    errors: 0,
    okRows: 0,
    ok: 0,
    okSq: 0,
    assigned: 0,
    newRows: 0,
    newVisitors: 0,
    newSq: 0,
    latency: new Map(),
    sorted: null,
  };
}

/** Sorted values with cumulative weights of a value -> weight map. */
function sortedOf(latency: ReadonlyMap<number, number>): {
  values: Float64Array;
  cumulative: Float64Array;
} {
  const values = Float64Array.from(latency.keys()).sort();
  const cumulative = new Float64Array(values.length);
  let total = 0;
  values.forEach((value, i) => {
    total += latency.get(value) ?? 0;
    cumulative[i] = total;
  });
  return { values, cumulative };
}

/** Σw of the values at or below `limit`. */
function weightAtOrBelow(
  sorted: { values: Float64Array; cumulative: Float64Array },
  limit: number,
): number {
  let lo = 0;
  let hi = sorted.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted.values[mid] ?? 0) <= limit) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo === 0 ? 0 : (sorted.cumulative[lo - 1] ?? 0);
}

/**
 * The analysis sums of a set of data points, per revision, cohort and bucket
 * cluster, kept as points are added and removed; `answer` renders them as
 * the SQL API's answer to an analysis query. Points must already match the
 * query's key, traffic and time (`inQuery`, `windowStart`); revisions are
 * picked at answer time.
 */
export class WindowAggregate {
  private readonly cells = new Map<string, Map<string, Map<number, Sums>>>();
  /** Merged `ok` latencies per revision and cohort, kept until one of its cells changes. */
  private readonly merged = new Map<string, { values: Float64Array; cumulative: Float64Array }>();

  /** Adds (sign 1) or removes (sign −1) one point standing for `weight` requests. */
  add(point: DecodedPoint, weight: number, sign: 1 | -1 = 1): void {
    const cohorts = this.cells.get(point.revision) ?? new Map<string, Map<number, Sums>>();
    this.cells.set(point.revision, cohorts);
    const clusters = cohorts.get(point.cohort) ?? new Map<number, Sums>();
    cohorts.set(point.cohort, clusters);
    const cluster = point.bucket % CLUSTERS;
    const s = clusters.get(cluster) ?? emptySums();
    clusters.set(cluster, s);
    const w = sign * weight;
    const w2 = sign * weight * weight;
    s.rows += sign;
    s.requests += w;
    s.requestsSq += w2;
    if (isError(point.status, point.outcome)) {
      s.errors += w;
    }
    if (point.outcome === "ok") {
      s.okRows += sign;
      s.ok += w;
      s.okSq += w2;
      const left = (s.latency.get(point.durationMs) ?? 0) + w;
      if (left > 0) {
        s.latency.set(point.durationMs, left);
      } else {
        s.latency.delete(point.durationMs);
      }
      s.sorted = null;
      this.merged.delete(`${point.revision}\u0000${point.cohort}`);
    }
    if (point.decidedBy === WEIGHTS_DECISION) {
      s.assigned += w;
      if (point.visitor === "new") {
        s.newRows += sign;
        s.newVisitors += w;
        s.newSq += w2;
      }
    }
    if (s.rows === 0) {
      clusters.delete(cluster);
    }
  }

  /** The SQL API's answer to `query` over the points added (and not removed). */
  answer(query: AnalysisQuery): SqlAnswer {
    const data = query.kind === "quantiles" ? this.quantileRows(query) : this.cellRows(query);
    const columns = query.kind === "quantiles" ? QUANTILE_QUERY_COLUMNS : cellQueryColumns(query);
    return {
      meta: columns.map((name) => ({ name, type: columnType(name) })),
      data,
      rows: data.length,
    };
  }

  /** The cohorts of the query's revisions, in the SQL's ORDER BY (revision, cohort). */
  private groups(query: AnalysisQuery): [string, string, Map<number, Sums>][] {
    const groups: [string, string, Map<number, Sums>][] = [];
    for (const revision of [...new Set(query.revisions)].sort(byText)) {
      const cohorts = this.cells.get(revision);
      for (const cohort of [...(cohorts?.keys() ?? [])].sort(byText)) {
        const clusters = cohorts?.get(cohort);
        if (clusters !== undefined && clusters.size > 0) {
          groups.push([revision, cohort, clusters]);
        }
      }
    }
    return groups;
  }

  private quantileRows(query: AnalysisQuery): Record<string, string | number | null>[] {
    const rows: Record<string, string | number | null>[] = [];
    for (const [revision, cohort, clusters] of this.groups(query)) {
      let okRows = 0;
      for (const s of clusters.values()) {
        okRows += s.okRows;
      }
      if (okRows === 0) {
        continue;
      }
      const id = `${revision}\u0000${cohort}`;
      let sorted = this.merged.get(id);
      if (sorted === undefined) {
        const merged = new Map<number, number>();
        for (const s of clusters.values()) {
          for (const [value, weight] of s.latency) {
            merged.set(value, (merged.get(value) ?? 0) + weight);
          }
        }
        sorted = sortedOf(merged);
        this.merged.set(id, sorted);
      }
      const row: Record<string, string | number | null> = { revision, cohort, rows_read: okRows };
      for (const q of LATENCY_QUANTILES) {
        const [low, at, high] = quantileLevels(q);
        const c = quantileColumns(q);
        row[c.low] = exactWeightedQuantile(sorted, low);
        row[c.at] = exactWeightedQuantile(sorted, at);
        row[c.high] = exactWeightedQuantile(sorted, high);
      }
      rows.push(row);
    }
    return rows;
  }

  private cellRows(query: CellQuery): Record<string, string | number | null>[] {
    const counted = countedQuantiles(query);
    const rows: Record<string, string | number | null>[] = [];
    for (const [revision, cohort, clusters] of this.groups(query)) {
      const limits = counted.map((q) => {
        const t = query.thresholds.find((x) => x.quantile === q && x.revision === revision);
        return { q, below: t?.below ?? -1, within: t?.within ?? -1 };
      });
      for (const cluster of [...clusters.keys()].sort((a, b) => a - b)) {
        const s = clusters.get(cluster);
        if (s === undefined) {
          continue;
        }
        const row: Record<string, string | number | null> = {
          revision,
          cohort,
          cluster,
          rows_read: s.rows,
          requests: s.requests,
          requests_sq: s.requestsSq,
          errors: s.errors,
          ok_rows: s.okRows,
          ok_requests: s.ok,
          ok_sq: s.okSq,
          assigned: s.assigned,
          new_rows: s.newRows,
          new_visitors: s.newVisitors,
          new_sq: s.newSq,
        };
        if (limits.length > 0) {
          s.sorted ??= sortedOf(s.latency);
          for (const { q, below, within } of limits) {
            const c = latencyColumns(q);
            row[c.below] = weightAtOrBelow(s.sorted, below);
            row[c.within] = weightAtOrBelow(s.sorted, within);
          }
        }
        rows.push(row);
      }
    }
    return rows;
  }
}

/** Byte order of ASCII text, as ClickHouse sorts strings. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The type the SQL API would report for a column (informational only). */
function columnType(name: string): string {
  if (name === "revision" || name === "cohort") {
    return "String";
  }
  if (
    (CELL_COLUMNS as readonly string[]).includes(name) ||
    name.endsWith("_below") ||
    name.endsWith("_within")
  ) {
    return name === "cluster" ? "Float64" : "UInt64";
  }
  return "Float64";
}

/**
 * The SQL API's answer to one analysis query from captured points at `now`:
 * the pure JS twin of `analysisSql(query)` (sql.ts).
 */
export function answerQuery(
  points: readonly RecordedPoint[],
  query: AnalysisQuery,
  now: number,
): SqlAnswer {
  const since = windowStart(query, now);
  const aggregate = new WindowAggregate();
  for (const recorded of points) {
    if (recorded.at <= since) {
      continue;
    }
    const point = decodeDataPoint(recorded.point);
    if (point !== null && inQuery(point, query)) {
      aggregate.add(point, recorded.sampleInterval ?? 1);
    }
  }
  return aggregate.answer(query);
}

/** Answers like the SQL API would, from captured data points. */
export class RecordedMetricsSource implements MetricsSource {
  constructor(
    private readonly points: () => readonly RecordedPoint[],
    private readonly now: () => number,
  ) {}

  /** Reads the window through the twin; never rejects on its own. */
  read(query: MetricsQuery): Promise<WindowMetrics> {
    return readWindow(query, (q) => Promise.resolve(answerQuery(this.points(), q, this.now())));
  }
}

/**
 * ClickHouse's `quantileExactWeighted`: the smallest value whose cumulative
 * weight reaches level × total weight (an actual observed value, no
 * interpolation). Null for no values, like the SQL's NaN.
 */
function exactWeightedQuantile(
  sorted: { values: Float64Array; cumulative: Float64Array },
  level: number,
): number | null {
  const n = sorted.values.length;
  const total = n > 0 ? (sorted.cumulative[n - 1] ?? 0) : 0;
  if (n === 0 || !(total > 0)) {
    return null;
  }
  const threshold = level * total;
  for (let i = 0; i < n; i++) {
    if ((sorted.cumulative[i] ?? 0) >= threshold) {
      return sorted.values[i] ?? null;
    }
  }
  return sorted.values[n - 1] ?? null;
}

/** `quantileExactWeighted` over plain (value, weight) pairs; null for no weight. */
export function weightedQuantile(
  values: readonly { value: number; weight: number }[],
  level: number,
): number | null {
  const map = new Map<number, number>();
  for (const { value, weight } of values) {
    if (weight > 0) {
      map.set(value, (map.get(value) ?? 0) + weight);
    }
  }
  return exactWeightedQuantile(sortedOf(map), level);
}
