/**
 * Steps 4 and 5 of the proxy path: plan where the request goes (the breaker may divert it
 * to `stable`; failover may replay it there), then forward it, once or twice.
 */
import { STABLE } from "../core/cohort";
import type { CohortDecision } from "../core/decide";
import { isWebSocketUpgrade, upstreamHeaders } from "../core/headers";
import { upstreamUrl } from "../core/upstream-url";
import type { Rollout } from "../core/rollout";
import type { Routing } from "../context";
import type { BreakerTransition, Breakers } from "../edge/breaker";
import { canReplay, isFailoverStatus } from "../edge/failover";
import { OVERRIDE_COOKIE, searchWithoutToken } from "../edge/override";
import { CLIENT_FAULTS, forward } from "../edge/proxy";
import type { ForwardResult, Upstream } from "../edge/proxy";
import { Watchdog } from "../edge/watchdog";

/** Cookies of the router's own, removed before forwarding while overrides are on. */
const ROUTER_COOKIES: readonly string[] = [OVERRIDE_COOKIE];
const NO_COOKIES: readonly string[] = [];

/** Where a request goes, after the decision, the breaker and the failover policy. */
export interface Route {
  readonly decision: CohortDecision;
  /** The cohort whose origin is asked first. */
  readonly cohort: string;
  /** What chose that cohort: the decision's `decidedBy`, or `breaker`. */
  readonly decidedBy: string;
  /** A breaker transition caused by admitting this request. */
  readonly transition: BreakerTransition | undefined;
  /** The breaker circuit this request was admitted to, if its cohort has one. */
  readonly circuit: string | undefined;
  /** A WebSocket upgrade (never replayed; `Upgrade` and `Connection` are kept). */
  readonly websocket: boolean;
  /** If the first origin fails, the request is replayed on `stable` (its body buffered first). */
  readonly replay: boolean;
}

/** The origin's answer (or why there is none), and how the request got there. */
export interface Exchange {
  /** The cohort that gave the final answer. */
  readonly servedBy: string;
  readonly result: ForwardResult;
  /** The final attempt's timer: still running while a response body is relayed. */
  readonly watchdog: Watchdog;
  /** Set when the first cohort failed and `stable` answered: its status and timing. */
  readonly failedOver: { readonly status: number; readonly ttfbMs: number } | undefined;
  /** The breaker transition this request caused, on admission or on its result. */
  readonly transition: BreakerTransition | undefined;
}

/**
 * Plans the route: a non-stable cohort whose breaker is open goes to `stable` (QA
 * overrides bypass the breaker), and a request failover may replay is marked.
 */
export function planRoute(routing: Routing, decision: CohortDecision, breakers: Breakers): Route {
  const { rollout } = routing;
  const request = routing.arrival.request;
  const websocket = isWebSocketUpgrade(request.headers);
  let cohort = decision.cohort;
  let decidedBy: string = decision.decidedBy;
  let transition: BreakerTransition | undefined;
  let circuit: string | undefined;
  if (rollout.breaker !== null && cohort !== STABLE && decidedBy !== "override") {
    const name = `${rollout.key}/${cohort}`;
    const admission = breakers.admit(name, rollout.breaker);
    transition = admission.transition;
    if (admission.allow) {
      circuit = name;
    } else {
      cohort = STABLE;
      decidedBy = "breaker";
    }
  }
  const replay =
    rollout.failover !== null &&
    cohort !== STABLE &&
    canReplay(request, rollout.failover, websocket);
  return { decision, cohort, decidedBy, transition, circuit, websocket, replay };
}

/**
 * Forwards the request on its route: to the planned cohort, and once more to `stable` if
 * that failed and the route allows a replay. The breaker learns the first attempt's result.
 */
export async function forwardRoute(
  routing: Routing,
  route: Route,
  breakers: Breakers,
  now: () => number,
): Promise<Exchange> {
  const request = routing.arrival.request;
  const watchdog = watchdogFor(routing, route.cohort);
  let body: ReadableStream<Uint8Array> | ArrayBuffer | null = bodyOf(request);
  if (route.replay && body !== null) {
    // A replayable body is small (under failover.maxBodyBytes) and is buffered so it can
    // be sent twice: within the first origin's timeout, or it is the client's fault.
    const whole = await buffered(request, watchdog);
    if (!(whole instanceof ArrayBuffer)) {
      return {
        servedBy: route.cohort,
        result: whole,
        watchdog,
        failedOver: undefined,
        transition: route.transition,
      };
    }
    body = whole;
  }
  const result = await forward(upstreamFor(routing, route, route.cohort, body), watchdog, now);
  const failed = isFailure(result, routing.rollout);
  let transition = route.transition;
  // A client's fault says nothing about the cohort: the breaker counts it neither way.
  const clientFault = result.kind === "error" && CLIENT_FAULTS.has(result.outcome);
  if (route.circuit !== undefined && routing.rollout.breaker !== null && !clientFault) {
    transition = breakers.record(route.circuit, routing.rollout.breaker, failed) ?? transition;
  }
  if (!(route.replay && failed)) {
    return { servedBy: route.cohort, result, watchdog, failedOver: undefined, transition };
  }
  watchdog.stop();
  const failedOver = {
    status: result.kind === "response" ? result.response.status : 0,
    ttfbMs: result.ttfbMs,
  };
  if (result.kind === "response") {
    await result.response.body?.cancel();
  }
  const stableWatchdog = watchdogFor(routing, STABLE);
  const stableResult = await forward(
    upstreamFor(routing, route, STABLE, body),
    stableWatchdog,
    now,
  );
  return {
    servedBy: STABLE,
    result: stableResult,
    watchdog: stableWatchdog,
    failedOver,
    transition,
  };
}

/** The request body to forward: none for a GET or HEAD (arrive refused any with a body). */
function bodyOf(request: Request): ReadableStream<Uint8Array> | null {
  return request.method === "GET" || request.method === "HEAD" ? null : request.body;
}

/**
 * The whole request body, read before the first attempt (a replayable body is small), or
 * the client's fault: it broke off, or did not arrive within the watchdog's time (no
 * progress extends it: the limit is on the whole body).
 */
async function buffered(
  request: Request,
  watchdog: Watchdog,
): Promise<ArrayBuffer | ForwardResult> {
  try {
    const body = await watchdog.guard(request.arrayBuffer());
    // The client has delivered: the origin's time starts now.
    watchdog.touch();
    return body;
  } catch {
    watchdog.stop();
    return watchdog.expired
      ? {
          kind: "error",
          outcome: "client_timeout",
          detail: `the request body did not arrive within ${watchdog.ms} ms`,
          ttfbMs: 0,
        }
      : { kind: "error", outcome: "client_abort", detail: "the request body broke off", ttfbMs: 0 };
  }
}

/** The request as one cohort's origin gets it: its URL, the edited headers, the body. */
function upstreamFor(
  routing: Routing,
  route: Route,
  cohort: string,
  body: ReadableStream<Uint8Array> | ArrayBuffer | null,
): Upstream {
  const { arrival, rollout, override } = routing;
  const origin = rollout.origins.get(cohort);
  if (origin === undefined) {
    // Decisions only name cohorts with origins; this is a bug, not bad input.
    throw new Error(`cohort "${cohort}" has no origin`);
  }
  const search = override.enabled ? searchWithoutToken(arrival.url) : arrival.url.search;
  const headers = upstreamHeaders(arrival.request.headers, {
    cohort,
    host: arrival.hostHeader ?? arrival.url.host,
    proto: arrival.url.protocol.slice(0, -1),
    websocket: route.websocket,
    dropCookies: override.enabled ? ROUTER_COOKIES : NO_COOKIES,
  });
  return {
    url: upstreamUrl(origin, arrival.url.pathname, search),
    method: arrival.request.method,
    headers,
    body,
  };
}

/** The timer of one attempt: that cohort's timeout for response headers, else ORIGIN_TIMEOUT_SECONDS. */
function watchdogFor(routing: Routing, cohort: string): Watchdog {
  return new Watchdog(timeoutMs(routing.rollout, cohort, routing.settings.originTimeoutMs));
}

/** The cohort's own timeout for response headers, else ORIGIN_TIMEOUT_SECONDS. */
function timeoutMs(rollout: Rollout, cohort: string, fallbackMs: number): number {
  return rollout.timeoutsMs.get(cohort) ?? fallbackMs;
}

/**
 * A network error, a timeout, or a failure status (the failover statuses, else any 5xx).
 * A client's fault is not the cohort's failure, so it is never replayed.
 */
function isFailure(result: ForwardResult, rollout: Rollout): boolean {
  if (result.kind === "error") {
    return !CLIENT_FAULTS.has(result.outcome);
  }
  const status = result.response.status;
  return rollout.failover !== null ? isFailoverStatus(rollout.failover, status) : status >= 500;
}
