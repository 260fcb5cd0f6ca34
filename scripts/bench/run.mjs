// @ts-check
/**
 * `npm run bench`: gray-router's cost per request on this machine, entirely on 127.0.0.1,
 * in one bounded run (about 6 minutes with the defaults), written to BENCHMARKS.md.
 *
 *  1. builds: the bench workers with esbuild (bench/bare-worker.js, bench/router-entry.ts,
 *     bench/ablation-entry.ts) and the production bundle with `wrangler deploy --dry-run`;
 *  2. starts the origin + KV + Analytics Engine stand-ins in a child process, and ONE raw
 *     workerd process (`workerd serve`, generated config) serving every variant, each
 *     Worker in its own isolate on its own port (variants.mjs, workers.mjs);
 *  3. load: waits for a quiet machine, warm-up, then rounds in which every variant runs
 *     once, order rotated per round; workerd's CPU time per request is read around each run;
 *  4. one-connection latency: bare, router and new visitors alternating, one request in
 *     flight, for the p50 added by the router;
 *  5. probes: streamed first byte (router vs direct), routing decision cost in ns/op;
 *  6. optionally, instructions per request under callgrind (BENCH_INSTRUCTIONS);
 *  7. KV reads per isolate and cache window, from the KV stand-ins' logs, and the report;
 *     every process it started is stopped (also on error or Ctrl-C).
 *
 * Settings (env): BENCH_ROUNDS (5), BENCH_SECONDS (3), BENCH_WARMUP_SECONDS (2),
 * BENCH_CONNECTIONS (10), BENCH_LATENCY_SECONDS (2; 0 skips step 4), BENCH_INSTRUCTIONS (0:
 * off; N: instructions per request counted by valgrind's callgrind over N requests per
 * variant, immune to other work on the machine; needs valgrind; see instructions.mjs),
 * BENCH_QUIET_WAIT_SECONDS (30: how long to wait, before the load, for other work to drop
 * under 15 % of the CPU), BENCH_OUTPUT (BENCHMARKS.md), BENCH_SOURCE (unset: the working
 * tree; or a git revision, or a directory holding src/ and wrangler.toml; see source.mjs),
 * BENCH_CANDIDATE (same forms: a second router, measured in the same rounds, for a
 * before/after of a change), BENCH_ONLY (comma-separated variant names: measure only
 * these, plus `bare`; for quick comparisons, not for the report's figures).
 */
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startBackends } from "./backends.mjs";
import { bundleWorker, productionBuild, stopBundler } from "./bundle.mjs";
import {
  loadRounds,
  latencyRounds,
  newVisitorRequests,
  returningVisitorRequests,
} from "./load.mjs";
import { cpuSnapshot, describeMachine, waitForQuiet } from "./machine.mjs";
import { measureInstructions } from "./instructions.mjs";
import { closeProbes, decisionCost, sanityCheck, streamFirstByte } from "./probes.mjs";
import { runningCount, stopAll, stopChildrenOnExit } from "./processes.mjs";
import { renderReport } from "./report-render.mjs";
import { summarize } from "./report.mjs";
import { resolveSource } from "./source.mjs";
import { variantSpecs } from "./variants.mjs";
import { kvTenants, startWorkers } from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "bench", "out");
const WORKERD = path.join(ROOT, "node_modules", ".bin", "workerd");
/** Hard stop: the run is planned for about 6 minutes; something is wrong past this. */
const WATCHDOG_MS = 15 * 60_000;

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
 * Bundles a bench entry of `dir`; undefined (with a note) if that source cannot build it,
 * as an older revision may not have every step the ablation entry imports.
 * @param {string} dir
 * @param {string} entry
 * @param {string} outfile
 */
async function optionalBundle(dir, entry, outfile) {
  try {
    return await bundleWorker(path.join(dir, "bench", entry), outfile);
  } catch (error) {
    log(
      `  (skipping ${entry}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
    );
    return undefined;
  }
}

async function main() {
  const started = performance.now();
  const settings = {
    rounds: intFromEnv("BENCH_ROUNDS", 5, 1, 30),
    seconds: intFromEnv("BENCH_SECONDS", 3, 1, 60),
    warmupSeconds: intFromEnv("BENCH_WARMUP_SECONDS", 2, 0, 60),
    connections: intFromEnv("BENCH_CONNECTIONS", 10, 1, 1_000),
    latencySeconds: intFromEnv("BENCH_LATENCY_SECONDS", 2, 0, 60),
    instructions: intFromEnv("BENCH_INSTRUCTIONS", 0, 0, 100_000),
    quietWaitSeconds: intFromEnv("BENCH_QUIET_WAIT_SECONDS", 30, 0, 600),
    cacheSeconds: 10,
    ttfbCount: 50,
    decideN: 100_000,
    decideRepetitions: 7,
  };
  const output = path.resolve(ROOT, process.env["BENCH_OUTPUT"] ?? "BENCHMARKS.md");
  const only = (process.env["BENCH_ONLY"] ?? "").split(",").filter((name) => name !== "");
  const loadAvgStart = os.loadavg();
  const machine = await describeMachine(ROOT, WORKERD);
  const source = await resolveSource(ROOT, process.env["BENCH_SOURCE"]);
  const candidateSpec = process.env["BENCH_CANDIDATE"];
  const candidate = candidateSpec ? await resolveSource(ROOT, candidateSpec) : undefined;
  log(`gray-router bench: ${source.label}${candidate ? `; candidate: ${candidate.label}` : ""}`);

  // 1. Builds.
  log("building: bench workers (esbuild), production bundle (wrangler deploy --dry-run)...");
  const workers = path.join(OUT, "workers");
  /** @typedef {readonly { step: string, adds: string }[]} Steps */
  const { steps: ablation, asides } = await import(
    path.join(source.dir, "bench", "ablation-steps.mjs")
  ).then(
    (/** @type {{ ABLATION_STEPS: Steps, ABLATION_ASIDES?: Steps }} */ m) => ({
      steps: m.ABLATION_STEPS,
      asides: m.ABLATION_ASIDES ?? [],
    }),
    () => ({ steps: /** @type {Steps} */ ([]), asides: /** @type {Steps} */ ([]) }),
  );
  /** @type {import("./workers.mjs").Modules} */
  const modules = {
    bare: await bundleWorker(
      path.join(ROOT, "bench", "bare-worker.js"),
      path.join(workers, "bare.js"),
    ),
    router: await bundleWorker(
      path.join(source.dir, "bench", "router-entry.ts"),
      path.join(workers, "router.js"),
    ),
    ablation:
      ablation.length === 0
        ? undefined
        : await optionalBundle(source.dir, "ablation-entry.ts", path.join(workers, "ablation.js")),
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
  const specs = variantSpecs({
    ablationSteps: modules.ablation === undefined ? [] : ablation,
    ablationAsides: modules.ablation === undefined ? [] : asides,
    candidate: candidate !== undefined,
  }).filter((spec) => only.length === 0 || spec.name === "bare" || only.includes(spec.name));

  // 2. Processes.
  const backends = await startBackends(kvTenants(specs));
  const workerd = await startWorkers({
    workerd: WORKERD,
    out: OUT,
    cacheSeconds: settings.cacheSeconds,
    modules,
    specs,
    ports: backends.ports,
  });
  const returning = returningVisitorRequests(1024);
  const fresh = newVisitorRequests();
  const variants = specs.map((spec) => ({
    ...spec,
    url: workerd.urls[spec.name] ?? "",
    requests: spec.visitor === "new" ? fresh : returning,
  }));
  const cookie = returning[0]?.headers?.["cookie"] ?? "";
  await sanityCheck(
    variants.map((variant) => ({
      name: variant.name,
      url: variant.url,
      routed:
        variant.group === "router" || variant.group === "feature" || variant.group === "aside",
      headers: variant.visitor === "new" ? {} : { cookie },
    })),
  );

  // 3. Load: wait for a quiet machine, warm-up, then rounds.
  const quiet = await waitForQuiet(settings.quietWaitSeconds * 1000, 0.15);
  log(
    `machine busy ${(quiet.busyShare * 100).toFixed(0)} % (waited ${quiet.waitedS.toFixed(0)} s for < 15 %); load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  const pids = [process.pid, backends.pid, workerd.pid];
  const before = await backends.stats();
  const cpuBefore = cpuSnapshot(pids);
  const load = await loadRounds({ variants, settings, workerdPid: workerd.pid, log });
  const cpuAfter = cpuSnapshot(pids);
  const loadAvgLoad = os.loadavg();
  const after = await backends.stats();

  // 4. One-connection latency.
  const latency =
    settings.latencySeconds === 0
      ? []
      : await latencyRounds({
          variants: variants.filter((v) => ["bare", "router", "router-new"].includes(v.name)),
          rounds: settings.rounds,
          seconds: settings.latencySeconds,
          log,
        });

  // 5. Probes.
  const routerUrl = workerd.urls["router"] ?? "";
  log(`streamed first byte: ${settings.ttfbCount} sequential requests per target`);
  const ttfb = await streamFirstByte(
    { direct: workerd.urls["direct"] ?? "", bare: workerd.urls["bare"] ?? "", router: routerUrl },
    settings.ttfbCount,
    { cookie },
  );
  log(
    `routing decision: n=${settings.decideN}, ${settings.decideRepetitions} repetitions per case`,
  );
  /** @type {import("./report.mjs").BenchData["decide"]} */
  const decide = [];
  for (const [visitor, rollout] of /** @type {const} */ ([
    ["returning", "plain"],
    ["returning", "rules"],
    ["new", "plain"],
  ])) {
    const cost = await decisionCost(routerUrl, {
      n: settings.decideN,
      repetitions: settings.decideRepetitions,
      query: `visitor=${visitor}&rollout=${rollout}`,
    });
    decide.push({ visitor, rollout, ...cost });
  }
  // 6. Optional: instructions per request under callgrind.
  const instructions =
    settings.instructions === 0
      ? undefined
      : await measureInstructions({
          requests: settings.instructions,
          workerd: WORKERD,
          out: OUT,
          cacheSeconds: settings.cacheSeconds,
          modules,
          specs,
          ports: backends.ports,
          requestsOf: (spec) => (spec.visitor === "new" ? fresh : returning),
          log,
        });
  const final = await backends.stats();
  closeProbes();

  /**
   * KV reads of one tenant: during the load rounds, and over the whole run.
   * @param {string} tenant
   */
  const kvOf = (tenant) => ({
    reads: (after.kvReads[tenant] ?? []).slice((before.kvReads[tenant] ?? []).length),
    requests: (load[tenant] ?? []).reduce((sum, run) => sum + run.requests, 0),
    allReads: (final.kvReads[tenant] ?? []).length,
  });
  /** @type {import("./report.mjs").BenchData} */
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
    specs,
    load,
    latency,
    ttfb,
    decide,
    instructions,
    kv: { router: kvOf("router"), "router-ae": kvOf("router-ae") },
    ae: {
      posts: after.ae.requests - before.ae.requests,
      bytes: after.ae.bytes - before.ae.bytes,
      requests: (load["router-ae"] ?? []).reduce((sum, run) => sum + run.requests, 0),
    },
    bundle,
    cpu: {
      quiet,
      loadAvgStart,
      loadAvgLoad,
      loadAvgEnd: os.loadavg(),
      ourCpuS: cpuAfter.ours - cpuBefore.ours,
      machineCpuS: cpuAfter.machine - cpuBefore.machine,
      wallS: (cpuAfter.atMs - cpuBefore.atMs) / 1000,
    },
  };

  // 7. Report.
  await stopAll();
  data.elapsedS = (performance.now() - started) / 1000;
  const summary = summarize(data);
  await writeFile(output, `${renderReport(data, summary)}${await worstCaseSection(output)}`);
  log(
    `\n${summary.lines.join("\n")}\n\nwrote ${path.relative(ROOT, output)} in ${data.elapsedS.toFixed(0)} s`,
  );
}

/**
 * The section `npm run bench:worst -- --write` keeps last in the report (scripts/worst-case),
 * carried over from the file being replaced so that one benchmark does not erase the other.
 * @param {string} file
 */
async function worstCaseSection(file) {
  const text = await readFile(file, "utf8").catch(() => "");
  const at = text.indexOf("\n## Worst case per request");
  return at < 0 ? "" : `\n${text.slice(at).trim()}\n`;
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
