/**
 * The quality targets (issues 5 and 10), measured: many simulated rollouts
 * per named scenario through the real controller and judge (default analysis
 * settings), reading visitor-level data points (model.ts) through the JS
 * twin of the analysis SQL. Each figure comes with a 95 % interval.
 */

import { ANALYSIS_DEFAULTS } from "../../src/core/analysis-settings";
import { sigmaForP95 } from "./model";
import type { CohortModel, Moment, TrafficModel, VisitorModel } from "./model";
import { simulateRamp } from "./ramp";
import type { RampResult } from "./ramp";

/** Baseline cohort of every scenario: 1 % errors, log-normal latency with median 100 ms, σ 0.5 (p95 ≈ 228 ms). */
export const BASELINE: CohortModel = { errorRate: 0.01, medianMs: 100, sigma: 0.5 };

/** One measured figure of a scenario and its target. */
export interface Measure {
  readonly label: string;
  readonly event: (run: RampResult) => boolean;
  /** Target: the share of runs with the event is at most / at least this. */
  readonly atMost?: number;
  readonly atLeast?: number;
}

/** One named scenario. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly model: TrafficModel;
  readonly maxMinutes: number;
  readonly measures: readonly Measure[];
}

const interval = ANALYSIS_DEFAULTS.interval / 60;
/** The longest the last step (50 % -> 100 %) may wait for a pass: passTimeout, plus the minute of the run that decides. */
const lastStepMaximum = ANALYSIS_DEFAULTS.passTimeout / 60 + 1;
/** The default steps' last step before 100 %. */
const LAST_STEP = 50;

/** Minutes the run spent at its last step before 100 %, if it got there and the ramp ended. */
function lastStepMinutes(run: RampResult): number | null {
  const reached = run.weights.indexOf(LAST_STEP);
  return reached < 0 || run.outcome === "timeout" ? null : run.minutes - reached;
}
const ONE: VisitorModel = { kind: "one-request" };
const STICKY: Extract<VisitorModel, { kind: "sticky" }> = {
  kind: "sticky",
  meanRequests: 10,
  sigma: 1.5,
  sessionMinutes: 15,
  broken: null,
};

const rolledBack: Measure = {
  label: "rolled back",
  event: (run) => run.outcome === "rollback",
  atMost: 0.01,
};
const reached: Measure = {
  label: "reached 100 %",
  event: (run) => run.outcome === "complete",
  atLeast: 0.95,
};

/** Both cohorts alike, with `change` applied to both. */
function same(change: (m: Moment) => Partial<CohortModel> = () => ({})) {
  return (m: Moment): CohortModel => ({ ...BASELINE, ...change(m) });
}

/** Stable as the baseline; the canary changed by `change`. */
function canaryOnly(change: (m: Moment) => Partial<CohortModel>) {
  return (m: Moment): CohortModel =>
    m.cohort === "canary" ? { ...BASELINE, ...change(m) } : BASELINE;
}

function model(
  behaviour: (m: Moment) => CohortModel,
  extra: Partial<Omit<TrafficModel, "behaviour">> = {},
): TrafficModel {
  return {
    requestsPerSecond: 20,
    behaviour,
    canaryGetsTraffic: true,
    visitors: ONE,
    sampleIntervals: [1],
    ...extra,
  };
}

function aa(name: string, description: string, traffic: TrafficModel): Scenario {
  return { name, description, model: traffic, maxMinutes: 8 * 60, measures: [rolledBack, reached] };
}

/**
 * The named scenarios. `sigma` (default: BASELINE's 0.5) changes the latency
 * spread of the reference scenarios, for sensitivity checks.
 */
export function scenarios(): readonly Scenario[] {
  const incident = (m: Moment): Partial<CohortModel> =>
    m.reached25 !== null && m.minute >= m.reached25 + 3 && m.minute < m.reached25 + 6
      ? { errorRate: 0.2 }
      : {};
  return [
    aa("A/A", "identical cohorts, 20 req/s, one request per visitor", model(same())),
    aa(
      "A/A shared incident",
      "20 % errors in both cohorts for 3 minutes, from 3 minutes after the canary reaches 25 %",
      model(same(incident)),
    ),
    aa(
      "A/A shared error step",
      "both cohorts' error rate steps from 1 % to 3 % at minute 30",
      model(same((m) => (m.minute >= 30 ? { errorRate: 0.03 } : {}))),
    ),
    aa(
      "A/A shared latency step",
      "both cohorts' latency +40 % from minute 30",
      model(same((m) => (m.minute >= 30 ? { medianMs: BASELINE.medianMs * 1.4 } : {}))),
    ),
    aa(
      "A/A sampled x10",
      "200 req/s stored as every 10th (_sample_interval 10)",
      model(same(), { requestsPerSecond: 200, sampleIntervals: [10] }),
    ),
    aa(
      "A/A sampled x100",
      "2,000 req/s stored as every 100th",
      model(same(), { requestsPerSecond: 2000, sampleIntervals: [100] }),
    ),
    aa(
      "A/A sampled mixed",
      "500 req/s, each minute stored at 1 in 10 or 1 in 100",
      model(same(), { requestsPerSecond: 500, sampleIntervals: [10, 100] }),
    ),
    aa(
      "A/A sticky visitors",
      "20 req/s from visitors with log-normal request counts (mean 10, σ 1.5) over ~15-minute sessions",
      model(same(), { visitors: STICKY }),
    ),
    aa(
      "A/A sticky, broken sessions",
      "the same, and 0.6 % of visitors (in both cohorts) get 80 % errors",
      model(same(), { visitors: { ...STICKY, broken: { share: 0.006, errorRate: 0.8 } } }),
    ),
    aa(
      "A/A latency σ 1.3",
      "latency log-normal with σ 1.3 in both cohorts",
      model(same(() => ({ sigma: 1.3 }))),
    ),
    {
      name: "errors 3 %",
      description: `canary 3 % vs stable 1 % errors, 20 req/s: rolled back at <= 10 % within 10 intervals (${10 * interval} min)`,
      model: model(canaryOnly(() => ({ errorRate: 0.03 }))),
      maxMinutes: 8 * 60,
      measures: [
        {
          label: "rolled back at <= 10 % in time",
          event: (run) =>
            run.outcome === "rollback" &&
            (run.rollbackFrom ?? 100) <= 10 &&
            run.minutes <= 10 * interval,
          atLeast: 0.95,
        },
      ],
    },
    {
      name: "p95 +50 %",
      description: "canary p95 latency +50 % (tail only: median unchanged), 20 req/s",
      model: model(canaryOnly(() => ({ sigma: sigmaForP95(BASELINE.sigma, 1.5) }))),
      maxMinutes: 8 * 60,
      measures: [
        { label: "rolled back", event: (run) => run.outcome === "rollback", atLeast: 0.9 },
      ],
    },
    {
      name: "errors 3 % from 25 %",
      description: "canary 3 % vs 1 % errors, but only while it has 25 % or more",
      model: model(canaryOnly((m) => (m.weight >= 25 ? { errorRate: 0.03 } : {}))),
      maxMinutes: 8 * 60,
      measures: [
        { label: "rolled back", event: (run) => run.outcome === "rollback", atLeast: 0.95 },
      ],
    },
    {
      name: "near margin",
      description: `canary 1.4 % vs 1.0 % errors (inside the 0.5 pp margin): the ramp ends (promoted, or rolled back) at most ${lastStepMaximum} min after reaching its last step (passTimeout)`,
      model: model(canaryOnly(() => ({ errorRate: 0.014 }))),
      maxMinutes: 8 * 60,
      measures: [
        {
          label: "ended within passTimeout",
          event: (run) =>
            run.outcome === "rollback" || (lastStepMinutes(run) ?? Infinity) <= lastStepMaximum,
          atLeast: 0.9,
        },
      ],
    },
    {
      name: "+0.05 pp",
      description: "canary 1.05 % vs 1 % errors, 5,000 req/s stored at 1 in 100",
      model: model(
        canaryOnly(() => ({ errorRate: 0.0105 })),
        {
          requestsPerSecond: 5000,
          sampleIntervals: [100],
        },
      ),
      maxMinutes: 8 * 60,
      measures: [
        { label: "reached 100 %", event: (run) => run.outcome === "complete", atLeast: 0.9 },
      ],
    },
    {
      name: "no data",
      description: "the canary gets no traffic (20 req/s): never promoted",
      model: model(same(), { canaryGetsTraffic: false }),
      maxMinutes: 8 * 60,
      measures: [{ label: "promoted", event: (run) => run.everPromoted, atMost: 0 }],
    },
  ];
}

/** One measure's result. */
export interface MeasureResult {
  readonly measure: Measure;
  readonly count: number;
  readonly runs: number;
  readonly interval: readonly [number, number];
  readonly met: boolean;
}

/** What a scenario's runs gave. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly runs: number;
  readonly outcomes: Readonly<Record<RampResult["outcome"], number>>;
  /** Minutes to the outcome: median and 95th percentile over runs that ended. */
  readonly minutes: { readonly median: number | null; readonly p95: number | null };
  /** Canary weights (percent) at rollback, with counts. */
  readonly rollbackWeights: Readonly<Record<string, number>>;
  readonly measures: readonly MeasureResult[];
  readonly seconds: number;
}

/** Wilson score interval for k successes in n runs, 95 %. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) {
    return [0, 1];
  }
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Runs `runs` rollouts of a scenario (seeds offset per scenario). */
export async function measure(
  scenario: Scenario,
  runs: number,
  seedOffset: number,
  analysis: Readonly<Record<string, unknown>> = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const outcomes = { complete: 0, rollback: 0, timeout: 0 };
  const rollbackWeights: Record<string, number> = {};
  const minutes: number[] = [];
  const counts = scenario.measures.map(() => 0);
  for (let i = 1; i <= runs; i++) {
    const run = await simulateRamp({
      model: scenario.model,
      analysis,
      seed: seedOffset + i,
      maxMinutes: scenario.maxMinutes,
      startPercent: 1,
    });
    outcomes[run.outcome] += 1;
    if (run.outcome !== "timeout") {
      minutes.push(run.minutes);
    }
    if (run.rollbackFrom !== null) {
      const k = String(run.rollbackFrom);
      rollbackWeights[k] = (rollbackWeights[k] ?? 0) + 1;
    }
    scenario.measures.forEach((m, j) => {
      counts[j] = (counts[j] ?? 0) + (m.event(run) ? 1 : 0);
    });
  }
  minutes.sort((a, b) => a - b);
  const at = (q: number): number | null =>
    minutes.length === 0
      ? null
      : (minutes[Math.min(minutes.length - 1, Math.ceil(q * minutes.length) - 1)] ?? null);
  return {
    scenario,
    runs,
    outcomes,
    minutes: { median: at(0.5), p95: at(0.95) },
    rollbackWeights,
    measures: scenario.measures.map((m, j) => {
      const count = counts[j] ?? 0;
      const share = count / runs;
      return {
        measure: m,
        count,
        runs,
        interval: wilson(count, runs),
        met:
          (m.atMost === undefined || share <= m.atMost) &&
          (m.atLeast === undefined || share >= m.atLeast),
      };
    }),
    seconds: (Date.now() - started) / 1000,
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

/** A Markdown table of the results: one line per figure. */
export function table(results: readonly ScenarioResult[]): string {
  const lines = [
    "| scenario | figure | measured | 95 % interval | target | met | minutes to outcome (median / p95) | rollback at weight |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const weights = Object.entries(r.rollbackWeights)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([w, n]) => `${w} %: ${n}`)
      .join(", ");
    for (const m of r.measures) {
      const target =
        m.measure.atMost !== undefined
          ? `<= ${pct(m.measure.atMost)}`
          : `>= ${pct(m.measure.atLeast ?? 0)}`;
      lines.push(
        `| ${r.scenario.name} | ${m.measure.label} | ${pct(m.count / m.runs)} (${m.count}/${m.runs}) | ${pct(m.interval[0])} – ${pct(m.interval[1])} | ${target} | ${m.met ? "yes" : "**no**"} | ${r.minutes.median ?? "-"} / ${r.minutes.p95 ?? "-"} | ${weights || "-"} |`,
      );
    }
  }
  return lines.join("\n");
}
