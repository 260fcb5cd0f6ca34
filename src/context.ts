/**
 * The plain values a request carries from step to step (see src/app.ts): how it arrived,
 * and what the router knows once the rollout is loaded and the visitor identified.
 */
import { hostKey } from "./core/host";
import type { RequestMetrics } from "./core/metrics";
import type { Rollout } from "./core/rollout";
import type { Settings } from "./core/settings";
import type { Visitor } from "./core/visitor";
import type { Override } from "./edge/override";
import { declaredLength } from "./edge/proxy";

/** The request as it arrived, parsed once. */
export interface Arrival {
  readonly request: Request;
  readonly url: URL;
  /** The client's `Host` header, port included, if it sent one (for `X-Forwarded-Host`). */
  readonly hostHeader: string | null;
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

/** A request the router refuses before anything else: why, and a stand-in arrival to record it with. */
export interface BadArrival {
  /** One line for the 400 answer. */
  readonly problem: string;
  readonly fallback: Arrival;
}

/**
 * Step 1, arrive: parses the request's URL once and checks what can be checked before
 * any routing. The hostname (lower-case, no port, no trailing dot: `hostKey`) is the
 * first KV key to look up. Refused: a Host the URL parser rejects (two Host headers, a
 * space, `[::1`, `1.2.3.256`, ...) or with an empty label, and a GET or HEAD with a body
 * (the Fetch API cannot forward one; a body of declared length 0 is no body).
 */
export function readArrival(request: Request, started: number): Arrival | BadArrival {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refused(request, started, "the request's host name is not valid (RFC 9112 §3.2)");
  }
  const hostHeader = request.headers.get("host");
  const host = hostKey(url.hostname);
  // Two Host headers reach the runtime joined by a comma, which no host name holds.
  if (host === undefined || (hostHeader !== null && hostHeader.includes(","))) {
    return refused(request, started, "the request's host name is not valid (RFC 9112 §3.2)");
  }
  const arrival: Arrival = { request, url, hostHeader, host, started };
  const method = request.method;
  if (
    (method === "GET" || method === "HEAD") &&
    request.body !== null &&
    declaredLength(request.headers) !== 0
  ) {
    return { problem: `a ${method} request must not have a body`, fallback: arrival };
  }
  return arrival;
}

function refused(request: Request, started: number, problem: string): BadArrival {
  // The Host as it came, for the data point: there is no valid hostname to record.
  const hostHeader = request.headers.get("host");
  const host = (hostHeader ?? "").slice(0, 255);
  const url = new URL("http://invalid/");
  return { problem, fallback: { request, url, hostHeader, host, started } };
}

/** The Cloudflare location that took the request (`request.cf.colo`), or "". */
export function coloOf(request: Request): string {
  const colo = request.cf?.colo;
  return typeof colo === "string" ? colo : "";
}

/** The metrics of a request the router answered itself: its own fields filled in, neutral defaults for the rest. */
export function requestMetrics(
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
