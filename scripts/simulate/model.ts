/**
 * The statistical traffic model behind the quality figures: per simulated
 * minute, the requests of each cohort (binomial split by the canary's current
 * weight), their errors (binomial at the cohort's error rate) and their
 * latencies (log-normal, kept as a fine log-scale histogram). A MetricsSource
 * over those aggregates answers the controller's queries the way the SQL API
 * would: only the analysis's revisions, within the look-back, the
 * current revision's requests for the sample-ratio check.
 *
 * What it leaves out (docs/canary-analysis.md, "Simulation"): per-visitor
 * stickiness (every request is an independent assignment), Analytics Engine
 * sampling, KV propagation delays beyond the one-minute step, and time
 * variation of error rates.
 */

import type {
  MetricsQuery,
  MetricsSource,
  WindowMetrics,
  CohortMetrics,
} from "../../src/control/metrics-source";
import { binomial, normalCdf } from "./random";

/** One cohort's behaviour. */
export interface CohortModel {
  readonly errorRate: number;
  /** Median latency, ms. */
  readonly medianMs: number;
  /** Log-normal shape: standard deviation of log(latency). */
  readonly sigma: number;
}

/** Traffic of one simulated scenario. */
export interface TrafficModel {
  readonly requestsPerSecond: number;
  readonly stable: CohortModel;
  readonly canary: CohortModel;
  /** False: the canary's share of the traffic never reaches it (and no data point says it did). */
  readonly canaryGetsTraffic: boolean;
}

const LOG_MIN = Math.log(0.1);
const BIN_WIDTH = 0.04;
const BINS = Math.ceil((Math.log(600_000) - LOG_MIN) / BIN_WIDTH);
const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** Bin probabilities of a log-normal latency distribution. */
function binProbabilities(model: CohortModel): Float64Array {
  const mu = Math.log(model.medianMs);
  const p = new Float64Array(BINS);
  for (let i = 0; i < BINS; i++) {
    const lo = (LOG_MIN + i * BIN_WIDTH - mu) / model.sigma;
    const hi = (LOG_MIN + (i + 1) * BIN_WIDTH - mu) / model.sigma;
    p[i] = lo > 8 || hi < -8 ? 0 : normalCdf(hi) - normalCdf(lo);
  }
  return p;
}

/** Adds a multinomial draw of `n` latencies to `into` (sequential conditional binomials). */
function drawLatencies(
  rng: () => number,
  n: number,
  probabilities: Float64Array,
  into: Float64Array,
): void {
  let left = n;
  let mass = probabilities.reduce((s, p) => s + p, 0);
  for (let i = 0; i < BINS && left > 0; i++) {
    const p = probabilities[i] ?? 0;
    if (p <= 0) {
      continue;
    }
    const k = p >= mass ? left : binomial(rng, left, p / mass);
    into[i] = (into[i] ?? 0) + k;
    left -= k;
    mass -= p;
  }
}

/** The q-quantile of a latency histogram, interpolated in log space within its bin. */
function quantile(hist: Float64Array, q: number): number | null {
  const total = hist.reduce((s, c) => s + c, 0);
  if (total <= 0) {
    return null;
  }
  const target = q * total;
  let cumulative = 0;
  for (let i = 0; i < BINS; i++) {
    const count = hist[i] ?? 0;
    if (count > 0 && cumulative + count >= target) {
      const fraction = (target - cumulative) / count;
      return Math.exp(LOG_MIN + (i + fraction) * BIN_WIDTH);
    }
    cumulative += count;
  }
  return null;
}

interface Totals {
  requests: number;
  errors: number;
  hist: Float64Array;
}

const zero = (): Totals => ({ requests: 0, errors: 0, hist: new Float64Array(BINS) });

/**
 * Minute-by-minute traffic of one run, and a MetricsSource over it. Time is
 * `start + minute × 60 s`; minute m's traffic is stamped at its middle.
 */
export class SimulatedTraffic {
  /** Cumulative totals per cohort after each minute (index 0: before any traffic). */
  private readonly cumulative: { stable: Totals; canary: Totals }[] = [
    { stable: zero(), canary: zero() },
  ];
  private readonly revisions: string[] = [];
  private readonly probabilities: { stable: Float64Array; canary: Float64Array };

  constructor(
    private readonly model: TrafficModel,
    private readonly rng: () => number,
    private readonly start: number,
  ) {
    this.probabilities = {
      stable: binProbabilities(model.stable),
      canary: binProbabilities(model.canary),
    };
  }

  /** Minutes simulated so far. */
  get minutes(): number {
    return this.revisions.length;
  }

  /** Simulates the next minute with the canary at `canaryHundredths` under document `revision`. */
  addMinute(canaryHundredths: number, revision: string): void {
    const n = Math.round(this.model.requestsPerSecond * 60);
    const toCanary = binomial(this.rng, n, canaryHundredths / 10_000);
    const previous = this.cumulative[this.cumulative.length - 1] ?? {
      stable: zero(),
      canary: zero(),
    };
    const next = { stable: copy(previous.stable), canary: copy(previous.canary) };
    const canaryRequests = this.model.canaryGetsTraffic ? toCanary : 0;
    this.add(next.stable, n - toCanary, this.model.stable, this.probabilities.stable);
    this.add(next.canary, canaryRequests, this.model.canary, this.probabilities.canary);
    this.cumulative.push(next);
    this.revisions.push(revision);
  }

  private add(
    totals: Totals,
    requests: number,
    model: CohortModel,
    probabilities: Float64Array,
  ): void {
    totals.requests += requests;
    totals.errors += binomial(this.rng, requests, model.errorRate);
    drawLatencies(this.rng, requests, probabilities, totals.hist);
  }

  /** Per-minute figures of minute m (for charts): canary share, error rates, p95s. */
  minute(m: number): { stable: CohortSummary; canary: CohortSummary } {
    const a = this.cumulative[m];
    const b = this.cumulative[m + 1];
    if (a === undefined || b === undefined) {
      throw new RangeError(`minute ${m} was not simulated`);
    }
    return {
      stable: summary(difference(b.stable, a.stable)),
      canary: summary(difference(b.canary, a.canary)),
    };
  }

  /** A MetricsSource answering from these aggregates at the time `now()`. */
  source(now: () => number): MetricsSource {
    return { read: (query) => Promise.resolve(this.read(query, now())) };
  }

  private read(query: MetricsQuery, now: number): WindowMetrics {
    const since = now - query.lookbackSeconds * 1000;
    const end = this.revisions.length;
    const inWindow = (m: number): boolean => this.start + (m + 0.5) * 60_000 > since;
    let from = end;
    while (
      from > 0 &&
      inWindow(from - 1) &&
      query.revisions.includes(this.revisions[from - 1] ?? "")
    ) {
      from -= 1;
    }
    let stepFrom = end;
    while (stepFrom > from && this.revisions[stepFrom - 1] === query.currentRevision) {
      stepFrom -= 1;
    }
    const cohorts: CohortMetrics[] = [];
    for (const name of ["canary", "stable"] as const) {
      const window = difference(this.at(end)[name], this.at(from)[name]);
      const step = this.at(end)[name].requests - this.at(stepFrom)[name].requests;
      if (window.requests > 0) {
        const s = summary(window);
        cohorts.push({
          cohort: name,
          requests: window.requests,
          errors: window.errors,
          stepRequests: step,
          rows: window.requests,
          latencyMs: s.latencyMs,
        });
      }
    }
    return { cohorts };
  }

  private at(index: number): { stable: Totals; canary: Totals } {
    return this.cumulative[index] ?? { stable: zero(), canary: zero() };
  }
}

/** Requests, error rate and latency quantiles of some traffic. */
export interface CohortSummary {
  readonly requests: number;
  readonly errorRate: number | null;
  readonly latencyMs: { p50: number; p95: number; p99: number } | null;
}

function summary(t: Totals): CohortSummary {
  const p50 = quantile(t.hist, QUANTILES.p50);
  const p95 = quantile(t.hist, QUANTILES.p95);
  const p99 = quantile(t.hist, QUANTILES.p99);
  return {
    requests: t.requests,
    errorRate: t.requests > 0 ? t.errors / t.requests : null,
    latencyMs: p50 === null || p95 === null || p99 === null ? null : { p50, p95, p99 },
  };
}

function copy(t: Totals): Totals {
  return { requests: t.requests, errors: t.errors, hist: Float64Array.from(t.hist) };
}

function difference(b: Totals, a: Totals): Totals {
  const hist = new Float64Array(BINS);
  for (let i = 0; i < BINS; i++) {
    hist[i] = (b.hist[i] ?? 0) - (a.hist[i] ?? 0);
  }
  return { requests: b.requests - a.requests, errors: b.errors - a.errors, hist };
}

/** Log-normal quantile: the σ that moves a cohort's p95 by `factor` with the median unchanged. */
export function sigmaForP95(sigma: number, factor: number): number {
  return sigma + Math.log(factor) / 1.6448536269514722;
}
