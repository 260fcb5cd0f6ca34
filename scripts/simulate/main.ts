/**
 * The simulation's commands (bundled and started by run.mjs):
 *
 * - `demo` (default): traffic through the real router in workerd (miniflare)
 *   to local origins, the real controller on a fast clock; prints the ramp
 *   and can write an SVG chart.
 * - `quality`: the quality targets over many model-based rollouts.
 * - `validate`: checks the statistical model against the real router once.
 */

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { runDemo } from "./demo";
import { measure, scenarios, table } from "./quality";
import type { ScenarioResult } from "./quality";
import { runValidation } from "./validate";

const HELP = `npm run simulate -- [demo|quality|validate] [options]

demo (default): real router (miniflare) + local origins + real controller on a fast clock
  --rps N              simulated requests per second (default 20)
  --stable-errors R    stable's error rate (default 0.01)
  --canary-errors R    canary's error rate (default 0.01)
  --canary-p95 F       canary p95 latency factor, median unchanged (default 1)
  --interval S         analysis interval, seconds (default 180)
  --start P            first canary weight, percent (default 5)
  --minutes N          stop after N simulated minutes (default 120)
  --html FILE          write the rollout report (the page of gray report) of the run
  --seed N             origin randomness (default 1)

quality: the named scenarios: simulated visitors' data points through the JS twin of the
         analysis SQL, the real controller and judge, 200 rollouts each, 95 % intervals
  --runs N             rollouts per scenario (default 200)
  --only NAMES         comma-separated scenario names (see the table), or a prefix ending in *
  --json FILE          also write the figures as JSON
  --analysis JSON      fields merged into every run's analysis block (default: none, all defaults)
  --seed N             another independent batch of seeds (default 0)

validate: the model's assumptions against the real router (miniflare)
  --minutes N          simulated minutes at a fixed 90/10 split (default 10)
  --rps N              (default 20)
`;

/** The results as plain JSON: scenario names and targets instead of functions. */
function toJson(results: readonly ScenarioResult[]): unknown[] {
  return results.map(({ scenario, measures, ...r }) => ({
    name: scenario.name,
    description: scenario.description,
    ...r,
    measures: measures.map(({ measure: m, ...rest }) => ({
      label: m.label,
      atMost: m.atMost,
      atLeast: m.atLeast,
      ...rest,
    })),
  }));
}

/** Runs one command; resolves to the exit code. */
export async function main(
  args: readonly string[],
  context: { root: string; out: string },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      help: { type: "boolean" },
      rps: { type: "string" },
      "stable-errors": { type: "string" },
      "canary-errors": { type: "string" },
      "canary-p95": { type: "string" },
      interval: { type: "string" },
      start: { type: "string" },
      minutes: { type: "string" },
      html: { type: "string" },
      seed: { type: "string" },
      runs: { type: "string" },
      only: { type: "string" },
      json: { type: "string" },
      analysis: { type: "string" },
    },
  });
  const command = positionals[0] ?? "demo";
  if (values.help === true || !["demo", "quality", "validate"].includes(command)) {
    console.log(HELP);
    return values.help === true ? 0 : 2;
  }
  const number = (name: string, value: string | undefined, fallback: number): number => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(n) || n < 0) {
      throw new RangeError(`--${name}: expected a number, got ${String(value)}`);
    }
    return n;
  };
  const workerModule = path.join(context.out, "worker.mjs");
  if (command === "quality") {
    const runs = number("runs", values.runs, 200);
    const names = values.only?.split(",").map((n) => n.trim());
    const chosen = scenarios().filter(
      (s) =>
        names === undefined ||
        names.some((n) => (n.endsWith("*") ? s.name.startsWith(n.slice(0, -1)) : s.name === n)),
    );
    if (chosen.length === 0) {
      throw new RangeError(`--only: no scenario named ${String(values.only)}`);
    }
    const parsed: unknown = JSON.parse(values.analysis ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new RangeError("--analysis: expected a JSON object");
    }
    const analysis = Object.fromEntries(Object.entries(parsed));
    const results: ScenarioResult[] = [];
    const started = Date.now();
    const all = scenarios();
    for (const scenario of chosen) {
      // Seeds differ per scenario and per --seed, so batches are independent and each is reproducible.
      const seeds =
        (all.indexOf(scenario) + 1) * 1_000_000 + number("seed", values.seed, 0) * 100_000_000;
      const result = await measure(scenario, runs, seeds, analysis);
      results.push(result);
      const met = result.measures.every((m) => m.met);
      // Each scenario's lines at once (and the JSON so far): a long batch keeps what it measured.
      console.log(
        `${scenario.name}: ${scenario.description}\n  ${met ? "met" : "NOT met"} in ${result.seconds.toFixed(1)} s\n${table([result]).split("\n").slice(2).join("\n")}`,
      );
      if (values.json !== undefined) {
        await writeFile(values.json, `${JSON.stringify(toJson(results), null, 2)}\n`);
      }
    }
    console.log(`\n${table(results)}\n\n(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);

    return results.every((r) => r.measures.every((m) => m.met)) ? 0 : 1;
  }
  if (command === "validate") {
    return runValidation({
      workerModule,
      minutes: number("minutes", values.minutes, 10),
      rps: number("rps", values.rps, 20),
    });
  }
  return runDemo({
    workerModule,
    rps: number("rps", values.rps, 20),
    stableErrors: number("stable-errors", values["stable-errors"], 0.01),
    canaryErrors: number("canary-errors", values["canary-errors"], 0.01),
    canaryP95: number("canary-p95", values["canary-p95"], 1),
    interval: number("interval", values.interval, 180),
    start: number("start", values.start, 5),
    minutes: number("minutes", values.minutes, 120),
    html: values.html ?? null,
    seed: number("seed", values.seed, 1),
  });
}
