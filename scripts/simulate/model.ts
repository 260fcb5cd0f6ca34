/**
 * The traffic behind the quality figures: visitors with ids, buckets (the
 * router's own hash and layout) and cookies, whose requests become the data
 * points the router would write (`toDataPoint`, blob11 `new` on a visitor's
 * first request, `returning` after), thinned and weighted as Analytics Engine
 * sampling would store them (`_sample_interval`). Each cohort's error rate
 * and latency may change over time (shared incidents, steps) and with the
 * canary's weight.
 */

import { bucketOf } from "../../src/core/buckets";
import { assignCohort, buildLayout } from "../../src/core/layout";
import { toDataPoint } from "../../src/core/metrics";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { normal, poisson } from "./random";

/** One cohort's behaviour at a moment. */
export interface CohortModel {
  readonly errorRate: number;
  /** Median latency, ms. */
  readonly medianMs: number;
  /** Log-normal shape: standard deviation of log(latency). */
  readonly sigma: number;
}

/** What decides a cohort's behaviour in a minute. */
export interface Moment {
  readonly cohort: "stable" | "canary";
  readonly minute: number;
  /** The canary's weight in percent. */
  readonly weight: number;
  /** First minute at which the canary had at least 25 %, or null. */
  readonly reached25: number | null;
}

/** How visitors come and stay. */
export type VisitorModel =
  /** Every request a new visitor (independent assignments). */
  | { readonly kind: "one-request" }
  /** Visitors with a log-normal number of requests over a session; some sessions broken. */
  | {
      readonly kind: "sticky";
      readonly meanRequests: number;
      /** σ of log(requests per visitor): the larger, the heavier the heaviest visitors. */
      readonly sigma: number;
      readonly sessionMinutes: number;
      /** Share of visitors whose every request fails with `errorRate` (both cohorts alike). */
      readonly broken: { readonly share: number; readonly errorRate: number } | null;
    };

/** Traffic of one simulated scenario. */
export interface TrafficModel {
  readonly requestsPerSecond: number;
  readonly behaviour: (moment: Moment) => CohortModel;
  /** False: the canary's share of the traffic never reaches it (and no data point says it did). */
  readonly canaryGetsTraffic: boolean;
  readonly visitors: VisitorModel;
  /** `_sample_interval` of each minute, drawn from this list (one value: constant). */
  readonly sampleIntervals: readonly number[];
}

/** The rollout key and salt of the simulated rollout. */
export const SIM_KEY = "default";

/** A request scheduled for a minute: its visitor and offset within the minute (ms). */
interface Pending {
  readonly visitor: number;
  readonly offsetMs: number;
}

/** A visitor: bucket, whether its first request is still to come, its own error rate if broken. */
interface Visitor {
  readonly bucket: number;
  seen: boolean;
  readonly brokenErrorRate: number | null;
}

/** Base-64url characters, as the router's visitor ids use. */
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Log-normal latency in whole milliseconds (the Worker's clock counts whole ms). */
function latency(rng: () => number, model: CohortModel): number {
  return Math.max(1, Math.round(model.medianMs * Math.exp(model.sigma * normal(rng))));
}

/**
 * Minute-by-minute traffic of one run. `minute(m, weight, revision)` makes
 * the data points of minute m, stamped within it, under the canary weight
 * (hundredths) and document revision in force.
 */
export class VisitorTraffic {
  private readonly visitors: Visitor[] = [];
  private readonly schedule = new Map<number, Pending[]>();
  private reached25: number | null = null;

  constructor(
    private readonly model: TrafficModel,
    private readonly rng: () => number,
    private readonly start: number,
  ) {}

  /** The data points of minute `m`. */
  minute(m: number, canaryHundredths: number, revision: string): RecordedPoint[] {
    const weight = canaryHundredths / 100;
    if (weight >= 25 && this.reached25 === null) {
      this.reached25 = m;
    }
    const layout = buildLayout(
      new Map([
        ["stable", 10_000 - canaryHundredths],
        ["canary", canaryHundredths],
      ]),
    );
    const intervals = this.model.sampleIntervals;
    const interval = intervals[Math.floor(this.rng() * intervals.length)] ?? 1;
    const moment = { minute: m, weight, reached25: this.reached25 };
    const behaviour = {
      stable: this.model.behaviour({ cohort: "stable", ...moment }),
      canary: this.model.behaviour({ cohort: "canary", ...moment }),
    };
    const points: RecordedPoint[] = [];
    const write = (bucket: number, first: boolean, offsetMs: number, broken: number | null) => {
      const cohort = assignCohort(bucket, layout) === "canary" ? "canary" : "stable";
      if (cohort === "canary" && !this.model.canaryGetsTraffic) {
        return;
      }
      const model = behaviour[cohort];
      const failed = this.rng() < (broken ?? model.errorRate);
      const point = toDataPoint({
        rolloutKey: SIM_KEY,
        cohort,
        outcome: "ok",
        host: "sim.test",
        method: "GET",
        revision,
        configState: "fresh",
        colo: "SIM",
        status: failed ? 500 : 200,
        ttfbMs: 0,
        durationMs: latency(this.rng, model),
        bucket,
        weightPercent: cohort === "canary" ? weight : 100 - weight,
        bytes: 0,
        decidedBy: "weights",
        detail: "",
        breaker: "",
        visitor: first ? "new" : "returning",
      });
      points.push({
        at: this.start + m * 60_000 + offsetMs,
        point,
        ...(interval > 1 ? { sampleInterval: interval } : {}),
      });
    };
    const perMinute = this.model.requestsPerSecond * 60;
    const visitors = this.model.visitors;
    if (visitors.kind === "one-request") {
      // A one-request visitor that sampling drops leaves nothing behind, so
      // only the kept ones are drawn: the same law as thinning every request,
      // with far fewer draws at thousands of requests a second.
      const kept = poisson(this.rng, perMinute / interval);
      for (let i = 0; i < kept; i++) {
        write(bucketOf(SIM_KEY, this.newId()), true, this.rng() * 60_000, null);
      }
      return points;
    }
    this.arrive(m, perMinute / visitors.meanRequests, visitors);
    const due = (this.schedule.get(m) ?? []).sort((a, b) => a.offsetMs - b.offsetMs);
    this.schedule.delete(m);
    for (const { visitor: index, offsetMs } of due) {
      const visitor = this.visitors[index];
      if (visitor === undefined) {
        continue;
      }
      const first = !visitor.seen;
      visitor.seen = true;
      // Sampling keeps one request in `interval`; a dropped first request
      // still happened, so the visitor's later requests are "returning".
      if (interval > 1 && this.rng() * interval >= 1) {
        continue;
      }
      write(visitor.bucket, first, offsetMs, visitor.brokenErrorRate);
    }
    return points;
  }

  /** New sticky visitors of minute m, their requests spread over their session. */
  private arrive(
    m: number,
    rate: number,
    visitors: Extract<VisitorModel, { kind: "sticky" }>,
  ): void {
    const mu = Math.log(visitors.meanRequests) - (visitors.sigma * visitors.sigma) / 2;
    const arrivals = poisson(this.rng, rate);
    for (let i = 0; i < arrivals; i++) {
      const broken =
        visitors.broken !== null && this.rng() < visitors.broken.share
          ? visitors.broken.errorRate
          : null;
      this.visitors.push({
        bucket: bucketOf(SIM_KEY, this.newId()),
        seen: false,
        brokenErrorRate: broken,
      });
      const index = this.visitors.length - 1;
      const count = Math.max(1, Math.round(Math.exp(mu + visitors.sigma * normal(this.rng))));
      const arrival = m * 60_000 + this.rng() * 60_000;
      const session = -Math.log(1 - this.rng()) * visitors.sessionMinutes * 60_000;
      for (let r = 0; r < count; r++) {
        const at = r === 0 ? arrival : arrival + this.rng() * session;
        const minute = Math.floor(at / 60_000);
        const list = this.schedule.get(minute) ?? [];
        list.push({ visitor: index, offsetMs: at - minute * 60_000 });
        this.schedule.set(minute, list);
      }
    }
  }

  /** A visitor id in the router's form (22 base-64url characters), from the seeded generator. */
  private newId(): string {
    // 22 characters of 6 bits from 5 draws of 32 random bits (sfc32's floats carry 32).
    let id = "";
    for (let word = 0; word < 5; word++) {
      let bits = Math.floor(this.rng() * 4294967296);
      for (let i = 0; i < 5 && id.length < 22; i++) {
        id += ID_CHARS[bits & 63] ?? "A";
        bits = Math.floor(bits / 64);
      }
    }
    return id;
  }
}

/** Log-normal quantile: the σ that moves a cohort's p95 by `factor` with the median unchanged. */
export function sigmaForP95(sigma: number, factor: number): number {
  return sigma + Math.log(factor) / 1.6448536269514722;
}
