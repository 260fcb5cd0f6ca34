// @ts-check
/**
 * Sequential probes from Node over keep-alive connections: time to the first body byte of
 * a streamed response, and the cost of the routing decision (timed from outside workerd,
 * whose clocks do not advance during pure CPU work).
 */
import http from "node:http";
import { performance } from "node:perf_hooks";

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * GETs `url`; resolves with the ms to the response headers, to the first body byte and to
 * the end, and the body.
 * @param {string} url
 * @param {Record<string, string>} [headers]
 * @returns {Promise<{ firstByteMs: number, totalMs: number, status: number, body: string }>}
 */
export function timedGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = Number.NaN;
    const req = http.get(url, { agent, headers }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on("data", (/** @type {Buffer} */ chunk) => {
        if (chunks.length === 0) {
          firstByteMs = performance.now() - started;
        }
        chunks.push(chunk);
      });
      res.once("end", () =>
        resolve({
          firstByteMs,
          totalMs: performance.now() - started,
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.once("error", reject);
    });
    req.once("error", reject);
  });
}

/**
 * Time to first body byte of `/stream` on each target, `count` requests per target,
 * interleaved (a, b, c, a, b, c, ...) so drift hits all alike.
 * @param {Record<string, string>} targets name -> base URL
 * @param {number} count
 * @param {Record<string, string>} headers
 * @returns {Promise<Record<string, number[]>>} name -> first-byte times in ms
 */
export async function streamFirstByte(targets, count, headers) {
  /** @type {Record<string, number[]>} */
  const times = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let i = 0; i < count; i++) {
    for (const [name, base] of Object.entries(targets)) {
      const { firstByteMs, status } = await timedGet(`${base}/stream`, headers);
      if (status !== 200) {
        throw new Error(`${name}: /stream answered ${status}`);
      }
      times[name]?.push(firstByteMs);
    }
  }
  return times;
}

/**
 * ns per routing decision: the time of `/__bench/decide?n=N&<query>` minus that of `n=0`,
 * each pair timed back to back, `repetitions` times, divided by N. Also returns the share
 * of decisions that went to a non-stable cohort.
 * @param {string} base router URL
 * @param {{ n: number, repetitions: number, query: string }} options
 * @returns {Promise<{ nsPerOp: number[], canaryShare: number }>}
 */
export async function decisionCost(base, { n, repetitions, query }) {
  const url = (/** @type {number} */ count) => `${base}/__bench/decide?n=${count}&${query}`;
  // Warm-up: JIT the loop and the code it calls.
  for (let i = 0; i < 2; i++) {
    await timedGet(url(n));
  }
  /** @type {number[]} */
  const nsPerOp = [];
  let canaryShare = Number.NaN;
  for (let i = 0; i < repetitions; i++) {
    const empty = await timedGet(url(0));
    const full = await timedGet(url(n));
    if (full.status !== 200) {
      throw new Error(`/__bench/decide answered ${full.status}: ${full.body.slice(0, 200)}`);
    }
    canaryShare = /** @type {{ canary: number }} */ (JSON.parse(full.body)).canary / n;
    nsPerOp.push(((full.totalMs - empty.totalMs) * 1e6) / n);
  }
  return { nsPerOp, canaryShare };
}

/**
 * One request per target before any load: each must answer 200 (a router with a cohort
 * header), so a broken setup fails in seconds, not after minutes of errors.
 * @param {readonly { name: string, url: string, routed: boolean, headers: Record<string, string> }[]} targets
 */
export async function sanityCheck(targets) {
  for (const target of targets) {
    const response = await fetch(`${target.url}/`, { headers: target.headers });
    const body = await response.text();
    if (response.status !== 200 || (target.routed && !response.headers.has("x-gray-cohort"))) {
      throw new Error(
        `${target.name} answered ${response.status}, cohort ${String(response.headers.get("x-gray-cohort"))}: ${body.slice(0, 300)}`,
      );
    }
  }
}

/** Closes the probes' keep-alive connections. */
export function closeProbes() {
  agent.destroy();
}
