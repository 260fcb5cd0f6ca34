/**
 * Per-request metrics and the Analytics Engine adapter. This is the only file
 * that knows the column map; README.md ("Metrics") documents the same map.
 */

/** How a proxied request ended. */
export type Outcome =
  /** The origin answered (any status) and the body reached the client whole. */
  | "ok"
  /** The cohort's origin failed and the request was answered by `stable` instead. */
  | "failover"
  /** Network error talking to the origin before it answered (client got 502). */
  | "origin_error"
  /** The origin sent no response headers within the timeout (client got 504). */
  | "timeout"
  /** The origin's body failed mid-stream; the client saw a broken response. */
  | "stream_error"
  /** The client went away before the body finished. */
  | "client_abort"
  /** No valid rollout for the host (client got 503). */
  | "config_error"
  /** A bug in the router (client got a generic 503; the stack is in the logs). */
  | "internal_error";

/** One data point: everything recorded about one proxied request. */
export interface RequestMetrics {
  readonly rolloutKey: string;
  readonly cohort: string;
  readonly outcome: Outcome;
  readonly host: string;
  readonly method: string;
  readonly revision: string;
  readonly configState: "fresh" | "stale" | "none";
  readonly colo: string;
  /** Status the origin answered with; 0 if it never did. */
  readonly status: number;
  /** Milliseconds from forwarding to the origin's response headers. */
  readonly ttfbMs: number;
  /** Milliseconds from the request's arrival to the end of the response body. */
  readonly durationMs: number;
  /** Visitor bucket 0..9999, or -1 when no decision was made. */
  readonly bucket: number;
  /** Weight of the cohort in percent at decision time. */
  readonly weightPercent: number;
  /** Response body bytes passed to the client. */
  readonly bytes: number;
  /** What chose the cohort: `weights`, `rule`, `override` (QA token), `breaker` (diverted to stable). */
  readonly decidedBy: string;
  /** The deciding rule's name, or why a presented QA token was ignored (`expired`, ...). */
  readonly detail: string;
  /** Breaker transition caused by this request: `open`, `half_open`, `closed`, or empty. */
  readonly breaker: string;
}

/** Where data points go. Implementations must never throw. */
export interface MetricsSink {
  record(point: RequestMetrics): void;
}

/** The column map, in Analytics Engine's positional terms. */
export const COLUMNS = {
  index1: "rolloutKey",
  blob1: "cohort",
  blob2: "outcome",
  blob3: "host",
  blob4: "method",
  blob5: "revision",
  blob6: "configState",
  blob7: "colo",
  blob8: "decidedBy",
  blob9: "detail",
  blob10: "breaker",
  double1: "status",
  double2: "ttfbMs",
  double3: "durationMs",
  double4: "bucket",
  double5: "weightPercent",
  double6: "bytes",
} as const;

/** Converts a data point to Analytics Engine's positional form (see COLUMNS). */
export function toDataPoint(point: RequestMetrics): AnalyticsEngineDataPoint {
  return {
    indexes: [point.rolloutKey.slice(0, 96)],
    blobs: [
      point.cohort,
      point.outcome,
      point.host,
      point.method,
      point.revision,
      point.configState,
      point.colo,
      point.decidedBy,
      point.detail,
      point.breaker,
    ],
    doubles: [
      point.status,
      point.ttfbMs,
      point.durationMs,
      point.bucket,
      point.weightPercent,
      point.bytes,
    ],
  };
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
