/**
 * The production metrics source: the Workers Analytics Engine SQL API
 * (docs/metrics.md): POST the SQL text to
 * `<base>/accounts/<account>/analytics_engine/sql` with a bearer token; the
 * answer is `{meta, data, rows}` JSON. Every answer is validated before use.
 */

import type { FetchLike } from "./fetch";
import type { AnalysisQuery } from "./analysis-query";
import { MetricsError, readWindow } from "./metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";
import { parseJsonAnswer, postQuery } from "./sql-api";
import { analysisSql, isSafeLiteral } from "./sql";

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

  /** One analysis query: its SQL posted, the answer's JSON (validated by readWindow). */
  private async run(query: AnalysisQuery): Promise<unknown> {
    const body = await postQuery({
      url: this.url,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "text/plain" },
      body: analysisSql(query),
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      service: SERVICE,
    });
    return parseJsonAnswer(body, SERVICE);
  }
}
