/**
 * The production metrics source: the Workers Analytics Engine SQL API
 * (docs/metrics-sql.md): POST the SQL text to
 * `<base>/accounts/<account>/analytics_engine/sql` with a bearer token; the
 * answer is `{meta, data, rows}` JSON. Every answer is validated before use.
 */

import * as v from "valibot";
import type { FetchLike } from "./fetch";
import { MetricsError, summarise } from "./metrics-source";
import type { MetricsQuery, MetricsSource, SummaryRow, WindowMetrics } from "./metrics-source";
import { countCell, millisecondsCell, parseAnswer, postQuery } from "./sql-api";
import { isSafeLiteral, summarySql } from "./sql";

export type { FetchLike } from "./fetch";

/** Cloudflare's API base; tests point it at a local server. */
export const CLOUDFLARE_API_BASE = "https://api.cloudflare.com/client/v4";
/** A query that has not answered by then is abandoned; the next run (a minute later) tries again. */
export const SQL_TIMEOUT_MS = 15_000;
/** The service's name in messages. */
const SERVICE = "SQL API";

/** Settings of a SqlMetricsSource. */
export interface SqlSourceOptions {
  readonly accountId: string;
  readonly apiToken: string;
  readonly baseUrl?: string;
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
}

/** One row of the summary query's answer (sql.ts SUMMARY_COLUMNS). */
const summaryRow = v.object({
  cohort: v.string(),
  outcome: v.string(),
  requests: countCell,
  status_errors: countCell,
  step_requests: countCell,
  p50_ms: millisecondsCell,
  p95_ms: millisecondsCell,
  p99_ms: millisecondsCell,
  rows_read: countCell,
});

/**
 * Parses an answer to the summary query into per-cohort figures. The local
 * collector's source parses its answers with this too, so the two cannot
 * read the same rows differently.
 */
export function parseSummaryAnswer(body: string, service: string): WindowMetrics {
  const rows: SummaryRow[] = parseAnswer(body, summaryRow, service).map((row) => ({
    cohort: row.cohort,
    outcome: row.outcome,
    requests: row.requests,
    statusErrors: row.status_errors,
    stepRequests: row.step_requests,
    p50: row.p50_ms,
    p95: row.p95_ms,
    p99: row.p99_ms,
    rows: row.rows_read,
  }));
  return summarise(rows);
}

/** Reads the analysis figures with one SQL API query per call. */
export class SqlMetricsSource implements MetricsSource {
  private readonly url: string;
  private readonly token: string;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(options: SqlSourceOptions) {
    const base = (options.baseUrl ?? CLOUDFLARE_API_BASE).replace(/\/+$/, "");
    this.url = `${base}/accounts/${encodeURIComponent(options.accountId)}/analytics_engine/sql`;
    this.token = options.apiToken;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.timeoutMs = options.timeoutMs ?? SQL_TIMEOUT_MS;
  }

  /** Runs the summary query; rejects with a MetricsError, never with anything else. */
  async read(query: MetricsQuery): Promise<WindowMetrics> {
    const unsafe = [query.key.slice(0, 96), query.currentRevision, ...query.revisions].find(
      (s) => !isSafeLiteral(s),
    );
    if (unsafe !== undefined) {
      throw new MetricsError(
        "bad_query",
        `cannot query for ${JSON.stringify(unsafe)}: not a hostname, key or revision`,
      );
    }
    const body = await postQuery({
      url: this.url,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "text/plain" },
      body: summarySql(query),
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      service: SERVICE,
    });
    return parseSummaryAnswer(body, SERVICE);
  }
}
