// @ts-check
/**
 * The load generator: autocannon's programmatic API, one run per call, and the rounds
 * built from it. Latencies are kept exactly from autocannon's per-response event (its own
 * histogram has 1 ms resolution).
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { processCpuSeconds } from "./machine.mjs";
import { percentile } from "./stats.mjs";

/**
 * @typedef {{
 *   rps: number, p50Ms: number, p99Ms: number, requests: number, failures: number, durationS: number,
 * }} LoadResult  `rps` counts 2xx answers only; `failures` = errors + timeouts + non-2xx.
 * @typedef {LoadResult & { round: number, workerdCpuUsPerRequest: number }} Run
 * @typedef {{ name: string, url: string, module?: string, requests: import("autocannon").Request[] }} LoadVariant
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

/**
 * @template T
 * @param {readonly T[]} items
 * @param {number} by
 */
const rotate = (items, by) =>
  items.map((_, i) => /** @type {T} */ (items[(i + by) % items.length]));

/**
 * Warm-up, then `rounds` rounds in which every variant runs once (order rotated per round,
 * so drift and other work on the machine hit all alike). Every Worker lives in the one
 * workerd process `workerdPid`: its CPU time over a run, divided by the run's requests, is
 * that variant's cost per request (the origin's own run has none).
 * @param {{
 *   variants: readonly LoadVariant[],
 *   settings: { rounds: number, seconds: number, warmupSeconds: number, connections: number },
 *   workerdPid: number | undefined,
 *   log: (message: string) => void,
 * }} options
 * @returns {Promise<Record<string, Run[]>>}
 */
export async function loadRounds({ variants, settings, workerdPid, log }) {
  log(`warm-up: ${settings.warmupSeconds} s per variant`);
  for (const variant of variants) {
    if (settings.warmupSeconds > 0) {
      await measureLoad({
        ...variant,
        connections: settings.connections,
        seconds: settings.warmupSeconds,
      });
    }
  }
  log(
    `load: ${settings.rounds} rounds x ${variants.length} variants x ${settings.seconds} s, ${settings.connections} connections`,
  );
  /** @type {Record<string, Run[]>} */
  const load = Object.fromEntries(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const variant of rotate(variants, round)) {
      const cpu = processCpuSeconds(workerdPid);
      const result = await measureLoad({
        ...variant,
        connections: settings.connections,
        seconds: settings.seconds,
      });
      const workerdCpuUs =
        variant.module === undefined
          ? Number.NaN
          : ((processCpuSeconds(workerdPid) - cpu) * 1e6) / Math.max(1, result.requests);
      load[variant.name]?.push({ ...result, round, workerdCpuUsPerRequest: workerdCpuUs });
      log(
        `  round ${round + 1}/${settings.rounds}  ${variant.name.padEnd(26)} ${result.rps.toFixed(0).padStart(6)} req/s` +
          `  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms` +
          (Number.isNaN(workerdCpuUs) ? "" : `  workerd ${workerdCpuUs.toFixed(0)} µs CPU/req`) +
          (result.failures > 0 ? `  FAILURES ${result.failures}` : ""),
      );
    }
  }
  return load;
}

/**
 * One connection, one request in flight: the latency a single client sees, without
 * queueing. Variants alternate within each round.
 * @param {{ variants: readonly LoadVariant[], rounds: number, seconds: number, log: (message: string) => void }} options
 * @returns {Promise<{ name: string, round: number, p50Ms: number, requests: number }[]>}
 */
export async function latencyRounds({ variants, rounds, seconds, log }) {
  log(`one-connection latency: ${rounds} rounds x ${variants.length} variants x ${seconds} s`);
  /** @type {{ name: string, round: number, p50Ms: number, requests: number }[]} */
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotate(variants, round)) {
      const result = await measureLoad({ ...variant, connections: 1, seconds });
      runs.push({ name: variant.name, round, p50Ms: result.p50Ms, requests: result.requests });
    }
  }
  return runs;
}
