// @ts-check
/**
 * Lifecycle of the processes the benchmark starts: every child is registered here, and
 * `stopAll` (also run on Ctrl-C, SIGTERM, SIGHUP and on exit) stops each one by its own
 * handle, never by name.
 */
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** @typedef {import("node:child_process").ChildProcess} ChildProcess */

const KILL_GRACE_MS = 3_000;

/** Children still running. @type {Set<ChildProcess>} */
const running = new Set();

/**
 * Registers `child` so that it is stopped at the end, whatever happens.
 * @template {ChildProcess} T
 * @param {T} child
 * @returns {T}
 */
export function track(child) {
  if (child.exitCode === null && child.signalCode === null) {
    running.add(child);
    child.once("exit", () => running.delete(child));
  }
  return child;
}

/**
 * Resolves once `child` has exited.
 * @param {ChildProcess} child
 * @returns {Promise<void>}
 */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * SIGTERM, then SIGKILL after a grace period.
 * @param {ChildProcess} child
 */
export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited(child);
  clearTimeout(timer);
}

/** Stops every registered child that is still running. */
export async function stopAll() {
  await Promise.all([...running].map(stop));
}

/** Number of registered children still running (0 after a clean stopAll). */
export function runningCount() {
  return running.size;
}

/**
 * Installs the handlers that stop every child on Ctrl-C, SIGTERM and SIGHUP (then exit
 * with 130/143/129) and, as a last resort, SIGKILL whatever is left when the process exits.
 * @param {(message: string) => void} log
 */
export function stopChildrenOnExit(log) {
  let stopping = false;
  for (const [signal, code] of /** @type {const} */ ([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ])) {
    process.on(signal, () => {
      if (stopping) {
        return;
      }
      stopping = true;
      log(`\n${signal}: stopping the benchmark processes...`);
      void stopAll().finally(() => process.exit(code));
    });
  }
  process.on("exit", () => {
    for (const child of running) {
      child.kill("SIGKILL");
    }
  });
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/**
 * Resolves once something accepts TCP connections on 127.0.0.1:`port`.
 * @param {number} port
 * @param {ChildProcess} child the process expected to listen; fails early if it exits
 * @param {number} timeoutMs
 */
export async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `process exited (${String(child.exitCode ?? child.signalCode)}) before listening on ${port}`,
      );
    }
    const connected = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (connected) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
}
