// @ts-check
/**
 * Demo traffic for `npm start`: simulated visitors that keep their cookies.
 * Each request is, with probability `newShare`, a new visitor (no cookie: the
 * router assigns a bucket and sets `gray_vid`), otherwise a returning one
 * from a pool, who sends its cookie back and so stays in its cohort. Both
 * kinds show in the data points (`blob11`: new / returning), as on a real
 * site. Requests go out at `rps` on average, spread over each second.
 */
import { setTimeout as sleep } from "node:timers/promises";

const PATHS = ["/", "/", "/products", "/products/42", "/api/cart", "/search?q=shoes"];
/** Requests in flight at most: a stalled router does not pile up sockets. */
const MAX_IN_FLIGHT = 50;

/**
 * Starts sending; `stop()` ends it. `summary()` gives the counts since the last call.
 * @param {{ url: string, rps: number, newShare?: number, poolSize?: number }} options
 */
export function startTraffic({ url, rps, newShare = 0.2, poolSize = 300 }) {
  /** @type {string[]} */
  const pool = [];
  /** @type {Map<string, number>} */
  let cohorts = new Map();
  let failed = 0;
  let inFlight = 0;
  let running = true;

  /** One request as one visitor. */
  async function visit() {
    const returning = pool.length > 0 && Math.random() >= newShare;
    const index = Math.floor(Math.random() * pool.length);
    const cookie = returning ? pool[index] : undefined;
    const path = PATHS[Math.floor(Math.random() * PATHS.length)] ?? "/";
    inFlight += 1;
    try {
      const res = await fetch(`${url}${path}`, {
        headers: cookie === undefined ? {} : { cookie },
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      const cohort = res.headers.get("x-gray-cohort") ?? "(none)";
      cohorts.set(cohort, (cohorts.get(cohort) ?? 0) + 1);
      const set = /gray_vid=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
      if (set !== undefined) {
        if (returning) {
          pool[index] = set;
        } else if (pool.length < poolSize) {
          pool.push(set);
        } else {
          pool[Math.floor(Math.random() * poolSize)] = set;
        }
      }
    } catch {
      failed += 1;
    } finally {
      inFlight -= 1;
    }
  }

  async function loop() {
    const tick = 100;
    while (running) {
      // Poisson-like: the expected count per tick, rounded at random.
      const expected = (rps * tick) / 1000;
      const count = Math.floor(expected) + (Math.random() < expected % 1 ? 1 : 0);
      for (let i = 0; i < count && inFlight < MAX_IN_FLIGHT; i += 1) {
        void visit();
      }
      await sleep(tick);
    }
  }
  void loop();

  return {
    stop() {
      running = false;
    },
    /** Requests per cohort and failures since the last call. */
    summary() {
      const result = { cohorts, failed };
      cohorts = new Map();
      failed = 0;
      return result;
    },
  };
}
