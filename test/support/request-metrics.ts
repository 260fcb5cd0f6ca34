import type { RequestMetrics } from "../../src/core/metrics";

/** A data point's fields as the router fills them for a plain request, with `fields` on top. */
export function requestMetrics(fields: Partial<RequestMetrics> = {}): RequestMetrics {
  return {
    rolloutKey: "default",
    cohort: "stable",
    outcome: "ok",
    host: "www.example.com",
    method: "GET",
    revision: "rev00001",
    configState: "fresh",
    colo: "",
    status: 200,
    ttfbMs: 5,
    durationMs: 20,
    bucket: 100,
    weightPercent: 90,
    bytes: 10,
    decidedBy: "weights",
    detail: "",
    breaker: "",
    visitor: "returning",
    ...fields,
  };
}
