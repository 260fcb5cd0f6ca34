/**
 * The metrics adapters: the Analytics Engine writer (through the column map of
 * src/core/metrics.ts) and, in local runs only, a copy of each data point to
 * the local collector. Neither ever throws into the request path.
 */

import { collectorUrl } from "../core/local-collector";
import { toDataPoint } from "../core/metrics";
import type { RequestMetrics } from "../core/metrics";

/** Where data points go. Implementations must never throw. */
export interface MetricsSink {
  record(point: RequestMetrics): void;
}

/** A sink writing to a Workers Analytics Engine dataset; swallows and logs write errors. */
export function analyticsEngineSink(
  dataset: AnalyticsEngineDataset,
  log: (message: string) => void = (m) => console.error(m),
): MetricsSink {
  return {
    record(point) {
      try {
        dataset.writeDataPoint(toDataPoint(point));
      } catch (error) {
        // Metrics must never break a request; the loss is visible in the logs.
        log(`gray-router: could not write a data point: ${String(error)}`);
      }
    },
  };
}

/** A collector that has not taken a point by then is skipped: the point is lost, nothing waits. */
export const COLLECTOR_SEND_TIMEOUT_MS = 1_000;
/** The collector's endpoint for data points (src/collector/server.ts). */
export const COLLECTOR_POINTS_PATH = "/points";

/** How the sink hands work to the runtime after the response (`waitUntil` of `cloudflare:workers`). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * A sink that POSTs each data point (positional form, JSON) to the local
 * collector at `url`. The send runs after the response, under `waitUntil`,
 * with a short timeout; a dead, slow or failing collector costs the request
 * nothing and is ignored (local analytics are best effort).
 */
export function collectorSink(
  url: string,
  waitUntil: WaitUntil,
  fetcher: typeof fetch = fetch,
): MetricsSink {
  return {
    record(point) {
      try {
        const sent = fetcher(`${url}${COLLECTOR_POINTS_PATH}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(toDataPoint(point)),
          signal: AbortSignal.timeout(COLLECTOR_SEND_TIMEOUT_MS),
        })
          .then((response) => response.body?.cancel())
          .catch(() => undefined);
        waitUntil(sent);
      } catch {
        // Best effort: never into the request path.
      }
    },
  };
}

/** Both sinks: every point to each. */
function bothSinks(first: MetricsSink, second: MetricsSink): MetricsSink {
  return {
    record(point) {
      first.record(point);
      second.record(point);
    },
  };
}

/**
 * The router's sink: Analytics Engine, plus the local collector when the
 * LOCAL_COLLECTOR_URL var holds a loopback URL (src/core/local-collector.ts).
 * Unset, it is exactly the Analytics Engine sink: no extra work, no subrequest.
 */
export function routerSink(
  dataset: AnalyticsEngineDataset,
  localCollector: string | undefined,
  waitUntil: WaitUntil,
): MetricsSink {
  const engine = analyticsEngineSink(dataset);
  if (localCollector === undefined || localCollector === "") {
    return engine;
  }
  const url = collectorUrl(localCollector);
  return url === null ? engine : bothSinks(engine, collectorSink(url, waitUntil));
}
