/**
 * `npm run simulate -- validate`: checks the statistical model's assumptions
 * against the real router once. Identical cohorts at a fixed 90/10 split,
 * real traffic through workerd for some simulated minutes; then, per minute,
 * the canary's share, each cohort's error count and the canary/stable p95
 * ratio are compared with what the model (model.ts) gives for the same
 * traffic. Agreement means the quality figures' model is fair to the real
 * router; the comparison is printed, not asserted.
 */

import { VisitorTraffic } from "./model";
import type { CohortModel } from "./model";
import { decodeDataPoint, weightedQuantile } from "../../src/control/recorded-source";
import { isError } from "../../src/core/error-rule";
import { sfc32 } from "./random";
import { SIM_START } from "./ramp";
import { startWorld } from "./traffic";

/** Validation options. */
export interface ValidationOptions {
  readonly workerModule: string;
  readonly minutes: number;
  readonly rps: number;
}

const COHORT: CohortModel = { errorRate: 0.01, medianMs: 20, sigma: 0.5 };
const CANARY_SHARE = 0.1;

interface Minute {
  readonly canary: number;
  readonly total: number;
  readonly canaryErrors: number;
  readonly stableErrors: number;
  readonly p95Ratio: number | null;
}

/** Runs the comparison; resolves to the exit code. */
export async function runValidation(options: ValidationOptions): Promise<number> {
  const real = await realMinutes(options);
  const model = modelMinutes(options.rps, 400);
  console.log(
    `identical cohorts (1 % errors, origin latency log-normal median ${COHORT.medianMs} ms, σ ${COHORT.sigma}), 90/10, ${options.rps} req/s\n`,
  );
  console.log("| per simulated minute | real router | model |");
  console.log("|---|---|---|");
  const rows: [string, (m: readonly Minute[]) => string][] = [
    ["minutes", (m) => String(m.length)],
    ["canary share: mean", (m) => fixed(mean(m.map((x) => x.canary / x.total)), 4)],
    [
      "canary share: variance / binomial variance",
      (m) => fixed(dispersion(m.map((x) => [x.canary, x.total])), 2),
    ],
    [
      "stable errors: rate",
      (m) =>
        `${fixed((100 * sum(m.map((x) => x.stableErrors))) / sum(m.map((x) => x.total - x.canary)), 2)} %`,
    ],
    [
      "stable errors: variance / binomial variance",
      (m) => fixed(dispersion(m.map((x) => [x.stableErrors, x.total - x.canary])), 2),
    ],
    [
      "canary errors: rate",
      (m) =>
        `${fixed((100 * sum(m.map((x) => x.canaryErrors))) / sum(m.map((x) => x.canary)), 2)} %`,
    ],
    ["log(p95 canary / stable): mean", (m) => fixed(mean(logRatios(m)), 3)],
    ["log(p95 canary / stable): standard deviation", (m) => fixed(sd(logRatios(m)), 3)],
  ];
  for (const [name, f] of rows) {
    console.log(`| ${name} | ${f(real)} | ${f(model)} |`);
  }
  console.log(
    "\nThe router's latencies include its own overhead and local queueing on top of the origins' log-normal delay.",
  );
  return 0;
}

async function realMinutes(options: ValidationOptions): Promise<Minute[]> {
  const world = await startWorld(options.workerModule, COHORT, COHORT, 7);
  try {
    await world.put(
      "default",
      JSON.stringify({ origins: world.origins, weights: { stable: 90, canary: 10 } }),
    );
    const minutes: Minute[] = [];
    for (let m = 0; m < options.minutes; m++) {
      const from = SIM_START + m * 60_000;
      await world.setClock(from + 30_000);
      await world.send(Math.round(options.rps * 60));
      const f = await world.figures(from, from + 60_000);
      const canary = f["canary"];
      const stable = f["stable"];
      minutes.push({
        canary: canary?.requests ?? 0,
        total: (canary?.requests ?? 0) + (stable?.requests ?? 0),
        canaryErrors: canary?.errors ?? 0,
        stableErrors: stable?.errors ?? 0,
        p95Ratio: canary?.p95 != null && stable?.p95 != null ? canary.p95 / stable.p95 : null,
      });
      process.stdout.write(".");
    }
    process.stdout.write("\n");
    return minutes;
  } finally {
    await world.close();
  }
}

function modelMinutes(rps: number, count: number): Minute[] {
  const traffic = new VisitorTraffic(
    {
      requestsPerSecond: rps,
      behaviour: () => COHORT,
      canaryGetsTraffic: true,
      visitors: { kind: "one-request" },
      sampleIntervals: [1],
    },
    sfc32(11),
    SIM_START,
  );
  const minutes: Minute[] = [];
  for (let m = 0; m < count; m++) {
    const figures = new Map<
      string,
      { errors: number; durations: { value: number; weight: number }[] }
    >();
    for (const { point } of traffic.minute(m, CANARY_SHARE * 10_000, "r")) {
      const p = decodeDataPoint(point);
      if (p === null) {
        continue;
      }
      const f = figures.get(p.cohort) ?? { errors: 0, durations: [] };
      f.errors += isError(p.status, p.outcome) ? 1 : 0;
      f.durations.push({ value: p.durationMs, weight: 1 });
      figures.set(p.cohort, f);
    }
    const canary = figures.get("canary");
    const stable = figures.get("stable");
    const canaryP95 = canary === undefined ? null : weightedQuantile(canary.durations, 0.95);
    const stableP95 = stable === undefined ? null : weightedQuantile(stable.durations, 0.95);
    minutes.push({
      canary: canary?.durations.length ?? 0,
      total: (canary?.durations.length ?? 0) + (stable?.durations.length ?? 0),
      canaryErrors: canary?.errors ?? 0,
      stableErrors: stable?.errors ?? 0,
      p95Ratio: canaryP95 !== null && stableP95 !== null ? canaryP95 / stableP95 : null,
    });
  }
  return minutes;
}

function logRatios(minutes: readonly Minute[]): number[] {
  return minutes.flatMap((m) => (m.p95Ratio === null ? [] : [Math.log(m.p95Ratio)]));
}

/** Observed variance of counts x out of n over the binomial variance at the pooled rate. */
function dispersion(pairs: readonly (readonly [number, number])[]): number {
  const p = sum(pairs.map(([x]) => x)) / sum(pairs.map(([, n]) => n));
  const observed = pairs.map(([x, n]) => (x - p * n) ** 2);
  const expected = pairs.map(([, n]) => n * p * (1 - p));
  return sum(observed) / sum(expected);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

function sd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(sum(values.map((v) => (v - m) ** 2)) / Math.max(1, values.length - 1));
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}
