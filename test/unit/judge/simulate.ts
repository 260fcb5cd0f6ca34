/**
 * Test helpers: a seeded PRNG and a minute-by-minute traffic simulator for the
 * statistical property tests. Deterministic so the measured rates are stable.
 */

import type { Cell, Status } from "../../../src/core/judge";
// One copy of the generator, shared with the simulation (scripts/simulate).
import { sfc32 } from "../../../scripts/simulate/random";

export { sfc32 };

/**
 * Unlike the simulation's `binomial` (scripts/simulate/random.ts), which
 * switches to a normal approximation for large counts, this one is exact at
 * every size: the error-rate guarantees are measured with it.
 *
 * Draws Binomial(n, p) exactly by skipping over the gaps between successes of
 * the underlying Bernoulli sequence (gaps are geometric), which takes about
 * n·min(p, 1−p) + 1 random numbers instead of n.
 */
export function binomial(rng: () => number, n: number, p: number): number {
  if (p <= 0 || n <= 0) {
    return 0;
  }
  if (p >= 1) {
    return n;
  }
  if (p > 0.5) {
    return n - binomial(rng, n, 1 - p);
  }
  if (p === 0.5) {
    // Fair coins: count the set bits of random 32-bit words (sfc32's floats
    // carry exactly 32 random bits), 32 requests per random number.
    let successes = 0;
    for (let left = n; left > 0; left -= 32) {
      let word = Math.floor(rng() * 4294967296) >>> 0;
      if (left < 32) {
        word &= (1 << left) - 1;
      }
      successes += popcount(word);
    }
    return successes;
  }
  const logQ = Math.log1p(-p);
  let successes = 0;
  let position = -1;
  for (;;) {
    // 1 − U lies in (0, 1], so the logarithm is finite.
    position += 1 + Math.floor(Math.log(1 - rng()) / logQ);
    if (position >= n) {
      return successes;
    }
    successes += 1;
  }
}

/** Number of set bits in a 32-bit word. */
function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Traffic of one simulated canary run. */
export interface Scenario {
  readonly requestsPerMinute: number;
  readonly canaryShare: number;
  readonly canaryErrorRate: number;
  readonly stableErrorRate: number;
  readonly minutes: number;
}

/** First minute (1-based) at which each status was returned, or null if never. */
export interface RunOutcome {
  readonly firstFail: number | null;
  readonly firstPass: number | null;
}

/** Bucket clusters of the simulated cells (as the analysis query groups them). */
const CLUSTERS = 64;

/** Running sums of one cohort's clusters. */
interface Clusters {
  readonly requests: Float64Array;
  readonly errors: Float64Array;
}

/**
 * Spreads `n` requests over the clusters (an equal share each, the remainder
 * to random clusters) and draws each cluster's errors: independent requests,
 * as every request is its own visitor here.
 */
function addRequests(rng: () => number, into: Clusters, n: number, errorRate: number): void {
  const base = Math.floor(n / CLUSTERS);
  const extra = new Uint8Array(CLUSTERS);
  for (let i = 0; i < n - base * CLUSTERS; i++) {
    const k = Math.floor(rng() * CLUSTERS);
    extra[k] = (extra[k] ?? 0) + 1;
  }
  for (let k = 0; k < CLUSTERS; k++) {
    const here = base + (extra[k] ?? 0);
    into.requests[k] = (into.requests[k] ?? 0) + here;
    into.errors[k] = (into.errors[k] ?? 0) + binomial(rng, here, errorRate);
  }
}

/** The judge's cells of the running sums (one stratum: the weights never change). */
export function cellsOf(cohort: string, c: Clusters): Cell[] {
  const cells: Cell[] = [];
  for (let k = 0; k < CLUSTERS; k++) {
    const n = c.requests[k] ?? 0;
    if (n === 0) {
      continue;
    }
    const e = c.errors[k] ?? 0;
    cells.push({
      stratum: "r1",
      cohort,
      cluster: k,
      rows: n,
      requests: n,
      requestsSq: n,
      errors: e,
      okRows: n - e,
      ok: n - e,
      okSq: n - e,
      assigned: n,
      newRows: n,
      newVisitors: n,
      newSq: n,
      latency: {},
    });
  }
  return cells;
}

/**
 * Simulates one run: every request is independently assigned to the canary
 * with probability `canaryShare`, lands in a uniformly random bucket cluster
 * and fails with its cohort's error rate (drawn per minute as binomial
 * counts). Calls `evaluate` on the cumulative cells after every minute, and
 * records when it first failed and first passed.
 */
export function simulateRun(
  rng: () => number,
  scenario: Scenario,
  evaluate: (cells: readonly Cell[]) => Status,
): RunOutcome {
  const canary = { requests: new Float64Array(CLUSTERS), errors: new Float64Array(CLUSTERS) };
  const stable = { requests: new Float64Array(CLUSTERS), errors: new Float64Array(CLUSTERS) };
  let firstFail: number | null = null;
  let firstPass: number | null = null;
  for (let minute = 1; minute <= scenario.minutes; minute++) {
    const canaryRequests = binomial(rng, scenario.requestsPerMinute, scenario.canaryShare);
    addRequests(rng, canary, canaryRequests, scenario.canaryErrorRate);
    addRequests(rng, stable, scenario.requestsPerMinute - canaryRequests, scenario.stableErrorRate);
    const status = evaluate([...cellsOf("canary", canary), ...cellsOf("stable", stable)]);
    if (status === "fail" && firstFail === null) {
      firstFail = minute;
    }
    if (status === "pass" && firstPass === null) {
      firstPass = minute;
    }
  }
  return { firstFail, firstPass };
}

/** Runs `runs` simulations, seeded 1..runs so each run is reproducible on its own. */
export function simulateMany(
  runs: number,
  scenario: Scenario,
  evaluate: (cells: readonly Cell[]) => Status,
  seedOffset = 0,
): RunOutcome[] {
  const outcomes: RunOutcome[] = [];
  for (let run = 1; run <= runs; run++) {
    outcomes.push(simulateRun(sfc32(seedOffset + run), scenario, evaluate));
  }
  return outcomes;
}

/** Smallest minute N such that at least `fraction` of runs had failed by minute N (null if never). */
export function minutesToFail(outcomes: readonly RunOutcome[], fraction: number): number | null {
  const times = outcomes
    .map((o) => o.firstFail)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const needed = Math.ceil(fraction * outcomes.length);
  if (needed === 0) {
    return 0;
  }
  return times.length >= needed ? (times[needed - 1] ?? null) : null;
}
