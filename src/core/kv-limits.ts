/**
 * Facts about Workers KV that both the router and the controller rely on.
 */

/**
 * KV's `cacheTtl` for reads, in seconds: how long a Cloudflare location may
 * serve a cached copy of a value. 30 is the smallest value KV accepts (the
 * default is 60): it bounds how stale a location's copy can be, so the router
 * and the controller see a write as soon as KV allows.
 */
export const KV_CACHE_TTL_SECONDS = 30;
