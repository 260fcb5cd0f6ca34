// @ts-check
/**
 * The load generator: autocannon's programmatic API, one run per call. Latencies are kept
 * exactly from autocannon's per-response event (its own histogram has 1 ms resolution).
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { percentile } from "./stats.mjs";

/**
 * @typedef {{
 *   rps: number, p50Ms: number, p99Ms: number, requests: number, failures: number, durationS: number,
 * }} LoadResult  `rps` counts 2xx answers only; `failures` = errors + timeouts + non-2xx.
 */

/** Headers every variant sends, besides the visitor cookie. */
const COMMON_HEADERS = { accept: "text/html", "user-agent": "gray-router-bench" };

/**
 * `count` requests for `/`, each from a different returning visitor (a valid `gray_vid`
 * cookie issued today), built once: autocannon cycles through them without rebuilding.
 * @param {number} count
 * @returns {import("autocannon").Request[]}
 */
export function returningVisitorRequests(count) {
  const day = Math.floor(Date.now() / 86_400_000).toString(36);
  return Array.from({ length: count }, () => ({
    method: "GET",
    path: "/",
    headers: {
      ...COMMON_HEADERS,
      cookie: `gray_vid=1.${randomBytes(16).toString("base64url")}.${day}`,
    },
  }));
}

/**
 * Requests from new visitors: no cookie, so the router issues an id and a `Set-Cookie`.
 * @returns {import("autocannon").Request[]}
 */
export function newVisitorRequests() {
  return [{ method: "GET", path: "/", headers: { ...COMMON_HEADERS } }];
}

/**
 * Closed-loop load: `connections` connections, one request in flight on each, for `seconds`.
 * @param {{ url: string, requests: import("autocannon").Request[], connections: number, seconds: number }} options
 * @returns {Promise<LoadResult>}
 */
export async function measureLoad({ url, requests, connections, seconds }) {
  /** @type {number[]} */
  const latencies = [];
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests,
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) {
      latencies.push(ms);
    }
  });
  const result = await instance;
  return {
    rps: result["2xx"] / result.duration,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
    durationS: result.duration,
  };
}
