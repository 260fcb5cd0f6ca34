// @ts-check
/**
 * `npm start`: a fully offline local demo of the gray router.
 *
 *   1. starts two demo origins ("stable" and "canary") on 127.0.0.1,
 *   2. seeds the rollout document (90/10) into local KV (binding ROLLOUTS, key "default"),
 *   3. runs `wrangler dev` and, once the worker answers, prints what to try.
 *
 * Ports: STABLE_PORT (8701), CANARY_PORT (8702), PORT (8787, the worker). DEBUG=1 logs origin requests.
 * Ctrl-C / SIGTERM stops everything and exits 0; if wrangler exits by itself we exit with its code.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parsePort, startDemoOrigin, stopDemoOrigin } from "./demo-origin.mjs";

const HOST = "127.0.0.1";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The file node_modules/.bin/wrangler links to. Running it with this very node binary needs no
// shell (no quoting issues with the JSON argument) and also works on Windows, where .bin/ holds a .cmd.
const WRANGLER_JS = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const READY_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 10_000;

/**
 * Print a one-line error and exit 1.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

/**
 * @param {string} envVar
 * @param {number} fallback
 */
function portFromEnv(envVar, fallback) {
  const raw = process.env[envVar];
  if (raw === undefined || raw === "") {
    return fallback;
  }
  return parsePort(raw) ?? fail(`${envVar}=${raw} is not a valid port (1-65535)`);
}

const ports = {
  stable: portFromEnv("STABLE_PORT", 8701),
  canary: portFromEnv("CANARY_PORT", 8702),
  worker: portFromEnv("PORT", 8787),
};
/** Which env var moves which port, for error messages. */
const PORT_VARS = { stable: "STABLE_PORT", canary: "CANARY_PORT", worker: "PORT" };
const workerUrl = `http://${HOST}:${ports.worker}`;
if (new Set(Object.values(ports)).size !== 3) {
  fail(
    `STABLE_PORT, CANARY_PORT and PORT must differ (got ${ports.stable}, ${ports.canary}, ${ports.worker})`,
  );
}

/**
 * The rollout document the worker reads from KV.
 * @param {number} canaryPercent
 */
function rolloutJson(canaryPercent) {
  return JSON.stringify({
    origins: { stable: `http://${HOST}:${ports.stable}`, canary: `http://${HOST}:${ports.canary}` },
    weights: { stable: 100 - canaryPercent, canary: canaryPercent },
  });
}

/** @param {keyof typeof ports} role */
function portTaken(role) {
  return `port ${ports[role]} (${role}) is already in use; set ${PORT_VARS[role]} to another port`;
}

/**
 * Run the local wrangler without a shell.
 * @param {string[]} args
 * @param {import("node:child_process").StdioOptions} stdio
 */
function wrangler(args, stdio) {
  return spawn(process.execPath, [WRANGLER_JS, ...args], {
    cwd: ROOT,
    env: WRANGLER_ENV,
    stdio,
    shell: false,
  });
}

/**
 * Resolve with the exit code (or signal name) once `child` has exited.
 * @param {import("node:child_process").ChildProcess} child
 * @returns {Promise<number | NodeJS.Signals>}
 */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? /** @type {NodeJS.Signals} */ (child.signalCode));
  }
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? 1)),
  );
}

/**
 * Whether nothing listens on HOST:port yet. Checked up front because wrangler's own
 * "address in use" failure is buried in a stack trace.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function isPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (/** @type {NodeJS.ErrnoException} */ err) =>
      err.code === "EADDRINUSE" ? resolve(false) : reject(err),
    );
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: everything started so far, so that any exit path can stop it.

/** @type {import("node:http").Server[]} */
const origins = [];
/** @type {import("node:child_process").ChildProcess | undefined} */
let child; // the wrangler process currently running (kv put, then dev)
let stopping = false;

/**
 * Stop the current wrangler process (if any) and the origins, then exit.
 * @param {number} code
 */
async function shutdown(code) {
  stopping = true;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM"); // wrangler's bin forwards this to the CLI, which stops workerd
    const timer = setTimeout(() => child?.kill("SIGKILL"), KILL_GRACE_MS);
    await exited(child);
    clearTimeout(timer);
  }
  await Promise.all(origins.map(stopDemoOrigin));
  process.exit(code);
}

for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  // On Ctrl-C the terminal signals wrangler too; a second Ctrl-C while stopping is ignored.
  process.on(signal, () => {
    if (!stopping) {
      console.log("\nstopping wrangler and the demo origins...");
      void shutdown(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------

/** Steps 1-4; returns early if a signal arrived meanwhile (shutdown() is then exiting). */
async function main() {
  // 1. Ports and origins.
  if (!(await isPortFree(ports.worker))) {
    fail(portTaken("worker"));
  }
  for (const name of /** @type {const} */ (["stable", "canary"])) {
    try {
      origins.push(await startDemoOrigin({ name, port: ports[name], host: HOST }));
    } catch (err) {
      const taken = /** @type {NodeJS.ErrnoException} */ (err).code === "EADDRINUSE";
      fail(taken ? portTaken(name) : `cannot start the ${name} origin: ${String(err)}`);
    }
  }

  // 2. Seed the rollout document. `kv key put --local` and `wrangler dev` both default to
  // .wrangler/state next to wrangler.toml, so the dev server below reads what we write here.
  // Output is shown only on failure, to keep the terminal for wrangler dev and the banner.
  child = wrangler(
    ["kv", "key", "put", "--local", "--binding", "ROLLOUTS", "default", rolloutJson(10)],
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
  console.log(`seeded local KV ROLLOUTS/default: ${rolloutJson(10)}`);

  // 3. wrangler dev (local mode is the default). The interactive hotkey bar is turned off because
  // it redraws the bottom of the terminal and would clobber the banner printed below.
  const dev = wrangler(
    ["dev", "--port", String(ports.worker), "--ip", HOST, "--show-interactive-dev-session=false"],
    ["ignore", "inherit", "inherit"],
  );
  child = dev;
  void exited(dev).then((result) => {
    if (!stopping) {
      console.error(`npm start: wrangler dev exited (${result}); stopping the demo origins`);
      void shutdown(typeof result === "number" ? result : 1);
    }
  });

  // 4. Wait until the worker answers anything at all (even an error page means it is up).
  if (await waitForWorker()) {
    printBanner();
  } else if (!stopping) {
    console.error(
      `npm start: the worker did not answer on ${workerUrl} within ${READY_TIMEOUT_MS / 1000} s`,
    );
    return shutdown(1);
  }
}

/**
 * Poll the worker until it gives any HTTP response (true), or time runs out / we are stopping (false).
 * @returns {Promise<boolean>}
 */
async function waitForWorker() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!stopping && Date.now() < deadline) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), deadline - Date.now());
    try {
      const res = await fetch(`${workerUrl}/`, { signal: abort.signal });
      await res.body?.cancel();
      return !stopping;
    } catch {
      // Not listening yet (connection refused), or the deadline passed.
    } finally {
      clearTimeout(timer);
    }
    await sleep(250);
  }
  return false;
}

/** Tell the user what to try; the commands are complete, with the real ports and JSON. */
function printBanner() {
  /** @param {number} canary */
  const put = (canary) =>
    `npx wrangler kv key put --local --binding ROLLOUTS default '${rolloutJson(canary)}'`;
  const rule = "─".repeat(78);
  console.log(`
${rule}
 gray-router is up on ${workerUrl}
   stable origin  http://${HOST}:${ports.stable}   weight 90
   canary origin  http://${HOST}:${ports.canary}   weight 10
   rollout        local KV binding ROLLOUTS, key "default" (.wrangler/state)

 One visit: look at the X-Gray-Cohort response header and the Set-Cookie:
   curl -i ${workerUrl}/

 The split across 200 new visitors (no cookie, so each one is assigned afresh):
   for i in $(seq 200); do curl -s -o /dev/null -D - ${workerUrl}/ | grep -i '^x-gray-cohort'; done | sort | uniq -c

 Change the weights while this runs (from another shell in ${ROOT}):
   ${put(50)}
 Roll back (all new traffic to stable):
   ${put(0)}
 The worker may cache the document for CONFIG_CACHE_SECONDS (wrangler.toml); allow that long.

 Streaming (server-sent events, 5 events 300 ms apart):
   curl -N ${workerUrl}/stream

 Offline, wrangler logs errors about fetching the Request.cf object: expected and harmless
 (it falls back to a placeholder). Ctrl-C stops the worker and both origins.
${rule}
`);
}

await main();
