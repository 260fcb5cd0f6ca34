/**
 * The Analytics Engine adapter: writes each request's data point through the
 * column map of src/core/metrics.ts and never throws into the request path.
 */

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
