// @ts-check
/**
 * What `npm start` and `npm run dev` share: running wrangler without a shell,
 * the local collector (so data points are queryable locally), `wrangler dev`
 * with the collector's URL and the scheduled-event endpoint, and a scheduler
 * that fires the controller every minute the way the Cron Trigger
 * (`* * * * *` in wrangler.toml) does in production.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundle } from "./build-node.mjs";
import { parsePort } from "./demo-origin.mjs";

export const HOST = "127.0.0.1";
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The file node_modules/.bin/wrangler links to. Running it with this very node binary needs no
// shell (no quoting issues with JSON arguments) and also works on Windows, where .bin/ holds a .cmd.
const WRANGLER_JS = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };
/**
 * A port from an environment variable, `fallback` when unset; null when the
 * value is not a port (the caller says so in its own words).
 * @param {string} name
 * @param {number} fallback
 * @returns {number | null}
 */
export function portFromEnv(name, fallback) {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? fallback : (parsePort(raw) ?? null);
}

/** The controller's schedule, as wrangler.toml's Cron Trigger says. */
export const CRON = "* * * * *";

/**
 * Runs the local wrangler without a shell.
 * @param {string[]} args
 * @param {import("node:child_process").StdioOptions} stdio
 */
export function wrangler(args, stdio) {
  return spawn(process.execPath, [WRANGLER_JS, ...args], {
    cwd: ROOT,
    env: WRANGLER_ENV,
    stdio,
    shell: false,
  });
}

/**
 * Resolves with the exit code (or signal name) once `child` has exited.
 * @param {import("node:child_process").ChildProcess} child
 * @returns {Promise<number | NodeJS.Signals>}
 */
export function exited(child) {
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
export function isPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (/** @type {NodeJS.ErrnoException} */ err) =>
      err.code === "EADDRINUSE" ? resolve(false) : reject(err),
    );
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

/**
 * Starts the local collector (src/collector/) on `port`, announced in
 * .wrangler/state/gray-collector for the CLI.
 * @param {number} port
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startLocalCollector(port) {
  /** @type {{ runCollector: (o: { projectDir: string, port: number }) => Promise<{ collector: { url: string }, stop: () => Promise<void> }> }} */
  const module = await import(pathToFileURL(await bundle("collector")).href);
  const running = await module.runCollector({ projectDir: ROOT, port });
  return { url: running.collector.url, stop: running.stop };
}

/**
 * `wrangler dev` arguments for a local run with local analytics: the
 * collector's URL as a var (never in wrangler.toml, so production never has
 * it) and the /__scheduled endpoint the scheduler calls.
 * @param {{ port: number, collectorUrl: string, quiet: boolean, extra?: string[] }} options
 */
export function devArgs({ port, collectorUrl, quiet, extra = [] }) {
  return [
    "dev",
    "--port",
    String(port),
    "--ip",
    HOST,
    "--test-scheduled",
    "--var",
    `LOCAL_COLLECTOR_URL:${collectorUrl}`,
    // The demo's traffic would print a line per request at the default level.
    ...(quiet ? ["--log-level", "warn", "--show-interactive-dev-session=false"] : []),
    ...extra,
  ];
}

/**
 * Fires the Worker's scheduled handler (the canary controller) at the start
 * of every minute, through wrangler dev's /__scheduled endpoint, as the
 * Cron Trigger does in production. `stop()` ends it.
 * @param {string} workerUrl
 * @param {(message: string) => void} log
 */
export function startScheduler(workerUrl, log) {
  let running = true;
  let failing = false;
  const stop = new AbortController();
  (async () => {
    while (running) {
      // A second past the minute, like a cron trigger that fires on the minute.
      const wait = 60_000 - (Date.now() % 60_000) + 1_000;
      try {
        await sleep(wait, undefined, { signal: stop.signal });
      } catch {
        return;
      }
      try {
        const res = await fetch(`${workerUrl}/__scheduled?cron=${encodeURIComponent(CRON)}`, {
          signal: AbortSignal.timeout(50_000),
        });
        await res.arrayBuffer();
        if (failing) {
          log("controller: scheduled runs work again");
        }
        failing = false;
      } catch (error) {
        if (!failing) {
          log(
            `controller: the scheduled run failed (${error instanceof Error ? error.message : String(error)}); retrying every minute`,
          );
        }
        failing = true;
      }
    }
  })();
  return {
    stop() {
      running = false;
      stop.abort();
    },
  };
}

/**
 * Polls the worker until it gives any HTTP response (true), or time runs out /
 * `stopping()` says so (false).
 * @param {string} url
 * @param {number} timeoutMs
 * @param {() => boolean} stopping
 * @returns {Promise<boolean>}
 */
export async function waitForWorker(url, timeoutMs, stopping) {
  const deadline = Date.now() + timeoutMs;
  while (!stopping() && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/`, {
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      await res.body?.cancel();
      return !stopping();
    } catch {
      // Not listening yet (connection refused), or the deadline passed.
    }
    await sleep(250);
  }
  return false;
}
