import type { CachePolicy } from "./options";
import { COHORT_HEADER } from "./headers";

/**
 * True if the response says a shared cache may store it: `public` or
 * `s-maxage` in Cache-Control (RFC 9111 §5.2.2.9, §5.2.2.10).
 */
export function isShareable(cacheControl: string | null): boolean {
  return cacheControl !== null && /(^|[\s,])(public|s-maxage)([\s,=]|$)/i.test(cacheControl);
}

/**
 * Makes a shareable response safe for caches between the worker and the
 * client, so no shared cache serves one cohort's response to another:
 *
 * - `private`: `public`, `s-maxage` and `proxy-revalidate` are removed and
 *   `private` added; browsers may still cache (max-age is kept);
 * - `vary`: `Vary: X-Gray-Cohort` is added (never `Vary: Cookie`, which would
 *   split the cache per visitor); only for caches that see that header;
 * - `off`: unchanged (every cohort serves the same shareable content).
 *
 * Responses that are not shareable are never changed. Edits `headers` in place.
 */
export function applyCachePolicy(headers: Headers, policy: CachePolicy): void {
  const cacheControl = headers.get("cache-control");
  if (policy === "off" || !isShareable(cacheControl)) {
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
  const kept = (cacheControl ?? "")
    .split(",")
    .map((d) => d.trim())
    .filter(
      (d) => d !== "" && !/^(public|s-maxage\s*=.*|s-maxage|proxy-revalidate|private)$/i.test(d),
    );
  headers.set("cache-control", ["private", ...kept].join(", "));
}
