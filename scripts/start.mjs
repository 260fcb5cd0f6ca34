// @ts-check
/**
 * `npm start`: a fully offline local demo of the gray router, with a canary
 * the controller ramps (or, with --failing-canary, rolls back) in front of you.
 *
 *   1. starts two demo origins ("stable" and "canary") and the local collector,
 *   2. seeds the demo rollout (90/10, with an `analysis` block tuned for a demo) into local KV,
 *   3. runs `wrangler dev` with local analytics on,
 *   4. once the worker answers: prints what to try, sends simulated visitors,
 *      and runs the controller every minute.
 *
 * Options: --failing-canary, --rps N (default 10), --no-traffic, --help.
 * Ports: STABLE_PORT (8701), CANARY_PORT (8702), PORT (8787, the worker), COLLECTOR_PORT (8703).
 * DEBUG=1 logs origin requests. Ctrl-C / SIGTERM stops everything and exits 0.
 */
import { parseArgs } from "node:util";
import { startDemoOrigin, stopDemoOrigin } from "./demo-origin.mjs";
import { startTraffic } from "./demo-traffic.mjs";
import {
  HOST,
  ROOT,
  devArgs,
  exited,
  isPortFree,
  portFromEnv,
  startLocalCollector,
  startScheduler,
  waitForWorker,
  wrangler,
} from "./local-stack.mjs";

const READY_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 10_000;
const HELP = `npm start [-- options]: the offline demo (two origins, local analytics, the controller)

  --failing-canary   the canary answers 15 % of requests with a 500 and is slower:
                     the controller rolls it back by itself within a few minutes
  --rps N            simulated requests per second (default 10)
  --no-traffic       send no simulated traffic (drive it yourself with curl)
  --help             this text

Ports: STABLE_PORT (8701), CANARY_PORT (8702), PORT (8787), COLLECTOR_PORT (8703).`;

/**
 * Print a one-line error and exit 1.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

/** @type {{ values: { "failing-canary"?: boolean, rps?: string, "no-traffic"?: boolean, help?: boolean } }} */
let cli;
try {
  cli = parseArgs({
    options: {
      "failing-canary": { type: "boolean" },
      rps: { type: "string" },
      "no-traffic": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
} catch (error) {
  fail(
    `${error instanceof Error ? error.message.split(".")[0] : String(error)} (npm start -- --help lists the options)`,
  );
}
if (cli.values.help === true) {
  console.log(HELP);
  process.exit(0);
}
const failingCanary = cli.values["failing-canary"] === true;
const rps = cli.values.rps === undefined ? 10 : Number(cli.values.rps);
if (!(rps > 0 && rps <= 200)) {
  fail(`--rps ${cli.values.rps}: expected requests per second from 1 to 200`);
}

/**
 * @param {string} envVar
 * @param {number} fallback
 */
function port(envVar, fallback) {
  return (
    portFromEnv(envVar, fallback) ??
    fail(`${envVar}=${process.env[envVar]} is not a valid port (1-65535)`)
  );
}

const ports = {
  stable: port("STABLE_PORT", 8701),
  canary: port("CANARY_PORT", 8702),
  worker: port("PORT", 8787),
  collector: port("COLLECTOR_PORT", 8703),
};
/** Which env var moves which port, for error messages. */
const PORT_VARS = {
  stable: "STABLE_PORT",
  canary: "CANARY_PORT",
  worker: "PORT",
  collector: "COLLECTOR_PORT",
};
const workerUrl = `http://${HOST}:${ports.worker}`;
if (new Set(Object.values(ports)).size !== 4) {
  fail(
    `STABLE_PORT, CANARY_PORT, PORT and COLLECTOR_PORT must differ (got ${ports.stable}, ${ports.canary}, ${ports.worker}, ${ports.collector})`,
  );
}

/**
 * The demo's `analysis` block. Production's defaults (docs/canary-analysis.md)
 * wait 10 minutes per step, want 200 requests per cohort (1,000 for p99)
 * before a check may decide, and a canary shown to add less than 0.5
 * percentage points of errors before it takes all traffic; at the demo's 10
 * requests per second that would take the better part of an hour. So: one
 * minute per step (the schema's least), fewer steps, minimum counts that a few
 * minutes of demo traffic reach, and a 2-point error margin, which a few
 * thousand requests can show. The last step needs every check to pass, which
 * at demo traffic can take longer than a demo should; `passTimeout` lets it
 * complete after 3 minutes at 50 % with no failing check (production waits an
 * hour). No evidence gate (`evidence: null`): at 1 request per second the
 * 10 % canary would wait about 5 minutes before 25 %. The statistics are the
 * same; a 15 % failing canary is far past every limit either way.
 */
const DEMO_ANALYSIS = {
  steps: [10, 25, 50, 100],
  interval: 60,
  window: 1800,
  minRequests: 100,
  minLatencyRequests: { p50: 100, p95: 200, p99: 400 },
  errorMargin: 0.02,
  failuresToRollback: 2,
  passTimeout: 180,
  evidence: null,
};

/** The rollout document the demo starts from. */
function rolloutJson() {
  return JSON.stringify({
    origins: { stable: `http://${HOST}:${ports.stable}`, canary: `http://${HOST}:${ports.canary}` },
    weights: { stable: 90, canary: 10 },
    analysis: DEMO_ANALYSIS,
    change: {
      action: "edit",
      by: "npm start",
      reason: "demo rollout",
      at: new Date().toISOString(),
    },
  });
}

/** @param {keyof typeof ports} role */
function portTaken(role) {
  return `port ${ports[role]} (${role}) is already in use; set ${PORT_VARS[role]} to another port`;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: everything started so far, so that any exit path can stop it.

/** @type {import("node:http").Server[]} */
const origins = [];
/** @type {{ stop: () => Promise<void> } | undefined} */
let collector;
/** @type {{ stop: () => void } | undefined} */
let traffic;
/** @type {{ stop: () => void } | undefined} */
let scheduler;
/** @type {NodeJS.Timeout | undefined} */
let report;
/** @type {import("node:child_process").ChildProcess | undefined} */
let child; // the wrangler process currently running (kv put, then dev)
let stopping = false;

/**
 * Stop everything started, then exit.
 * @param {number} code
 */
async function shutdown(code) {
  stopping = true;
  clearInterval(report);
  traffic?.stop();
  scheduler?.stop();
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM"); // wrangler's bin forwards this to the CLI, which stops workerd
    const timer = setTimeout(() => child?.kill("SIGKILL"), KILL_GRACE_MS);
    await exited(child);
    clearTimeout(timer);
  }
  await collector?.stop();
  await Promise.all(origins.map(stopDemoOrigin));
  process.exit(code);
}

for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  // On Ctrl-C the terminal signals wrangler too; a second Ctrl-C while stopping is ignored.
  process.on(signal, () => {
    if (!stopping) {
      console.log("\nstopping wrangler, the traffic, the collector and the demo origins...");
      void shutdown(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------

/** Steps 1-4; returns early if a signal arrived meanwhile (shutdown() is then exiting). */
async function main() {
  // 1. Ports, origins, collector.
  for (const role of /** @type {const} */ (["worker", "collector"])) {
    if (!(await isPortFree(ports[role]))) {
      fail(portTaken(role));
    }
  }
  const behaviour = {
    stable: { delayMs: 20, errorRate: 0.01 },
    canary: failingCanary ? { delayMs: 40, errorRate: 0.15 } : { delayMs: 20, errorRate: 0.01 },
  };
  for (const name of /** @type {const} */ (["stable", "canary"])) {
    try {
      origins.push(
        await startDemoOrigin({ name, port: ports[name], host: HOST, ...behaviour[name] }),
      );
    } catch (err) {
      const taken = /** @type {NodeJS.ErrnoException} */ (err).code === "EADDRINUSE";
      fail(taken ? portTaken(name) : `cannot start the ${name} origin: ${String(err)}`);
    }
  }
  try {
    collector = await startLocalCollector(ports.collector);
  } catch (err) {
    console.error(`npm start: cannot start the local collector: ${String(err)}`);
    return shutdown(1);
  }
  const collectorUrl = `http://${HOST}:${ports.collector}`;

  // 2. Seed the rollout document. `kv key put --local` and `wrangler dev` both default to
  // .wrangler/state next to wrangler.toml, so the dev server below reads what we write here.
  // Output is shown only on failure, to keep the terminal for wrangler dev and the banner.
  const seed = rolloutJson();
  child = wrangler(
    ["kv", "key", "put", "--local", "--binding", "ROLLOUTS", "default", seed],
    ["ignore", "pipe", "pipe"],
  );
  let seedOutput = "";
  child.stdout?.on("data", (chunk) => (seedOutput += chunk));
  child.stderr?.on("data", (chunk) => (seedOutput += chunk));
  const seeded = await exited(child);
  if (stopping) {
    return;
  }
  if (seeded !== 0) {
    process.stderr.write(seedOutput);
    console.error("npm start: seeding local KV failed (wrangler output above)");
    return shutdown(1);
  }
  console.log("seeded local KV ROLLOUTS/default with the demo rollout (canary at 10 %)");

  // 3. wrangler dev (local mode is the default), with local analytics and /__scheduled.
  // The demo reads KV on every request (CONFIG_CACHE_SECONDS 0, production's
  // default is 10 s), so a `gray set` or `gray rollback` shows on the very
  // next request; local KV has no edge cache to add to it.
  const dev = wrangler(
    devArgs({
      port: ports.worker,
      collectorUrl,
      quiet: true,
      extra: ["--var", "CONFIG_CACHE_SECONDS:0"],
    }),
    ["ignore", "inherit", "inherit"],
  );
  child = dev;
  void exited(dev).then((result) => {
    if (!stopping) {
      console.error(`npm start: wrangler dev exited (${result}); stopping the demo`);
      void shutdown(typeof result === "number" ? result : 1);
    }
  });

  // 4. Wait until the worker answers anything at all (even an error page means it is up).
  if (!(await waitForWorker(workerUrl, READY_TIMEOUT_MS, () => stopping))) {
    if (!stopping) {
      console.error(
        `npm start: the worker did not answer on ${workerUrl} within ${READY_TIMEOUT_MS / 1000} s`,
      );
      return shutdown(1);
    }
    return;
  }
  printBanner(collectorUrl);
  scheduler = startScheduler(workerUrl, (message) => console.log(message));
  if (cli.values["no-traffic"] !== true) {
    const sending = startTraffic({ url: workerUrl, rps, newShare: 0.4, poolSize: 2000 });
    traffic = sending;
    report = setInterval(() => {
      const { cohorts, failed } = sending.summary();
      const parts = [...cohorts].map(([cohort, n]) => `${cohort} ${n}`).join(", ");
      console.log(
        `traffic, last minute: ${parts || "nothing"}${failed > 0 ? `; ${failed} requests failed` : ""}`,
      );
    }, 60_000);
  }
}

/** Tells the user what to try; every command is complete. */
function printBanner(/** @type {string} */ collectorUrl) {
  const rule = "─".repeat(78);
  const canaryNote = failingCanary ? "   (failing on purpose: 15 % errors, slower)" : "";
  console.log(`
${rule}
 gray-router demo is up on ${workerUrl}
   stable origin    http://${HOST}:${ports.stable}   weight 90
   canary origin    http://${HOST}:${ports.canary}   weight 10${canaryNote}
   traffic          ${cli.values["no-traffic"] === true ? "none (--no-traffic)" : `${rps} requests/s from simulated visitors, new and returning`}
   controller       every minute; the demo's analysis ramps the canary 10 -> 25 -> 50 -> 100 %
   local analytics  ${collectorUrl} (data points in .wrangler/state/gray-collector)

 Watch it in a browser (refreshes itself): ${collectorUrl}/report

 In a second terminal, in ${ROOT}:
   npx gray status --local              the rollout, live per-cohort figures, the verdict
   npx gray watch --local               the same, redrawn every 2 s with sparklines
   npx gray set canary=50 --local -y    move the split
   npx gray rollback --local -y         everyone back to stable on their next request
   npx gray history --local             every decision and manual change, with figures
   npx gray wait --local --timeout 15m  block until the ramp completes (0) or rolls back (1)
   npx gray report --local --out report.html   the same page as one offline file

 One visit: curl -i ${workerUrl}/   (look at X-Gray-Cohort and Set-Cookie)
 ${failingCanary ? "The canary fails: watch the controller roll it back by itself." : "A canary that fails, rolled back by the controller: npm start -- --failing-canary"}
 Ctrl-C stops everything.
${rule}
`);
}

await main();
