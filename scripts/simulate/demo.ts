/**
 * `npm run simulate` (demo): one rollout with real traffic through the real
 * router (workerd via miniflare) to local origins, and the real controller
 * run after every simulated minute on the recorded data points. Each
 * simulated minute's requests are sent as fast as the machine allows and
 * stamped with the simulated time; latencies are real (the origins sleep).
 */

import { writeFile } from "node:fs/promises";
import * as v from "valibot";
import { canaryWeight, readDocument } from "../../src/control/document";
import type { ControlledDocument } from "../../src/control/document";
import { parseHistory } from "../../src/control/history";
import { loadAssets } from "../../src/report/assets";
import { renderReportHtml } from "../../src/report/html";
import { offlineReport } from "../../src/report/offline";
import { sigmaForP95 } from "./model";
import type { CohortModel } from "./model";
import { SIM_START } from "./ramp";
import { startWorld } from "./traffic";
import type { SimWorld } from "./traffic";

/** Demo options (see `npm run simulate -- --help`). */
export interface DemoOptions {
  readonly workerModule: string;
  readonly rps: number;
  readonly stableErrors: number;
  readonly canaryErrors: number;
  readonly canaryP95: number;
  readonly interval: number;
  readonly start: number;
  readonly minutes: number;
  /** Where to write the rollout report (src/report/), if anywhere. */
  readonly html: string | null;
  readonly seed: number;
}

/** The demo's origins are faster than the quality model's (100 ms), so a simulated minute takes less real time. */
const ORIGIN_MEDIAN_MS = 20;

const controlSchema = v.object({
  reports: v.array(
    v.object({
      key: v.string(),
      entry: v.nullable(
        v.object({
          action: v.string(),
          code: v.string(),
          reason: v.string(),
          from: v.number(),
          to: v.number(),
          repeated: v.number(),
        }),
      ),
    }),
  ),
  logs: v.array(v.string()),
  doc: v.nullable(v.string()),
});

/** Runs the demo; resolves to the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const stable: CohortModel = {
    errorRate: options.stableErrors,
    medianMs: ORIGIN_MEDIAN_MS,
    sigma: 0.5,
  };
  const canary: CohortModel = {
    errorRate: options.canaryErrors,
    medianMs: ORIGIN_MEDIAN_MS,
    sigma: sigmaForP95(0.5, options.canaryP95),
  };
  const world = await startWorld(options.workerModule, stable, canary, options.seed);
  try {
    const analysis = {
      interval: options.interval,
      steps: [1, 5, 10, 25, 50, 100].filter((s) => s >= options.start),
    };
    const text = JSON.stringify({
      origins: world.origins,
      weights: { stable: 100 - options.start, canary: options.start },
      analysis,
    });
    await world.put("default", text);
    console.log(`rollout: ${text}`);
    console.log(
      `traffic: ${options.rps} req/s of new visitors; stable ${pct(options.stableErrors)} errors, canary ${pct(options.canaryErrors)} errors, canary p95 x${options.canaryP95}; origins' median ${ORIGIN_MEDIAN_MS} ms\n`,
    );
    await world.setClock(SIM_START);
    await world.control();
    let last: ControlledDocument | null = null;
    let weight = options.start;
    for (let minute = 0; minute < options.minutes; minute++) {
      const from = SIM_START + minute * 60_000;
      await world.setClock(from + 30_000);
      const started = Date.now();
      await world.send(Math.round(options.rps * 60));
      const sendSeconds = (Date.now() - started) / 1000;
      await world.setClock(from + 60_000);
      const result = v.parse(controlSchema, await world.control());
      const figures = await world.figures(from, from + 60_000);
      const c = figures["canary"];
      const s = figures["stable"];
      const line = `min ${String(minute + 1).padStart(3)} | canary ${String(weight).padStart(5)} % | stable ${describe(s)} | canary ${describe(c)} | ${sendSeconds.toFixed(1)} s`;
      const entry = result.reports.find((r) => r.key === "default")?.entry ?? null;
      console.log(
        entry === null
          ? line
          : `${line}\n        -> ${entry.action}${entry.repeated > 1 ? ` (x${entry.repeated})` : ""}: ${entry.reason}`,
      );
      for (const log of result.logs) {
        console.log(`        log: ${log}`);
      }
      const read = result.doc === null ? null : readDocument("default", result.doc);
      last = read?.kind === "managed" ? read.doc : last;
      weight = read?.kind === "managed" ? canaryWeight(read.doc) / 100 : weight;
      const done =
        entry !== null &&
        (entry.action === "complete" ||
          ((entry.action === "rollback" || entry.action === "ramp_down") && entry.to === 0));
      if (done) {
        console.log(
          `\n${entry.action === "complete" ? "ramp complete" : "rolled back"} after ${minute + 1} simulated minutes`,
        );
        break;
      }
    }
    if (options.html !== null && last !== null) {
      const title = `simulation: canary errors ${pct(options.canaryErrors)} vs ${pct(options.stableErrors)}, p95 x${options.canaryP95}, ${options.rps} req/s`;
      await writeReport(world, last, options.html, title);
    }
    return 0;
  } finally {
    await world.close();
  }
}

/** The run as the rollout report (the page `gray report` writes), from the recorded points and history. */
async function writeReport(
  world: SimWorld,
  doc: ControlledDocument,
  file: string,
  title: string,
): Promise<void> {
  const { points, history } = await world.record();
  const entries = parseHistory(history).record.entries;
  const to = points.reduce((t, p) => Math.max(t, p.at), SIM_START) + 60_000;
  const model = await offlineReport({ doc, entries, points, from: SIM_START, to, target: title });
  await writeFile(file, renderReportHtml(model, await loadAssets()));
  console.log(`report written to ${file}`);
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(2)} %`;
}

function describe(f: { requests: number; errors: number; p95: number | null } | undefined): string {
  if (f === undefined || f.requests === 0) {
    return "no requests".padEnd(30);
  }
  return `${String(f.requests).padStart(5)} req ${pct(f.errors / f.requests).padStart(7)} err p95 ${String(Math.round(f.p95 ?? 0)).padStart(4)} ms`;
}
