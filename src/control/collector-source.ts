/**
 * The local collector as both metrics interfaces (local runs only: `npm
 * start` / `npm run dev` set LOCAL_COLLECTOR_URL). The query objects are
 * passed through as JSON; the collector evaluates them with the JavaScript
 * twins of the SQL (recorded-source.ts `answerQuery`, series.ts
 * `seriesApiRows`) and answers in the SQL API's `{meta, data, rows}` form,
 * which is read here by the very functions that read the SQL API's answers
 * (metrics-source.ts `readWindow`, series.ts `parseSeriesAnswer`). So when
 * the analysis query changes, local figures follow.
 */

import type { AnalysisQuery } from "./analysis-query";
import type { FetchLike } from "./fetch";
import { readWindow } from "./metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "./metrics-source";
import { parseSeriesAnswer } from "./series";
import type { SeriesPoint, SeriesQuery, SeriesSource } from "./series";
import { parseJsonAnswer, postQuery } from "./sql-api";

/** Paths of the collector's query endpoints (src/collector/server.ts). */
export const COLLECTOR_PATHS = {
  points: "/points",
  analysis: "/query/analysis",
  series: "/query/series",
  health: "/health",
} as const;

/** The collector is on this machine: a query that takes longer has hung. */
const COLLECTOR_TIMEOUT_MS = 5_000;
const SERVICE = "local collector";

/** Reads figures from the local collector at `baseUrl` (e.g. `http://127.0.0.1:8703`). */
export class CollectorMetrics implements MetricsSource, SeriesSource {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly fetch: FetchLike = (url, init) => globalThis.fetch(url, init),
    private readonly timeoutMs = COLLECTOR_TIMEOUT_MS,
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  /** The controller's figures: each analysis query of readWindow, evaluated by the collector. */
  read(query: MetricsQuery): Promise<WindowMetrics> {
    return readWindow(query, async (q) =>
      parseJsonAnswer(await this.post(COLLECTOR_PATHS.analysis, q), SERVICE),
    );
  }

  /** The per-bucket series, evaluated by the collector. */
  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    return parseSeriesAnswer(await this.post(COLLECTOR_PATHS.series, query), SERVICE);
  }

  private post(path: string, query: AnalysisQuery | SeriesQuery): Promise<string> {
    return postQuery({
      url: `${this.base}${path}`,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query }),
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      service: SERVICE,
    });
  }
}
