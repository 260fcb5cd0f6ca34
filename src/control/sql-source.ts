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
import { isSafeLiteral, summarySql } from "./sql";

export type { FetchLike } from "./fetch";

/** Cloudflare's API base; tests point it at a local server. */
export const CLOUDFLARE_API_BASE = "https://api.cloudflare.com/client/v4";
/** A query that has not answered by then is abandoned; the next run (a minute later) tries again. */
export const SQL_TIMEOUT_MS = 15_000;

/** Settings of a SqlMetricsSource. */
export interface SqlSourceOptions {
  readonly accountId: string;
  readonly apiToken: string;
  readonly baseUrl?: string;
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
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

const responseSchema = v.object({
  meta: v.array(v.object({ name: v.string(), type: v.string() })),
  data: v.array(
    v.object({
      cohort: v.string(),
      outcome: v.string(),
      requests: count,
      status_errors: count,
      step_requests: count,
      p50_ms: milliseconds,
      p95_ms: milliseconds,
      p99_ms: milliseconds,
      rows_read: count,
    }),
  ),
  rows: v.number(),
});

const errorEnvelope = v.object({
  errors: v.array(v.object({ message: v.string() })),
});

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
    const body = await this.post(summarySql(query));
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new MetricsError(
        "bad_response",
        `SQL API answered with something other than JSON: ${excerpt(body)}`,
      );
    }
    const parsed = v.safeParse(responseSchema, json);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where =
        issue === undefined
          ? ""
          : ` at ${v.getDotPath(issue) ?? "the top level"}: ${issue.message}`;
      throw new MetricsError(
        "bad_response",
        `SQL API answer is not in the expected {meta, data, rows} form${where}`,
      );
    }
    const rows: SummaryRow[] = parsed.output.data.map((row) => ({
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

  /** POSTs the SQL and returns the body text of a 2xx answer. */
  private async post(sql: string): Promise<string> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetch(this.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "text/plain" },
        body: sql,
        signal: controller.signal,
      });
      // The body is read under the same timer: a server that stalls mid-body is a timeout too.
      const text = await response.text();
      if (!response.ok) {
        throw new MetricsError(
          "http",
          `SQL API answered ${response.status}: ${errorMessage(text)}`,
          response.status,
        );
      }
      return text;
    } catch (error) {
      if (error instanceof MetricsError) {
        throw error;
      }
      if (timedOut) {
        throw new MetricsError("timeout", `SQL API did not answer within ${this.timeoutMs} ms`);
      }
      throw new MetricsError(
        "network",
        `SQL API could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The error's message: the SQL service answers in plain text, the API
 * gateway (authentication) in Cloudflare's `{errors: [{message}]}` envelope.
 */
function errorMessage(body: string): string {
  try {
    const parsed = v.safeParse(errorEnvelope, JSON.parse(body));
    if (parsed.success && parsed.output.errors.length > 0) {
      return excerpt(parsed.output.errors.map((e) => e.message).join("; "));
    }
  } catch {
    // Not JSON: the plain-text form.
  }
  return excerpt(body);
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 300
    ? `${oneLine.slice(0, 300)}...`
    : oneLine === ""
      ? "(empty body)"
      : oneLine;
}
