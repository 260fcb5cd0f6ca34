import { toDataPoint } from "../../src/core/metrics";
import type { RequestMetrics } from "../../src/core/metrics";
import type { PositionalPoint } from "../../src/core/metrics";

/** A data point as the router writes it, with defaults for what a test does not care about. */
export function dataPoint(fields: Partial<RequestMetrics> = {}): PositionalPoint {
  return toDataPoint({
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
  });
}

/** POSTs points (with their times) to a collector. */
export async function postPoints(
  collector: string,
  points: readonly { readonly at?: number; readonly point: PositionalPoint }[],
): Promise<void> {
  const response = await fetch(`${collector}/points`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ points }),
  });
  if (response.status !== 204) {
    throw new Error(`collector answered ${response.status}: ${await response.text()}`);
  }
}
