/**
 * The production metrics source: the Workers Analytics Engine SQL API
 * (docs/metrics-sql.md): POST the SQL text to
 * `<base>/accounts/<account>/analytics_engine/sql` with a bearer token; the
 * answer is `{meta, data, rows}` JSON. Every answer is validated before use.
 */

import * as v from "valibot";
import type { FetchLike } from "./fetch";
import type { AnalysisQuery } from "./analysis-query";
import { MetricsError, readWindow } from "./metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";
import { analysisSql, isSafeLiteral } from "./sql";

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

  /** Reads the window (readWindow: one or two queries); rejects with a MetricsError, never with anything else. */
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
    return readWindow(query, (q) => this.run(q));
  }

  /** One analysis query: its SQL posted, the answer's JSON (validated by the caller). */
  private async run(query: AnalysisQuery): Promise<unknown> {
    const body = await this.post(analysisSql(query));
    try {
      return JSON.parse(body);
    } catch {
      throw new MetricsError(
        "bad_response",
        `SQL API answered with something other than JSON: ${excerpt(body)}`,
      );
    }
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
