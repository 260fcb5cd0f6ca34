/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the
 * message, so a proxy must not forward them. `upgrade` is kept for WebSocket
 * requests by the caller.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Headers the router owns: anything a client sends under this prefix is dropped. */
export const ROUTER_HEADER_PREFIX = "x-gray-";

/** Request header, and response header, naming the cohort. */
export const COHORT_HEADER = "X-Gray-Cohort";

/**
 * Client-sent headers that describe the original request the way
 * `X-Forwarded-Host`/`-Proto` do (RFC 7239 `Forwarded`, and the de facto
 * `X-Forwarded-*` family): an origin that trusts them would build URLs from
 * the client's words. `X-Forwarded-For` is kept: Cloudflare's edge appends
 * the connecting address to it.
 */
function isClientForwarding(name: string): boolean {
  return name === "forwarded" || (name.startsWith("x-forwarded-") && name !== "x-forwarded-for");
}

/** The facts about the original request that the origin is told. */
export interface ForwardedFacts {
  readonly cohort: string;
  /** The client's `Host` header value, port included. */
  readonly host: string;
  /** `http` or `https`. */
  readonly proto: string;
  readonly websocket: boolean;
  /** Router-owned cookies to remove from the `Cookie` header (they are not the origin's). */
  readonly dropCookies?: readonly string[];
}

/**
 * The headers to send upstream: the client's headers minus hop-by-hop ones
 * (and any the `Connection` header names), minus every client-sent `X-Gray-*`
 * and `Host` (the runtime sets the origin's), plus `X-Gray-Cohort`,
 * `X-Forwarded-Host` and `X-Forwarded-Proto`. Everything else is untouched.
 */
export function upstreamHeaders(incoming: Headers, facts: ForwardedFacts): Headers {
  const named = new Set(
    (incoming.get("connection") ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ""),
  );
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (name === "host" || name.startsWith(ROUTER_HEADER_PREFIX) || isClientForwarding(name)) {
      continue;
    }
    const keepUpgrade = facts.websocket && (name === "upgrade" || name === "connection");
    if (!keepUpgrade && (HOP_BY_HOP.has(name) || named.has(name))) {
      continue;
    }
    headers.append(name, value);
  }
  const drop = facts.dropCookies ?? [];
  const cookie = headers.get("cookie");
  if (cookie !== null && drop.length > 0) {
    const pairs = cookie.split(";");
    const kept = pairs.filter(
      (pair) => !drop.includes(pair.slice(0, Math.max(0, pair.indexOf("="))).trim()),
    );
    // Untouched unless a router cookie was there: the origin sees the header as sent.
    if (kept.length < pairs.length) {
      const rest = kept.map((pair) => pair.trim()).filter((pair) => pair !== "");
      if (rest.length === 0) {
        headers.delete("cookie");
      } else {
        headers.set("cookie", rest.join("; "));
      }
    }
  }
  headers.set(COHORT_HEADER, facts.cohort);
  headers.set("X-Forwarded-Host", facts.host);
  headers.set("X-Forwarded-Proto", facts.proto);
  return headers;
}

/** True if the request asks to upgrade to a WebSocket. */
export function isWebSocketUpgrade(headers: Headers): boolean {
  return (headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}

/**
 * The headers to send to the client: the origin's headers (every `Set-Cookie`
 * kept as its own header) minus hop-by-hop ones, plus `X-Gray-Cohort`. For a
 * WebSocket handshake (101) `Upgrade` and `Connection` are part of the answer
 * and are kept.
 */
export function clientHeaders(upstream: Headers, cohort: string, websocket: boolean): Headers {
  const headers = new Headers(upstream);
  // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, and an
  // intermediary must remove the Content-Length before forwarding.
  if (upstream.has("transfer-encoding")) {
    headers.delete("content-length");
  }
  const named = (upstream.get("connection") ?? "").split(",").map((t) => t.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...named]) {
    if (name !== "" && !(websocket && (name === "upgrade" || name === "connection"))) {
      headers.delete(name);
    }
  }
  headers.set(COHORT_HEADER, cohort);
  return headers;
}
