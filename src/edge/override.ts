import { cookieValues, serializeCookie } from "../core/cookie";
import { verifyToken } from "../core/token";
import type { TokenProblem } from "../core/token";

/** Request header carrying a signed token (override or debug). */
export const TOKEN_HEADER = "x-gray-token";
/** Query parameter carrying a signed token; removed before forwarding. */
export const TOKEN_QUERY = "gray_token";
/** Cookie that keeps a browser session forced after a query-string override. */
export const OVERRIDE_COOKIE = "gray_override";

/** The outcome of looking for a QA override on a request. */
export interface Override {
  /** The cohort to force, if a valid override token was presented. */
  readonly forced: string | undefined;
  /** Why a presented token was ignored, for metrics; undefined if none was presented or it was valid. */
  readonly problem: TokenProblem | undefined;
  /** A `Set-Cookie` to send back (set or clear the override cookie), if any. */
  readonly setCookie: string | undefined;
  /**
   * Overrides are on (a secret is set): only then are `gray_token` and the
   * `gray_override` cookie the router's, removed before forwarding. Without
   * a secret the request reaches the origin untouched.
   */
  readonly enabled: boolean;
}

const OFF: Override = {
  forced: undefined,
  problem: undefined,
  setCookie: undefined,
  enabled: false,
};
const NONE: Override = { ...OFF, enabled: true };

/**
 * Finds and verifies a QA override token: the `X-Gray-Token` header, else the
 * `gray_token` query parameter (which also sets a cookie so the browser
 * session stays forced until the token expires), else that cookie. Without a
 * secret, overrides are off and tokens are ignored, at once (no promise).
 */
export function readOverride(
  request: Request,
  url: URL,
  secret: string | undefined,
  nowMs: number,
): Override | Promise<Override> {
  if (secret === undefined || secret === "") {
    return OFF;
  }
  return verifyOverride(request, url, secret, nowMs);
}

async function verifyOverride(
  request: Request,
  url: URL,
  secret: string,
  nowMs: number,
): Promise<Override> {
  const fromHeader = request.headers.get(TOKEN_HEADER);
  const fromQuery = url.searchParams.get(TOKEN_QUERY);
  const fromCookie = cookieValues(request.headers.get("cookie"), OVERRIDE_COOKIE)[0];
  // An empty value counts as absent, so it cannot hide a later source.
  const token = [fromHeader, fromQuery, fromCookie].find(
    (t): t is string => t !== null && t !== undefined && t !== "",
  );
  if (token === undefined) {
    return NONE;
  }
  const check = await verifyToken(token, secret, "override", nowMs);
  if (!check.ok) {
    // A bad cookie is cleared so the browser stops sending it.
    const clear =
      token === fromCookie && token !== fromHeader && token !== fromQuery
        ? overrideCookie("", 0)
        : undefined;
    return { forced: undefined, problem: check.problem, setCookie: clear, enabled: true };
  }
  const setCookie =
    token === fromQuery && token !== fromHeader
      ? overrideCookie(token, Math.max(1, check.expiresAt - Math.floor(nowMs / 1000)))
      : undefined;
  return { forced: check.subject, problem: undefined, setCookie, enabled: true };
}

function overrideCookie(value: string, maxAgeSeconds: number): string {
  return serializeCookie(OVERRIDE_COOKIE, value, {
    maxAgeSeconds,
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
  });
}

/** The request's query without the router's token parameter, as `?...` or `""`. */
export function searchWithoutToken(url: URL): string {
  if (!url.searchParams.has(TOKEN_QUERY)) {
    return url.search;
  }
  // Rebuild only when needed: URLSearchParams re-encodes, which would change other parameters.
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((pair) => safeDecode(pair.split("=")[0] ?? "") !== TOKEN_QUERY);
  return kept.length === 0 ? "" : `?${kept.join("&")}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
