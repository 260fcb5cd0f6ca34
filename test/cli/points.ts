import { toDataPoint } from "../../src/core/metrics";
import type { PositionalPoint, RequestMetrics } from "../../src/core/metrics";
import { requestMetrics } from "../support/request-metrics";

/** A data point as the router writes it, with defaults for what a test does not care about. */
export function positionalPoint(fields: Partial<RequestMetrics> = {}): PositionalPoint {
  return toDataPoint(requestMetrics(fields));
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
