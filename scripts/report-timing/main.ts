/**
 * The report's build time on a 6-hour rollout (run.mjs bundles and starts
 * this). In a temporary project (a copy of wrangler.toml, its own local
 * state) with a real collector on an ephemeral port and an empty state dir:
 *
 * 1. records a 6-hour rollout of key `six-hours`: 300 data points a minute
 *    (both cohorts by bucket and weight, 1 % errors, log-normal latency, a
 *    healthy canary) posted to the collector with their times, and the real
 *    controller run at the end of every minute on the same points, so the
 *    rollout and its history in local KV are the controller's own: a ramp
 *    1 -> 5 -> 10 -> 25 -> 50 -> 100 % that holds while a step lacks data;
 * 2. runs `npx gray report six-hours --local` once to warm up (it bundles the
 *    CLI if its sources changed), then `--runs` times, and prints each run's
 *    build time (as gray reports it), the whole command's wall time and the
 *    file's size, and their medians.
 *
 * The data ends when recording starts and recording takes a while, so the
 * report is asked for the last 7 hours: the axis starts two minutes before
 * the first point either way, and every point is in the window.
 */

import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { getPlatformProxy } from "wrangler";
import { startCollector } from "../../src/collector/server";
import { runController } from "../../src/control/controller";
import { historyKey, parseHistory } from "../../src/control/history";
import type { RolloutKv } from "../../src/control/kv";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { toDataPoint } from "../../src/core/metrics";
import type { RequestMetrics } from "../../src/core/metrics";
import { revisionOf } from "../../src/core/rollout";
import { normal, sfc32 } from "../simulate/random";
import { SlidingWindow } from "../simulate/window";

const KEY = "six-hours";
const MINUTES = 360;

const HELP = `npm run report-timing [-- options]

Records a 6-hour rollout (300 data points a minute, the real controller) in a
temporary project, then times npx gray report six-hours --local on it.
  --runs N         timed runs after one warm-up (default 5)
  --per-minute N   data points a minute (default 300)
  --keep           keep the temporary project and print where it is
  --profile DIR    write a CPU profile of each gray run to DIR (node --cpu-prof)
`;

/** The rollout's analysis: production's defaults, but an hour's interval, so the ramp spans the 6 hours. */
const ANALYSIS = { steps: [1, 5, 10, 25, 50, 100], interval: 3000 };

/** What one timed run measured. */
interface Timing {
  readonly buildMs: number;
  readonly wallMs: number;
  readonly bytes: number;
  readonly minutes: number;
  readonly markers: number;
}

/** Runs the measurement; resolves to the exit code. */
export async function main(argv: readonly string[], root: string): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: "string", default: "5" },
      "per-minute": { type: "string", default: "300" },
      keep: { type: "boolean", default: false },
      profile: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = Number(values.runs);
  const perMinute = Number(values["per-minute"]);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(perMinute) || perMinute < 1) {
    process.stderr.write("report-timing: --runs and --per-minute take a whole number above 0\n");
    return 2;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "gray-report-timing-"));
  await copyFile(path.join(root, "wrangler.toml"), path.join(dir, "wrangler.toml"));
  const collector = await startCollector({
    stateDir: path.join(dir, ".wrangler", "state", "gray-collector"),
    port: 0,
  });
  try {
    const recorded = await record(dir, collector.url, perMinute);
    process.stdout.write(
      `recorded ${recorded.points} data points over ${MINUTES} minutes, ${recorded.entries} history entries (${recorded.actions}) in ${(recorded.ms / 1000).toFixed(1)} s\n`,
    );
    const exported = await fetch(`${collector.url}/points/export?key=${KEY}&since=0`);
    const columns = (await exported.arrayBuffer()).byteLength;
    process.stdout.write(
      `the collector's export: ${mb(columns)} as columns (the same points as JSON objects: ${mb(recorded.objectBytes)})\n`,
    );
    const command = [
      "gray",
      "report",
      KEY,
      "--local",
      "--config",
      path.join(dir, "wrangler.toml"),
      "--collector",
      collector.url,
      "--since",
      "7h",
      "--out",
      path.join(dir, "report.html"),
      "--json",
    ];
    process.stdout.write(`timing: npx ${command.join(" ")}\n`);
    const npx = ["npx", "--no-install", ...command];
    const cold = await timeReport(root, npx);
    process.stdout.write(
      `warm-up (the collector's first export and series of this rollout): build ${cold.buildMs} ms, wall ${cold.wallMs} ms\n`,
    );
    // Node 20 refuses --cpu-prof in NODE_OPTIONS: a profiled run starts the CLI's node itself.
    const timed =
      values.profile === undefined
        ? npx
        : [
            process.execPath,
            "--cpu-prof",
            `--cpu-prof-dir=${path.resolve(values.profile)}`,
            path.join(root, "bin", "gray.mjs"),
            ...command.slice(1),
          ];
    const timings: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await timeReport(root, timed);
      timings.push(t);
      process.stdout.write(
        `run ${i + 1}: build ${t.buildMs} ms, wall ${t.wallMs} ms, ${(t.bytes / 1024).toFixed(1)} KiB, ${t.minutes} minutes, ${t.markers} markers\n`,
      );
    }
    process.stdout.write(
      `median of ${runs}: build ${median(timings.map((t) => t.buildMs))} ms, wall ${median(timings.map((t) => t.wallMs))} ms, file ${(median(timings.map((t) => t.bytes)) / 1024).toFixed(1)} KiB\n`,
    );
    return 0;
  } finally {
    await collector.close();
    if (values.keep) {
      process.stdout.write(`kept ${dir}\n`);
    } else {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Plays the rollout minute by minute into the collector and the project's local KV. */
async function record(
  dir: string,
  collectorUrl: string,
  perMinute: number,
): Promise<{ points: number; entries: number; actions: string; ms: number; objectBytes: number }> {
  const started = performance.now();
  const proxy = await getPlatformProxy<{ ROLLOUTS: RolloutKv }>({
    configPath: path.join(dir, "wrangler.toml"),
    persist: { path: path.join(dir, ".wrangler", "state", "v3") },
    remoteBindings: false,
  });
  try {
    const kv = proxy.env.ROLLOUTS;
    const start = Math.floor(Date.now() / 60_000) * 60_000 - MINUTES * 60_000;
    let now = start;
    const window = new SlidingWindow(KEY, () => now);
    const controller = (): Promise<unknown> =>
      runController(
        { ROLLOUTS: kv },
        { now: () => now, fetch: (url, init) => fetch(url, init), metrics: window, log: () => {} },
      );
    await kv.put(KEY, rolloutText(start));
    await controller();
    const random = sfc32(9);
    let points = 0;
    let objectBytes = 0;
    for (let minute = 0; minute < MINUTES; minute++) {
      const text = (await kv.get(KEY, { type: "text" })) ?? "";
      const weights = (JSON.parse(text) as { weights: Record<string, number> }).weights;
      const batch = minuteOfTraffic(
        start + minute * 60_000,
        perMinute,
        Math.round((weights["canary"] ?? 0) * 100),
        revisionOf(text),
        random,
      );
      window.push(batch);
      await post(collectorUrl, batch);
      points += batch.length;
      objectBytes += batch.reduce((sum, p) => sum + JSON.stringify(p).length + 1, 0);
      now = start + (minute + 1) * 60_000;
      await controller();
    }
    const entries = parseHistory(await kv.get(historyKey(KEY), { type: "text" })).record.entries;
    return {
      points,
      entries: entries.length,
      actions: entries.map((e) => e.action).join(", "),
      ms: performance.now() - started,
      objectBytes,
    };
  } finally {
    await proxy.dispose();
  }
}

function rolloutText(at: number): string {
  return JSON.stringify({
    origins: { stable: "http://127.0.0.1:8701", canary: "http://127.0.0.1:8702" },
    weights: { stable: 99, canary: 1 },
    analysis: ANALYSIS,
    change: {
      action: "edit",
      by: "report-timing",
      reason: "6-hour rollout",
      at: new Date(at).toISOString(),
    },
  });
}

/** One minute's data points as the router writes them: cohort by bucket against the weight. */
function minuteOfTraffic(
  from: number,
  perMinute: number,
  canaryHundredths: number,
  revision: string,
  random: () => number,
): RecordedPoint[] {
  const out: RecordedPoint[] = [];
  for (let i = 0; i < perMinute; i++) {
    const bucket = Math.floor(random() * 10_000);
    const canary = bucket < canaryHundredths;
    const failed = random() < 0.01;
    // Log-normal around 40 ms (σ 0.5), whole milliseconds as the router's clock gives them.
    const durationMs = Math.max(1, Math.round(40 * Math.exp(0.5 * normal(random))));
    const metrics: RequestMetrics = {
      rolloutKey: KEY,
      cohort: canary ? "canary" : "stable",
      outcome: "ok",
      host: KEY,
      method: "GET",
      revision,
      configState: "fresh",
      colo: "",
      status: failed ? 500 : 200,
      ttfbMs: Math.round(durationMs * 0.6),
      durationMs,
      bucket,
      weightPercent: (canary ? canaryHundredths : 10_000 - canaryHundredths) / 100,
      bytes: 2048,
      decidedBy: "weights",
      detail: "",
      breaker: "",
      visitor: random() < 0.3 ? "new" : "returning",
    };
    out.push({ at: from + Math.floor((i * 60_000) / perMinute), point: toDataPoint(metrics) });
  }
  return out;
}

async function post(collectorUrl: string, points: readonly RecordedPoint[]): Promise<void> {
  const response = await fetch(`${collectorUrl}/points`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ points }),
  });
  if (response.status !== 204) {
    throw new Error(`collector answered ${response.status}: ${await response.text()}`);
  }
}

/** One `npx gray report` run: its own build time and the whole command's wall time. */
async function timeReport(root: string, [file, ...args]: readonly string[]): Promise<Timing> {
  const started = performance.now();
  const { stdout, stderr } = await promisify(execFile)(file ?? "npx", args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
  process.stderr.write(stderr);
  const wallMs = Math.round(performance.now() - started);
  const summary = JSON.parse(stdout) as {
    buildMs: number;
    bytes: number;
    minutes: number;
    markers: number;
  };
  return {
    buildMs: summary.buildMs,
    wallMs,
    bytes: summary.bytes,
    minutes: summary.minutes,
    markers: summary.markers,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
