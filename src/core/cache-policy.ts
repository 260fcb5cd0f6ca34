import type { CachePolicy } from "./options";
import { COHORT_HEADER } from "./headers";

/**
 * Statuses a cache may store without explicit freshness (RFC 9110 §15.1, "heuristically
 * cacheable"), given a basis for heuristic freshness.
 */
const HEURISTICALLY_CACHEABLE = new Set([
  200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
]);

/** Cache-Control directives that keep a response out of shared caches. */
const NOT_SHARED = /(?:^|[\s,])(?:no-store|private)(?:[\s,=]|$)/i;
/** Cache-Control directives that give a response explicit freshness in a shared cache. */
const EXPLICITLY_FRESH = /(?:^|[\s,])(?:public|s-maxage|max-age)(?:[\s,=]|$)/i;

/**
 * True if a shared cache may store the response (RFC 9111 §3): unless Cache-Control says
 * `no-store` or `private`, when it has explicit freshness (`public`, `s-maxage`,
 * `max-age`, or an `Expires` header) or, for a status cacheable by default, a basis for
 * heuristic freshness (a `Last-Modified` header, RFC 9111 §4.2.2). `no-cache` does not
 * prevent storing (a stored copy is revalidated before use). A response with nothing to
 * go by is not counted: no freshness, and shared caches do not store it unless
 * configured to.
 */
export function isShareable(headers: Headers, status: number): boolean {
  const cacheControl = headers.get("cache-control");
  if (cacheControl !== null) {
    if (NOT_SHARED.test(cacheControl)) {
      return false;
    }
    if (EXPLICITLY_FRESH.test(cacheControl)) {
      return true;
    }
  }
  if (headers.has("expires")) {
    return true;
  }
  return HEURISTICALLY_CACHEABLE.has(status) && headers.has("last-modified");
}

/**
 * Makes a shareable response (`isShareable`) safe for caches between the worker and the
 * client, so no shared cache serves one cohort's response to another:
 *
 * - `private`: `public`, `s-maxage` and `proxy-revalidate` are removed and
 *   `private` added; browsers may still cache (max-age, Expires are kept);
 * - `vary`: `Vary: X-Gray-Cohort` is added (never `Vary: Cookie`, which would
 *   split the cache per visitor); only for caches that see that header;
 * - `off`: unchanged (every cohort serves the same shareable content).
 *
 * Responses that are not shareable are never changed. Edits `headers` in place.
 */
export function applyCachePolicy(headers: Headers, policy: CachePolicy, status: number): void {
  if (policy === "off" || !isShareable(headers, status)) {
    return;
  }
  if (policy === "vary") {
    const vary = headers.get("vary");
    if (vary === null || vary.trim() === "") {
      headers.set("vary", COHORT_HEADER);
    } else if (
      vary.trim() !== "*" &&
      !vary.split(",").some((v) => v.trim().toLowerCase() === COHORT_HEADER.toLowerCase())
    ) {
      headers.set("vary", `${vary}, ${COHORT_HEADER}`);
    }
    return;
  }
  const kept = (headers.get("cache-control") ?? "")
    .split(",")
    .map((d) => d.trim())
    .filter(
      (d) => d !== "" && !/^(public|s-maxage\s*=.*|s-maxage|proxy-revalidate|private)$/i.test(d),
    );
  headers.set("cache-control", ["private", ...kept].join(", "));
}
