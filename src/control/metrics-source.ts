/**
 * Where the controller gets its figures: per stratum (revision), cohort and
 * bucket cluster over the analysis window. Two adapters carry the analysis
 * queries (sql.ts renders them): the Analytics Engine SQL API
 * (sql-source.ts, production) and recorded data points (recorded-source.ts,
 * the JS twin, for tests, the simulation and the local collector). Both hand
 * their answers to `readWindow`, so the order of the queries, the row schema
 * and the folding of rows into the judge's input live in one place.
 */

import { STABLE } from "../core/cohort";
import type { LatencyQuantile } from "../core/judge";
import { limitThreshold, LATENCY_QUANTILES } from "../core/judge";
import type { AnalysisQuery, LatencyThreshold } from "./analysis-query";
import { foldWindow, parseCellAnswer, parseQuantileAnswer } from "./analysis-rows";
import type { WindowMetrics } from "./analysis-rows";

export type { AnalysisQuery, LatencyThreshold } from "./analysis-query";
export type { CohortTotals, WindowMetrics } from "./analysis-rows";
export { cohortTotals } from "./analysis-rows";

/** What to read: one rollout key, the analysis's revisions, how far back, which latency limits. */
export interface MetricsQuery {
  /** Rollout key (`index1`, at most 96 characters as written). */
  readonly key: string;
  /** Revisions (`blob5`) whose data belong to the analysis: the strata. */
  readonly revisions: readonly string[];
  /** The revision in effect now: its weights-decided requests feed the sample-ratio check. */
  readonly currentRevision: string;
  /** Look back this many seconds from now. */
  readonly lookbackSeconds: number;
  /** Maximum canary/stable ratio of each compared latency quantile; empty: no latency figures. */
  readonly latencyLimits: Readonly<Partial<Record<LatencyQuantile, number>>>;
  /** A latency increase of at most this many ms is always within the limit. */
  readonly minLatencyDeltaMs: number;
}

/** Reads figures for the controller. Rejects with a MetricsError when it cannot. */
export interface MetricsSource {
  read(query: MetricsQuery): Promise<WindowMetrics>;
}

export type { MetricsErrorCode } from "./metrics-error";
export { MetricsError } from "./metrics-error";

/**
 * Runs one analysis query and resolves to the answer's JSON as received
 * (`{meta, data, rows}`); rejects with a MetricsError. Each adapter supplies
 * one: it only carries the query there and the answer back.
 */
export type RunQuery = (query: AnalysisQuery) => Promise<unknown>;

/**
 * Reads the analysis window with at most two queries: first, when a latency
 * check is on, each revision's and cohort's latency quantiles; then the cells
 * (per revision, cohort and bucket cluster), counting per cluster the `ok`
 * requests at or below stable's quantile and at or below the limit. The
 * thresholds must be known before the second query can count against them,
 * and Analytics Engine's SQL has no JOIN or scalar subquery to do both at
 * once (docs/canary-analysis.md, "What is measured").
 */
export async function readWindow(query: MetricsQuery, run: RunQuery): Promise<WindowMetrics> {
  const base = {
    key: query.key,
    revisions: query.revisions,
    lookbackSeconds: query.lookbackSeconds,
  };
  const compared = LATENCY_QUANTILES.filter((q) => query.latencyLimits[q] !== undefined);
  const quantiles =
    compared.length === 0 ? [] : parseQuantileAnswer(await run({ kind: "quantiles", ...base }));
  const thresholds: LatencyThreshold[] = [];
  for (const row of quantiles.filter((r) => r.cohort === STABLE)) {
    for (const quantile of compared) {
      const stableMs = row.quantiles[quantile]?.ms;
      const maxRatio = query.latencyLimits[quantile];
      if (stableMs !== undefined && maxRatio !== undefined) {
        thresholds.push({
          revision: row.stratum,
          quantile,
          below: stableMs,
          within: limitThreshold(stableMs, maxRatio, query.minLatencyDeltaMs),
        });
      }
    }
  }
  const cellQuery: AnalysisQuery = { kind: "cells", ...base, thresholds };
  const cells = parseCellAnswer(cellQuery, await run(cellQuery));
  return foldWindow(query.revisions, query.currentRevision, cells, quantiles);
}
