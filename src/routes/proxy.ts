import type { Context } from "hono";
import { applyCachePolicy } from "../core/cache-policy";
import { STABLE } from "../core/cohort";
import { decide } from "../core/decide";
import type { Decision } from "../core/decide";
import { clientHeaders, COHORT_HEADER, isWebSocketUpgrade, upstreamHeaders } from "../core/headers";
import type { Rollout } from "../core/rollout";
import { upstreamUrl } from "../core/upstream-url";
import type { BreakerTransition, Breakers } from "../edge/breaker";
import { canReplay, isFailoverStatus } from "../edge/failover";
import type { Outcome, VisitorKind } from "../core/metrics";
import type { Visitor } from "../core/visitor";
import { OVERRIDE_COOKIE, searchWithoutToken } from "../edge/override";
import { declaredLength, forward, relayBody } from "../edge/proxy";
import type { ForwardResult } from "../edge/proxy";
import { requestFacts } from "../edge/request-facts";
import type { AppContext } from "../context";
import { dataPoint } from "../context";

/** Response header set when a failed canary request was answered by `stable`. */
export const FAILOVER_HEADER = "X-Gray-Failover";

/** Where a request finally goes, after the decision, the breaker and failover. */
interface Route {
  readonly decision: Decision;
  /** The cohort whose origin is asked first. */
  readonly cohort: string;
  readonly decidedBy: string;
  readonly transition: BreakerTransition | undefined;
  /** The breaker circuit this request was admitted to, if its cohort has one. */
  readonly circuit: string | undefined;
}

/** The router's answer when the origin gave none: status and reason. */
const FORWARD_ERRORS = {
  timeout: [504, "timed out"],
  origin_error: [502, "could not be reached"],
  client_abort: [400, "did not get the whole request body"],
} as const;

/**
 * Decides the cohort, forwards, applies failover and the breaker, relays the
 * response and records one data point when its body has finished.
 */
export async function proxy(
  c: Context<AppContext>,
  breakers: Breakers,
  now: () => number,
): Promise<Response> {
  const request = c.req.raw;
  const url = c.get("url");
  const rollout = c.get("rollout");
  const override = c.get("override");
  const decision = decide({
    rollout,
    facts: requestFacts(request, url),
    visitorId: c.get("visitor").id,
    forced: override.forced,
  });
  const route = applyBreaker(rollout, decision, breakers);
  const websocket = isWebSocketUpgrade(request.headers);
  const search = override.enabled ? searchWithoutToken(url) : url.search;
  const target = (cohort: string): string => {
    const origin = rollout.origins.get(cohort);
    if (origin === undefined) {
      // Decisions only name cohorts with origins; this is a bug, not bad input.
      throw new Error(`cohort "${cohort}" has no origin`);
    }
    return upstreamUrl(origin, url.pathname, search);
  };
  const headersFor = (cohort: string): Headers =>
    upstreamHeaders(request.headers, {
      cohort,
      host: request.headers.get("host") ?? url.host,
      proto: url.protocol.replace(/:$/, ""),
      websocket,
      dropCookies: override.enabled ? [OVERRIDE_COOKIE] : [],
    });
  const timeoutFor = (cohort: string): number =>
    rollout.timeoutsMs.get(cohort) ?? c.get("settings").originTimeoutMs;

  const failover = rollout.failover;
  const replayable =
    failover !== null && route.cohort !== STABLE && canReplay(request, failover, websocket);
  // A replayable body is small (under failover.maxBodyBytes) and is buffered so it can be sent twice.
  const body = replayable && request.body !== null ? await request.arrayBuffer() : request.body;

  let transition = route.transition;
  let result = await forward(
    target(route.cohort),
    { method: request.method, headers: headersFor(route.cohort), body },
    timeoutFor(route.cohort),
    now,
  );
  const failed = isFailure(result, rollout);
  if (route.circuit !== undefined && rollout.breaker !== null) {
    transition = breakers.record(route.circuit, rollout.breaker, failed) ?? transition;
  }

  // Set when the first cohort failed and stable answered instead: the data
  // point then charges the failed cohort (its status and timing, outcome `failover`).
  let failedOver: { readonly status: number; readonly ttfbMs: number } | undefined;
  let servedBy = route.cohort;
  const record = (outcome: Outcome, status: number, ttfbMs: number, bytes: number): void => {
    c.get("sink").record(
      dataPoint(c, now, {
        rolloutKey: rollout.key,
        cohort: route.cohort,
        outcome: failedOver === undefined ? outcome : "failover",
        revision: rollout.revision,
        configState: c.get("configState"),
        status: failedOver?.status ?? status,
        ttfbMs: failedOver?.ttfbMs ?? ttfbMs,
        bucket: decision.bucket,
        weightPercent: decision.weight / 100,
        bytes,
        decidedBy: route.decidedBy,
        detail: decision.rule ?? override.problem ?? "",
        breaker: transition ?? "",
        visitor: visitorKind(decision, c.get("visitor")),
      }),
    );
  };
  /** A short plain-text answer of the router's own, naming the cohort that was asked. */
  const routerError = (status: 400 | 502 | 504, text: string): Response => {
    const headers: Record<string, string> = {
      [COHORT_HEADER]: servedBy,
      "Cache-Control": "no-store",
    };
    if (failedOver !== undefined) {
      headers[FAILOVER_HEADER] = "1";
    }
    return c.text(`gray-router: the "${servedBy}" origin ${text}`, status, headers);
  };

  if (replayable && failed) {
    failedOver = {
      status: result.kind === "response" ? result.response.status : 0,
      ttfbMs: result.ttfbMs,
    };
    if (result.kind === "response") {
      await result.response.body?.cancel();
    }
    servedBy = STABLE;
    result = await forward(
      target(STABLE),
      { method: request.method, headers: headersFor(STABLE), body },
      timeoutFor(STABLE),
      now,
    );
  }

  if (result.kind === "error") {
    record(result.outcome, 0, result.ttfbMs, 0);
    const [status, what] = FORWARD_ERRORS[result.outcome];
    return routerError(status, `${what}: ${result.detail}`);
  }

  const upstream = result.response;
  const upgraded = upstream.status === 101 && websocket;
  if (!upgraded && (upstream.status < 200 || upstream.status > 599)) {
    // A Response cannot carry this status (1xx are interim, 6xx+ are not HTTP,
    // RFC 9110 §15): the origin misbehaved, so it is its 502, never our 500.
    await upstream.body?.cancel().catch(() => undefined);
    record("origin_error", upstream.status, result.ttfbMs, 0);
    return routerError(502, `sent an invalid status (${upstream.status})`);
  }
  const headers = clientHeaders(upstream.headers, servedBy, upgraded);
  if (failedOver !== undefined) {
    headers.set(FAILOVER_HEADER, "1");
  }
  applyCachePolicy(headers, rollout.cache);
  const init: ResponseInit = {
    status: upstream.status,
    statusText: upstream.statusText,
    headers,
    // The body is the origin's encoded bytes (encodeResponseBody: "manual").
    encodeBody: "manual",
  };
  const ttfbMs = result.ttfbMs;
  if (upgraded) {
    record("ok", 101, ttfbMs, 0);
    return new Response(null, { ...init, webSocket: upstream.webSocket });
  }
  if (upstream.body === null) {
    record("ok", upstream.status, ttfbMs, 0);
    return new Response(null, init);
  }
  const relayed = relayBody(
    upstream.body,
    (end) => record(end.outcome, upstream.status, ttfbMs, end.bytes),
    declaredLength(upstream.headers),
    timeoutFor(servedBy),
  );
  c.executionCtx.waitUntil(relayed.done);
  return new Response(relayed.body, init);
}

/**
 * Diverts a non-stable cohort to `stable` while its breaker (one circuit per
 * rollout key and cohort) is open; QA overrides bypass it.
 */
function applyBreaker(rollout: Rollout, decision: Decision, breakers: Breakers): Route {
  const base = {
    decision,
    cohort: decision.cohort,
    decidedBy: decision.decidedBy,
    transition: undefined,
    circuit: undefined,
  };
  if (rollout.breaker === null || decision.cohort === STABLE || decision.decidedBy === "override") {
    return base;
  }
  const circuit = `${rollout.key}/${decision.cohort}`;
  const admission = breakers.admit(circuit, rollout.breaker);
  if (admission.allow) {
    return { ...base, transition: admission.transition, circuit };
  }
  return { ...base, cohort: STABLE, decidedBy: "breaker", transition: admission.transition };
}

/** Where the decision's bucket came from, for the data point. */
function visitorKind(decision: Decision, visitor: Visitor): VisitorKind {
  if (decision.stickyBy !== "visitor") {
    return "app";
  }
  return visitor.status === "new" ? "new" : "returning";
}

/** A network error, a timeout, or a failure status (the failover statuses, else any 5xx). */
function isFailure(result: ForwardResult, rollout: Rollout): boolean {
  if (result.kind === "error") {
    // A client whose upload broke is not the cohort's failure.
    return result.outcome !== "client_abort";
  }
  const status = result.response.status;
  return rollout.failover !== null ? isFailoverStatus(rollout.failover, status) : status >= 500;
}
