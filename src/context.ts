/**
 * The plain values a request carries from step to step (see src/app.ts): how it arrived,
 * and what the router knows once the rollout is loaded and the visitor identified.
 */
import type { RequestMetrics } from "./core/metrics";
import type { Rollout } from "./core/rollout";
import type { Settings } from "./core/settings";
import type { Visitor } from "./core/visitor";
import type { Override } from "./edge/override";

/** The request as it arrived, parsed once. */
export interface Arrival {
  readonly request: Request;
  readonly url: URL;
  /** Lower-case hostname without port: the KV key looked up first. */
  readonly host: string;
  /** When the request arrived (ms, the router's clock). */
  readonly started: number;
}

/** Everything the proxy path and the debug view need once the visitor is identified. */
export interface Routing {
  readonly arrival: Arrival;
  readonly settings: Settings;
  readonly rollout: Rollout;
  /** `stale`: KV's current document is missing, unreadable or invalid; this is the last valid one. */
  readonly configState: "fresh" | "stale";
  readonly visitor: Visitor;
  readonly override: Override;
}

/** A request whose URL cannot be parsed, and a stand-in arrival to record it with. */
export interface BadArrival {
  readonly problem: unknown;
  readonly fallback: Arrival;
}

/** Parses the request's URL once; the hostname, lower-cased, is the first KV key to look up. */
export function readArrival(request: Request, started: number): Arrival | BadArrival {
  try {
    const url = new URL(request.url);
    return { request, url, host: url.hostname.toLowerCase(), started };
  } catch (problem) {
    return { problem, fallback: { request, url: new URL("http://invalid/"), host: "", started } };
  }
}

/** The Cloudflare location that took the request (`request.cf.colo`), or "". */
export function coloOf(request: Request): string {
  const colo = request.cf?.colo;
  return typeof colo === "string" ? colo : "";
}

/** A data point with the request's own fields filled in and neutral defaults for the rest. */
export function dataPoint(
  arrival: Arrival,
  nowMs: number,
  fields: Partial<RequestMetrics> & Pick<RequestMetrics, "rolloutKey" | "outcome">,
): RequestMetrics {
  return {
    cohort: "",
    host: arrival.host,
    method: arrival.request.method,
    revision: "",
    configState: "none",
    colo: coloOf(arrival.request),
    status: 0,
    ttfbMs: 0,
    durationMs: nowMs - arrival.started,
    bucket: -1,
    weightPercent: 0,
    bytes: 0,
    decidedBy: "",
    detail: "",
    breaker: "",
    visitor: "",
    ...fields,
  };
}
