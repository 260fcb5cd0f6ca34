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

/**
 * Headers Cloudflare's edge sets or appends to, which origins use to learn who the
 * client is: `CF-*` (`CF-Connecting-IP`, `CF-IPCountry`, `CF-Ray`, ...), `X-Forwarded-For`,
 * `True-Client-IP`, `CDN-Loop`. A client's `Connection` header never removes them.
 */
function isVouched(name: string): boolean {
  return (
    name.startsWith("cf-") ||
    name === "x-forwarded-for" ||
    name === "true-client-ip" ||
    name === "cdn-loop"
  );
}

/**
 * A header name as CGI and WSGI servers see it: they turn `-` into `_` (`HTTP_X_FORWARDED_HOST`),
 * so `X_Forwarded_Host` and `X-Forwarded-Host` reach such an origin as one header.
 * Every rule here is applied to this form.
 */
function canonical(name: string): string {
  return name.includes("_") ? name.replaceAll("_", "-") : name;
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

const NONE: ReadonlySet<string> = new Set();
/** A `Connection` header naming only `keep-alive` (itself hop-by-hop). */
const PLAIN_CONNECTION = /^\s*keep-alive\s*$/i;

/** The names the `Connection` header lists, read only if there is one (`names`: the headers present). */
function namedBy(headers: Headers, names: readonly string[]): ReadonlySet<string> {
  return names.includes("connection") ? connectionTokens(headers.get("connection")) : NONE;
}

/** The header names a `Connection` header lists, lower-case and in `canonical` form. */
function connectionTokens(value: string | null): ReadonlySet<string> {
  // Nearly every HTTP/1.1 client sends this: it names a header that is hop-by-hop
  // already, so there is no set to build.
  if (value === null || PLAIN_CONNECTION.test(value)) {
    return NONE;
  }
  return new Set(
    value
      .split(",")
      .map((token) => canonical(token.trim().toLowerCase()))
      .filter((token) => token !== ""),
  );
}

/**
 * Whether a client's header stays out of the upstream request: `Host` (the runtime sets
 * the origin's), `X-Gray-*` and client forwarding headers in any spelling, an underscore
 * spelling of a header the edge vouches for (the edge sets the real one), hop-by-hop
 * headers and those the client's `Connection` names, unless the edge vouches for them.
 */
function dropUpstream(name: string, named: ReadonlySet<string>, websocket: boolean): boolean {
  const form = canonical(name);
  if (form === "host" || form.startsWith(ROUTER_HEADER_PREFIX) || isClientForwarding(form)) {
    return true;
  }
  if (form !== name && isVouched(form)) {
    return true;
  }
  const keepUpgrade = websocket && (name === "upgrade" || name === "connection");
  return !keepUpgrade && (HOP_BY_HOP.has(form) || (named.has(form) && !isVouched(form)));
}

/**
 * The headers to send upstream: the client's headers minus hop-by-hop ones
 * (and any the `Connection` header names, but never those the edge vouches
 * for), minus every client-sent `X-Gray-*`, forwarding header and `Host`,
 * in any spelling (`_` for `-`), plus `X-Gray-Cohort`, `X-Forwarded-Host` and
 * `X-Forwarded-Proto`. Everything else is untouched.
 */
export function upstreamHeaders(incoming: Headers, facts: ForwardedFacts): Headers {
  const names = [...incoming.keys()];
  const named = namedBy(incoming, names);
  // One native copy, then deletions by name: far cheaper in workerd than appending
  // header by header, and a request usually has nothing to drop but Host.
  const headers = new Headers(incoming);
  for (const name of names) {
    if (dropUpstream(name, named, facts.websocket)) {
      headers.delete(name);
    }
  }
  const drop = facts.dropCookies ?? [];
  const cookie = drop.length > 0 ? headers.get("cookie") : null;
  if (cookie !== null) {
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
 * Turns a copy of the origin's response headers into the client's, in place: hop-by-hop
 * headers (and any the origin's `Connection` names) removed, every `X-Gray-*` of the
 * origin's removed (in any spelling) and `X-Gray-Cohort` set: only the router speaks
 * under that prefix. For a WebSocket handshake (101) `Upgrade` and `Connection` are part
 * of the answer and are kept. Every `Set-Cookie` stays its own header.
 */
export function editClientHeaders(headers: Headers, cohort: string, websocket: boolean): void {
  const names = [...headers.keys()];
  const named = namedBy(headers, names);
  // Decide from the names first, then delete: a response rarely has anything to drop.
  const drop: string[] = [];
  for (const name of names) {
    const form = canonical(name);
    const keepUpgrade = websocket && (name === "upgrade" || name === "connection");
    if (
      form.startsWith(ROUTER_HEADER_PREFIX) ||
      (!keepUpgrade && (HOP_BY_HOP.has(form) || named.has(form)))
    ) {
      drop.push(name);
    }
    // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, and an
    // intermediary must remove the Content-Length before forwarding.
    if (name === "transfer-encoding") {
      drop.push("content-length");
    }
  }
  for (const name of drop) {
    headers.delete(name);
  }
  headers.set(COHORT_HEADER, cohort);
}

/**
 * The headers to send to the client, as a new object (the origin's stay as they are):
 * see `editClientHeaders`.
 */
export function clientHeaders(upstream: Headers, cohort: string, websocket: boolean): Headers {
  const headers = new Headers(upstream);
  editClientHeaders(headers, cohort, websocket);
  return headers;
}
