/**
 * A metrics source over data points captured from the router (a recording
 * Analytics Engine dataset), for tests and the simulation. It decodes each
 * point through the column map (src/edge/metrics.ts COLUMNS), applies the same
 * filters as the SQL (sql.ts), and computes what the SQL API would answer,
 * including `quantileExactWeighted`'s choice of quantile.
 */

import { COLUMNS } from "../core/metrics";
import type { RequestMetrics } from "../core/metrics";
import { summarise } from "./metrics-source";
import type { MetricsQuery, MetricsSource, SummaryRow, WindowMetrics } from "./metrics-source";
import { ERROR_STATUS, WEIGHTS_DECISION, isAnalysed } from "../core/error-rule";
import { QUANTILES } from "./sql";
import type { SUMMARY_COLUMNS } from "./sql";

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
 * The fields the analysis reads from a data point. `outcome` stays a plain
 * string: a value the router does not write is treated as an error by the
 * shared rule rather than trusted as one of its literals.
 */
export type DecodedPoint = Pick<
  RequestMetrics,
  "rolloutKey" | "cohort" | "revision" | "decidedBy" | "status" | "durationMs"
> & {
  readonly outcome: string;
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
  if (
    rolloutKey === null ||
    cohort === null ||
    outcome === null ||
    revision === null ||
    decidedBy === null ||
    status === null ||
    durationMs === null
  ) {
    return null;
  }
  return { rolloutKey, cohort, outcome, revision, decidedBy, status, durationMs };
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

/** Answers like the SQL API would, from captured data points. */
export class RecordedMetricsSource implements MetricsSource {
  constructor(
    private readonly points: () => readonly RecordedPoint[],
    private readonly now: () => number,
  ) {}

  /** Aggregates the points that match the query; never rejects. */
  read(query: MetricsQuery): Promise<WindowMetrics> {
    return Promise.resolve(summarise(summaryRows(this.points(), query, this.now())));
  }
}

/**
 * The JS twin of the summary query (sql.ts `summarySql`): the rows the SQL
 * API would answer for `query` at `now`, from captured data points.
 */
export function summaryRows(
  points: readonly RecordedPoint[],
  query: MetricsQuery,
  now: number,
): SummaryRow[] {
  const since = now - Math.max(1, Math.ceil(query.lookbackSeconds)) * 1000;
  const key = query.key.slice(0, 96);
  const groups = new Map<
    string,
    { cohort: string; outcome: string; rows: { weight: number; point: DecodedPoint }[] }
  >();
  for (const recorded of points) {
    const point = decodeDataPoint(recorded.point);
    if (
      point === null ||
      recorded.at <= since ||
      point.rolloutKey !== key ||
      !isAnalysed(point.decidedBy) ||
      !query.revisions.includes(point.revision)
    ) {
      continue;
    }
    const id = `${point.cohort}\u0000${point.outcome}`;
    const group = groups.get(id) ?? { cohort: point.cohort, outcome: point.outcome, rows: [] };
    group.rows.push({ weight: recorded.sampleInterval ?? 1, point });
    groups.set(id, group);
  }
  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const sum = (keep: (p: DecodedPoint) => boolean): number =>
      group.rows.reduce((total, r) => total + (keep(r.point) ? r.weight : 0), 0);
    const durations = group.rows.map((r) => ({ value: r.point.durationMs, weight: r.weight }));
    rows.push({
      cohort: group.cohort,
      outcome: group.outcome,
      requests: sum(() => true),
      statusErrors: sum((p) => p.status >= ERROR_STATUS),
      stepRequests: sum(
        (p) => p.revision === query.currentRevision && p.decidedBy === WEIGHTS_DECISION,
      ),
      p50: weightedQuantile(durations, QUANTILES.p50),
      p95: weightedQuantile(durations, QUANTILES.p95),
      p99: weightedQuantile(durations, QUANTILES.p99),
      rows: group.rows.length,
    });
  }
  return rows;
}

/**
 * The same rows in the SQL API's answer shape (columns named as in
 * sql.ts `SUMMARY_COLUMNS`): what the local collector answers the
 * controller and the CLI, who parse it like an SQL API answer.
 */
export function summaryApiRows(
  points: readonly RecordedPoint[],
  query: MetricsQuery,
  now: number,
): Record<(typeof SUMMARY_COLUMNS)[number], string | number | null>[] {
  return summaryRows(points, query, now).map((row) => ({
    cohort: row.cohort,
    outcome: row.outcome,
    requests: row.requests,
    status_errors: row.statusErrors,
    step_requests: row.stepRequests,
    p50_ms: row.p50,
    p95_ms: row.p95,
    p99_ms: row.p99,
    rows_read: row.rows,
  }));
}

/**
 * ClickHouse's `quantileExactWeighted`: the smallest value whose cumulative
 * weight reaches level × total weight (an actual observed value, no
 * interpolation). Null for no values, like the SQL's NaN.
 */
export function weightedQuantile(
  values: readonly { value: number; weight: number }[],
  level: number,
): number | null {
  const sorted = values.filter((v) => v.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, v) => sum + v.weight, 0);
  if (sorted.length === 0 || !(total > 0)) {
    return null;
  }
  const threshold = level * total;
  let cumulative = 0;
  for (const { value, weight } of sorted) {
    cumulative += weight;
    if (cumulative >= threshold) {
      return value;
    }
  }
  return sorted[sorted.length - 1]?.value ?? null;
}
