/**
 * Test helpers: a seeded PRNG and a minute-by-minute traffic simulator for the
 * statistical property tests. Deterministic so the measured rates are stable.
 */

import type { CohortStats, Status } from "../../../src/core/judge";
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

/**
 * Simulates one run: every request is independently assigned to the canary
 * with probability `canaryShare` and fails with its cohort's error rate
 * (drawn per minute as binomial counts). Calls `evaluate` on the cumulative counts after every minute,
 * and records when it first failed and first passed.
 */
export function simulateRun(
  rng: () => number,
  scenario: Scenario,
  evaluate: (canary: CohortStats, stable: CohortStats) => Status,
): RunOutcome {
  let nC = 0;
  let xC = 0;
  let nS = 0;
  let xS = 0;
  let firstFail: number | null = null;
  let firstPass: number | null = null;
  for (let minute = 1; minute <= scenario.minutes; minute++) {
    // Same distribution as assigning and failing each request independently.
    const canaryRequests = binomial(rng, scenario.requestsPerMinute, scenario.canaryShare);
    const stableRequests = scenario.requestsPerMinute - canaryRequests;
    nC += canaryRequests;
    xC += binomial(rng, canaryRequests, scenario.canaryErrorRate);
    nS += stableRequests;
    xS += binomial(rng, stableRequests, scenario.stableErrorRate);
    const status = evaluate(
      { cohort: "canary", requests: nC, errors: xC, latencyMs: null },
      { cohort: "stable", requests: nS, errors: xS, latencyMs: null },
    );
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
  evaluate: (canary: CohortStats, stable: CohortStats) => Status,
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
