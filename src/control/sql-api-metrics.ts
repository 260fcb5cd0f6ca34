/**
 * The Analytics Engine SQL API as both metrics interfaces: the controller's
 * summary (delegated to SqlMetricsSource, unchanged) and the operator's
 * series (series.ts). The CLI's `--remote` reads through this.
 */

import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";
import { MetricsError } from "./metrics-source";
import { parseSeriesAnswer, seriesSql } from "./series";
import type { SeriesPoint, SeriesQuery, SeriesSource } from "./series";
import { postQuery } from "./sql-api";
import { CLOUDFLARE_API_BASE, SQL_TIMEOUT_MS, SqlMetricsSource } from "./sql-source";
import type { SqlSourceOptions } from "./sql-source";
import { isSafeLiteral } from "./sql";

const SERVICE = "SQL API";

/** Summary and series from the SQL API, with one account and token. */
export class SqlApiMetrics implements MetricsSource, SeriesSource {
  private readonly summary: SqlMetricsSource;

  constructor(private readonly options: SqlSourceOptions) {
    this.summary = new SqlMetricsSource(options);
  }

  /** The controller's figures (sql.ts `analysisSql`, through readWindow). */
  read(query: MetricsQuery): Promise<WindowMetrics> {
    return this.summary.read(query);
  }

  /** The per-bucket series (series.ts `seriesSql`). */
  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const unsafe = [query.key.slice(0, 96), query.revision ?? "default"].find(
      (s) => !isSafeLiteral(s),
    );
    if (unsafe !== undefined) {
      throw new MetricsError(
        "bad_query",
        `cannot query for ${JSON.stringify(unsafe)}: not a hostname, key or revision`,
      );
    }
    const base = (this.options.baseUrl ?? CLOUDFLARE_API_BASE).replace(/\/+$/, "");
    const body = await postQuery({
      url: `${base}/accounts/${encodeURIComponent(this.options.accountId)}/analytics_engine/sql`,
      headers: { Authorization: `Bearer ${this.options.apiToken}`, "Content-Type": "text/plain" },
      body: seriesSql(query),
      fetch: this.options.fetch ?? ((url, init) => fetch(url, init)),
      timeoutMs: this.options.timeoutMs ?? SQL_TIMEOUT_MS,
      service: SERVICE,
    });
    return parseSeriesAnswer(body, SERVICE);
  }
}
