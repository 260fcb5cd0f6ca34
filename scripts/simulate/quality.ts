/**
 * The quality targets of issue 5, measured: many simulated rollouts per
 * scenario through the real controller and judge (default analysis
 * settings), traffic from the statistical model in model.ts.
 */

import { ANALYSIS_DEFAULTS } from "../../src/core/analysis-settings";
import { sigmaForP95 } from "./model";
import type { CohortModel, TrafficModel } from "./model";
import { simulateRamp } from "./ramp";
import type { RampResult } from "./ramp";

/** Baseline cohort of every scenario: 1 % errors, log-normal latency with median 100 ms, σ 0.5 (p95 ≈ 228 ms). */
export const BASELINE: CohortModel = { errorRate: 0.01, medianMs: 100, sigma: 0.5 };

/** One quality target. */
export interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly model: TrafficModel;
  readonly maxMinutes: number;
  /** Whether one run meets the scenario's condition. */
  readonly success: (run: RampResult) => boolean;
  /** Share of runs that must succeed. */
  readonly required: number;
  /** Largest share of runs that may end in a rollback, when the target limits it. */
  readonly maxRollbacks?: number;
}

const interval = ANALYSIS_DEFAULTS.interval / 60;

/**
 * The five targets. `sigma` (default: BASELINE's 0.5) changes the
 * latency spread of both cohorts, to see how sensitive the figures are to
 * heavier latency tails than the reference.
 */
export function scenarios(sigma = BASELINE.sigma): readonly Scenario[] {
  const base: CohortModel = { ...BASELINE, sigma };
  return scenarioList(base);
}

function scenarioList(BASELINE: CohortModel): readonly Scenario[] {
  return [
    {
      name: "A/A",
      target: "identical cohorts, 20 req/s: <= 1 % roll back and >= 95 % reach 100 %",
      model: { requestsPerSecond: 20, stable: BASELINE, canary: BASELINE, canaryGetsTraffic: true },
      maxMinutes: 8 * 60,
      success: (run) => run.outcome === "complete",
      required: 0.95,
      maxRollbacks: 0.01,
    },
    {
      name: "errors 3 %",
      target: `canary 3 % vs stable 1 % errors, 20 req/s: >= 95 % rolled back at <= 10 % within 10 intervals (${10 * interval} min)`,
      model: {
        requestsPerSecond: 20,
        stable: BASELINE,
        canary: { ...BASELINE, errorRate: 0.03 },
        canaryGetsTraffic: true,
      },
      maxMinutes: 8 * 60,
      success: (run) =>
        run.outcome === "rollback" &&
        (run.rollbackFrom ?? 100) <= 10 &&
        run.minutes <= 10 * interval,
      required: 0.95,
    },
    {
      name: "p95 +50 %",
      target:
        "canary p95 latency +50 % (tail only: median unchanged), 20 req/s: >= 90 % rolled back",
      model: {
        requestsPerSecond: 20,
        stable: BASELINE,
        canary: { ...BASELINE, sigma: sigmaForP95(BASELINE.sigma, 1.5) },
        canaryGetsTraffic: true,
      },
      maxMinutes: 8 * 60,
      success: (run) => run.outcome === "rollback",
      required: 0.9,
    },
    {
      name: "+0.05 pp",
      target: "canary 1.05 % vs 1 % errors, 5,000 req/s: >= 90 % promoted to 100 %",
      model: {
        requestsPerSecond: 5000,
        stable: BASELINE,
        canary: { ...BASELINE, errorRate: 0.0105 },
        canaryGetsTraffic: true,
      },
      maxMinutes: 8 * 60,
      success: (run) => run.outcome === "complete",
      required: 0.9,
    },
    {
      name: "no data",
      target: "the canary gets no traffic (20 req/s): never promoted",
      model: {
        requestsPerSecond: 20,
        stable: BASELINE,
        canary: BASELINE,
        canaryGetsTraffic: false,
      },
      maxMinutes: 8 * 60,
      success: (run) => !run.everPromoted,
      required: 1,
    },
  ];
}

/** What a scenario's runs gave. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly runs: number;
  readonly successes: number;
  readonly outcomes: Readonly<Record<RampResult["outcome"], number>>;
  /** Minutes to the outcome: median and 95th percentile over runs with that outcome. */
  readonly minutes: { readonly median: number | null; readonly p95: number | null };
  /** Canary weights (percent) at rollback, with counts. */
  readonly rollbackWeights: Readonly<Record<string, number>>;
  readonly met: boolean;
}

/** Runs `runs` rollouts of a scenario (seeds 1..runs, offset per scenario). */
export async function measure(
  scenario: Scenario,
  runs: number,
  seedOffset: number,
  analysis: Readonly<Record<string, unknown>> = {},
): Promise<ScenarioResult> {
  const outcomes = { complete: 0, rollback: 0, timeout: 0 };
  const rollbackWeights: Record<string, number> = {};
  const minutes: number[] = [];
  let successes = 0;
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
    successes += scenario.success(run) ? 1 : 0;
  }
  minutes.sort((a, b) => a - b);
  const at = (q: number): number | null =>
    minutes.length === 0
      ? null
      : (minutes[Math.min(minutes.length - 1, Math.ceil(q * minutes.length) - 1)] ?? null);
  return {
    scenario,
    runs,
    successes,
    outcomes,
    minutes: { median: at(0.5), p95: at(0.95) },
    rollbackWeights,
    met:
      successes >= scenario.required * runs &&
      outcomes.rollback <= (scenario.maxRollbacks ?? 1) * runs,
  };
}

/** A Markdown table of the results. */
export function table(results: readonly ScenarioResult[]): string {
  const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;
  const lines = [
    "| scenario | runs | complete | rollback | still running | rollback at weight | minutes to outcome (median / p95) | target met |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const weights = Object.entries(r.rollbackWeights)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([w, n]) => `${w} %: ${n}`)
      .join(", ");
    lines.push(
      `| ${r.scenario.name} | ${r.runs} | ${pct(r.outcomes.complete, r.runs)} | ${pct(r.outcomes.rollback, r.runs)} | ${pct(r.outcomes.timeout, r.runs)} | ${weights || "-"} | ${r.minutes.median ?? "-"} / ${r.minutes.p95 ?? "-"} | ${r.met ? "yes" : "**no**"} (${pct(r.successes, r.runs)} vs ${pct(r.scenario.required * r.runs, r.runs)}) |`,
    );
  }
  return lines.join("\n");
}
