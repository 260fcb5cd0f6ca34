/**
 * Step 6 of the proxy path: the client's response, built from the origin's answer (or the
 * router's own short answer when there is none), and how its body will end.
 */
import { applyCachePolicy } from "../core/cache-policy";
import { COHORT_HEADER, editClientHeaders } from "../core/headers";
import type { Outcome } from "../core/metrics";
import type { Routing } from "../context";
import { declaredLength } from "../edge/proxy";
import { relayBody } from "../edge/relay";
import type { Exchange, Route } from "./route";

/** Response header set when a failed canary request was answered by `stable`. */
export const FAILOVER_HEADER = "X-Gray-Failover";

/** How a request ended, for its data point. */
export interface Ending {
  readonly outcome: Outcome;
  /** The origin's status; 0 if it never answered. */
  readonly status: number;
  readonly ttfbMs: number;
  /** Response body bytes passed to the client. */
  readonly bytes: number;
}

/** The response, and its ending: known now, or when the body has finished. */
export interface Reply {
  readonly response: Response;
  readonly ending: Ending | Promise<Ending>;
}

/** The router's answer when the origin gave none: status, and what happened to the origin. */
const FORWARD_ERRORS = {
  timeout: [504, "timed out"],
  origin_error: [502, "could not be reached"],
  client_abort: [400, "did not get the whole request body"],
  // The client's upload stalled: RFC 9110 §15.5.9, the server timed out waiting for it.
  client_timeout: [408, undefined],
} as const;

/**
 * The client's response: the origin's status, headers (hop-by-hop removed, cohort set,
 * cache policy applied) and body relayed as it comes; or the router's short answer.
 */
export async function respond(routing: Routing, route: Route, exchange: Exchange): Promise<Reply> {
  const { result } = exchange;
  if (result.kind === "error") {
    const [status, what] = FORWARD_ERRORS[result.outcome];
    const text =
      what === undefined
        ? result.detail
        : `the "${exchange.servedBy}" origin ${what}: ${result.detail}`;
    return {
      response: routerAnswer(exchange, status, text),
      ending: { outcome: result.outcome, status: 0, ttfbMs: result.ttfbMs, bytes: 0 },
    };
  }
  const upstream = result.response;
  const { ttfbMs } = result;
  const upgraded = upstream.status === 101 && route.websocket;
  if (!upgraded && (upstream.status < 200 || upstream.status > 599)) {
    // A Response cannot carry this status (1xx are interim, 6xx+ are not HTTP,
    // RFC 9110 §15): the origin misbehaved, so it is its 502, never our 500.
    exchange.watchdog.stop();
    await upstream.body?.cancel().catch(() => undefined);
    return {
      response: routerAnswer(
        exchange,
        502,
        `the "${exchange.servedBy}" origin sent an invalid status (${upstream.status})`,
      ),
      ending: { outcome: "origin_error", status: upstream.status, ttfbMs, bytes: 0 },
    };
  }
  const init = {
    status: upstream.status,
    statusText: upstream.statusText,
    // Copied once, natively, by the Response; edited in place below.
    headers: upstream.headers,
    // The body is the origin's encoded bytes (encodeResponseBody: "manual").
    encodeBody: "manual",
  } as const;
  let response: Response;
  let ending: Ending | Promise<Ending>;
  if (upgraded || upstream.body === null) {
    exchange.watchdog.stop();
    response = upgraded
      ? new Response(null, { ...init, webSocket: upstream.webSocket })
      : new Response(null, init);
    ending = { outcome: "ok", status: upstream.status, ttfbMs, bytes: 0 };
  } else {
    const relayed = await relayBody(
      upstream.body,
      declaredLength(upstream.headers),
      exchange.watchdog,
    );
    response = new Response(relayed.body, init);
    const status = upstream.status;
    const { end } = relayed;
    ending =
      end instanceof Promise
        ? end.then((body) => ({ outcome: body.outcome, status, ttfbMs, bytes: body.bytes }))
        : { outcome: end.outcome, status, ttfbMs, bytes: end.bytes };
  }
  const headers = response.headers;
  editClientHeaders(headers, exchange.servedBy, upgraded);
  if (exchange.failedOver !== undefined) {
    headers.set(FAILOVER_HEADER, "1");
  }
  applyCachePolicy(headers, routing.rollout.cache, upstream.status);
  return { response, ending };
}

/** A short plain-text answer of the router's own, with the cohort that was asked. */
function routerAnswer(exchange: Exchange, status: 400 | 408 | 502 | 504, text: string): Response {
  const headers = new Headers({
    "Content-Type": "text/plain; charset=UTF-8",
    "Cache-Control": "no-store",
    [COHORT_HEADER]: exchange.servedBy,
  });
  if (exchange.failedOver !== undefined) {
    headers.set(FAILOVER_HEADER, "1");
  }
  return new Response(`gray-router: ${text}`, {
    status,
    headers,
  });
}
