import type { Origin } from "./origin-url";

/**
 * The URL to forward a request to: the cohort's origin, its base path, then the
 * request's own path and query exactly as the runtime parsed them.
 *
 * The path is appended as text, never resolved as a relative URL, so a request
 * for `//evil.example/x` becomes `https://origin/base//evil.example/x` and stays
 * on the origin. The runtime has already removed dot segments (including
 * `%2e%2e`) from `pathname`, and percent-encoded bytes such as `%2F` are kept
 * as they are.
 */
export function upstreamUrl(origin: Origin, pathname: string, search: string): string {
  const path = pathname.startsWith("/") ? pathname : `/${pathname}`;
  return `${origin.origin}${origin.basePath}${path}${search}`;
}
