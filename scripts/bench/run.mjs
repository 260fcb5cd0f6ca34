// @ts-check
/**
 * `npm run bench`: gray-router's performance on this machine, entirely on 127.0.0.1, in one
 * bounded run (about 4.5 minutes with the defaults), written to BENCHMARKS.md.
 *
 *  1. builds: the bench workers with esbuild (bench/bare-worker.js, bench/router-entry.ts)
 *     and the production bundle with `wrangler deploy --dry-run` (its size is reported);
 *  2. starts the origin + KV + Analytics Engine stand-ins in a child process, and one raw
 *     workerd process (`workerd serve`, generated config) per Worker under test (workers.mjs);
 *  3. load: waits for a quiet machine, warm-up, then rounds in which every variant runs once
 *     (order rotated per round);
 *  4. probes: streamed first byte (router vs direct), routing decision cost in ns/op;
 *  5. KV reads per isolate and cache window, from the KV stand-ins' logs;
 *  6. writes the report and stops every process it started (also on error or Ctrl-C).
 *
 * Settings (env): BENCH_ROUNDS (5), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (3),
 * BENCH_CONNECTIONS (10), BENCH_QUIET_WAIT_SECONDS (30: how long to wait, before the load,
 * for other work to drop under 15 % of the CPU), BENCH_OUTPUT (BENCHMARKS.md),
 * BENCH_SOURCE (unset: the working tree; or a git revision, or a directory holding src/
 * and wrangler.toml; see source.mjs), BENCH_CANDIDATE (same forms: a second router,
 * measured in the same rounds, for a before/after of a change).
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startBackends } from "./backends.mjs";
import { bundleWorker, productionBuild, stopBundler } from "./bundle.mjs";
import { measureLoad, newVisitorRequests, returningVisitorRequests } from "./load.mjs";
import { cpuSnapshot, describeMachine, processCpuSeconds, waitForQuiet } from "./machine.mjs";
import { closeProbes, decisionCost, sanityCheck, streamFirstByte } from "./probes.mjs";
import { runningCount, stopAll, stopChildrenOnExit } from "./processes.mjs";
import { renderReport, summarize } from "./report.mjs";
import { resolveSource } from "./source.mjs";
import { KV_TENANTS, startWorkers } from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "bench", "out");
const WORKERD = path.join(ROOT, "node_modules", ".bin", "workerd");
/** Hard stop: the run is planned for under 6 minutes; something is wrong past this. */
const WATCHDOG_MS = 9 * 60_000;

/**
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function intFromEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** @param {string} message */
const log = (message) => console.log(message);

/**
 * @template T
 * @param {readonly T[]} items
 * @param {number} by
 */
const rotate = (items, by) =>
  items.map((_, i) => /** @type {T} */ (items[(i + by) % items.length]));

/**
 * @param {readonly import("./load.mjs").LoadResult[]} runs
 */
const requestsOf = (runs) => runs.reduce((sum, run) => sum + run.requests, 0);

/**
 * @typedef {import("./report.mjs").BenchData} BenchData
 * @typedef {import("./report.mjs").VariantName} VariantName
 * @typedef {{ name: VariantName, url: string, pid: number | undefined,
 *   requests: import("autocannon").Request[] }} Variant
 */

async function main() {
  const started = performance.now();
  const settings = {
    rounds: intFromEnv("BENCH_ROUNDS", 5, 1, 20),
    seconds: intFromEnv("BENCH_SECONDS", 8, 1, 60),
    warmupSeconds: intFromEnv("BENCH_WARMUP_SECONDS", 3, 0, 60),
    connections: intFromEnv("BENCH_CONNECTIONS", 10, 1, 1_000),
    quietWaitSeconds: intFromEnv("BENCH_QUIET_WAIT_SECONDS", 30, 0, 600),
    cacheSeconds: 10,
    ttfbCount: 50,
    decideN: 100_000,
    decideRepetitions: 7,
  };
  const output = path.resolve(ROOT, process.env["BENCH_OUTPUT"] ?? "BENCHMARKS.md");
  const loadAvgStart = os.loadavg();
  const machine = await describeMachine(ROOT, WORKERD);
  const source = await resolveSource(ROOT, process.env["BENCH_SOURCE"]);
  const candidateSpec = process.env["BENCH_CANDIDATE"];
  const candidate = candidateSpec ? await resolveSource(ROOT, candidateSpec) : undefined;
  log(`gray-router bench: ${source.label}${candidate ? `; candidate: ${candidate.label}` : ""}`);

  // 1. Builds.
  log("building: bench workers (esbuild), production bundle (wrangler deploy --dry-run)...");
  const workers = path.join(OUT, "workers");
  const modules = {
    bare: await bundleWorker(
      path.join(ROOT, "bench", "bare-worker.js"),
      path.join(workers, "bare.js"),
    ),
    router: await bundleWorker(
      path.join(source.dir, "bench", "router-entry.ts"),
      path.join(workers, "router.js"),
    ),
    candidate: candidate
      ? await bundleWorker(
          path.join(candidate.dir, "bench", "router-entry.ts"),
          path.join(workers, "candidate.js"),
        )
      : undefined,
    production: path.join(OUT, "deploy", "index.js"),
  };
  await stopBundler();
  const bundle = await productionBuild(ROOT, source.dir, path.join(OUT, "deploy"));

  // 2. Processes.
  const backends = await startBackends(KV_TENANTS);
  const originUrl = `http://127.0.0.1:${backends.ports.stable}`;
  const {
    bare,
    router,
    routerAe,
    candidate: routerCandidate,
  } = await startWorkers({
    workerd: WORKERD,
    out: OUT,
    cacheSeconds: settings.cacheSeconds,
    modules,
    ports: backends.ports,
  });
  const returning = returningVisitorRequests(1024);
  /** @type {Variant[]} */
  const variants = [
    { name: "direct", url: originUrl, pid: undefined, requests: returning },
    { name: "bare", url: bare.url, pid: bare.pid, requests: returning },
    { name: "router", url: router.url, pid: router.pid, requests: returning },
    { name: "router-new", url: router.url, pid: router.pid, requests: newVisitorRequests() },
    { name: "router-ae", url: routerAe.url, pid: routerAe.pid, requests: returning },
  ];
  if (routerCandidate !== undefined) {
    variants.push({
      name: "router-candidate",
      url: routerCandidate.url,
      pid: routerCandidate.pid,
      requests: returning,
    });
  }
  const cookie = returning[0]?.headers?.["cookie"] ?? "";
  await sanityCheck(
    variants.map((variant) => ({
      name: variant.name,
      url: variant.url,
      routed: variant.name.startsWith("router"),
      headers: variant.name === "router-new" ? {} : { cookie },
    })),
  );

  // 3. Load: wait for a quiet machine, warm-up, then rounds.
  const quiet = await waitForQuiet(settings.quietWaitSeconds * 1000, 0.15);
  log(
    `machine busy ${(quiet.busyShare * 100).toFixed(0)} % (waited ${quiet.waitedS.toFixed(0)} s for < 15 %)`,
  );
  log(`warm-up: ${settings.warmupSeconds} s per variant`);
  for (const variant of variants) {
    if (settings.warmupSeconds > 0) {
      await measureLoad({
        ...variant,
        connections: settings.connections,
        seconds: settings.warmupSeconds,
      });
    }
  }
  const pids = [
    process.pid,
    backends.pid,
    ...[bare, router, routerAe, routerCandidate].map((w) => w?.pid),
  ];
  const before = await backends.stats();
  const cpuBefore = cpuSnapshot(pids);
  /** @type {BenchData["load"]} */
  const load = {
    direct: [],
    bare: [],
    router: [],
    "router-new": [],
    "router-ae": [],
    "router-candidate": [],
  };
  log(
    `load: ${settings.rounds} rounds x ${variants.length} variants x ${settings.seconds} s, ${settings.connections} connections`,
  );
  for (let round = 0; round < settings.rounds; round++) {
    for (const variant of rotate(variants, round)) {
      const cpu = processCpuSeconds(variant.pid);
      const result = await measureLoad({
        ...variant,
        connections: settings.connections,
        seconds: settings.seconds,
      });
      const workerdCpuUs =
        ((processCpuSeconds(variant.pid) - cpu) * 1e6) / Math.max(1, result.requests);
      load[variant.name].push({ ...result, round, workerdCpuUsPerRequest: workerdCpuUs });
      log(
        `  round ${round + 1}/${settings.rounds}  ${variant.name.padEnd(16)} ${result.rps.toFixed(0).padStart(6)} req/s` +
          `  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms` +
          (variant.pid === undefined ? "" : `  workerd ${workerdCpuUs.toFixed(0)} µs CPU/req`) +
          (result.failures > 0 ? `  FAILURES ${result.failures}` : ""),
      );
    }
  }
  const cpuAfter = cpuSnapshot(pids);
  const after = await backends.stats();

  // 4. Probes.
  log(`streamed first byte: ${settings.ttfbCount} sequential requests per target`);
  const ttfb = await streamFirstByte(
    { direct: originUrl, bare: bare.url, router: router.url },
    settings.ttfbCount,
    {
      cookie,
    },
  );
  log(
    `routing decision: n=${settings.decideN}, ${settings.decideRepetitions} repetitions per case`,
  );
  /** @type {BenchData["decide"]} */
  const decide = [];
  for (const [visitor, rollout] of /** @type {const} */ ([
    ["returning", "plain"],
    ["returning", "rules"],
    ["new", "plain"],
  ])) {
    const query = `visitor=${visitor}&rollout=${rollout}`;
    const cost = await decisionCost(router.url, {
      n: settings.decideN,
      repetitions: settings.decideRepetitions,
      query,
    });
    decide.push({ visitor, rollout, ...cost });
  }
  const final = await backends.stats();
  closeProbes();

  /**
   * KV reads of one tenant: during the load rounds, and over the whole run.
   * @param {string} tenant
   * @param {number} requests
   */
  const kvOf = (tenant, requests) => ({
    reads: (after.kvReads[tenant] ?? []).slice((before.kvReads[tenant] ?? []).length),
    requests,
    allReads: (final.kvReads[tenant] ?? []).length,
  });
  /** @type {BenchData} */
  const data = {
    date: new Date().toISOString(),
    command: [
      ...Object.entries(process.env)
        .filter(([name, value]) => name.startsWith("BENCH_") && value !== undefined && value !== "")
        .map(([name, value]) => `${name}=${String(value)}`)
        .sort(),
      "npm run bench",
    ].join(" "),
    elapsedS: 0,
    source: source.label,
    candidate: candidate?.label,
    machine,
    settings,
    load,
    ttfb,
    decide,
    kv: {
      router: kvOf("router", requestsOf(load.router) + requestsOf(load["router-new"])),
      "router-ae": kvOf("router-ae", requestsOf(load["router-ae"])),
    },
    ae: {
      posts: after.ae.requests - before.ae.requests,
      bytes: after.ae.bytes - before.ae.bytes,
      requests: requestsOf(load["router-ae"]),
    },
    bundle,
    cpu: {
      quiet,
      loadAvgStart,
      loadAvgEnd: os.loadavg(),
      ourCpuS: cpuAfter.ours - cpuBefore.ours,
      machineCpuS: cpuAfter.machine - cpuBefore.machine,
      wallS: (cpuAfter.atMs - cpuBefore.atMs) / 1000,
    },
  };

  // 6. Report.
  await stopAll();
  data.elapsedS = (performance.now() - started) / 1000;
  const summary = summarize(data);
  await writeFile(output, renderReport(data, summary));
  log(
    `\n${summary.lines.join("\n")}\n\nwrote ${path.relative(ROOT, output)} in ${data.elapsedS.toFixed(0)} s`,
  );
}

stopChildrenOnExit(log);
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; stopping`);
  void stopAll().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();
try {
  await main();
} catch (error) {
  console.error(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  await stopAll();
  await stopBundler().catch(() => undefined);
  clearTimeout(watchdog);
  if (runningCount() > 0) {
    console.error(`bench: ${runningCount()} child process(es) still running`);
    process.exitCode = 1;
  }
}
