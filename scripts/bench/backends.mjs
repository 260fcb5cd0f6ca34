// @ts-check
/** Starts backends-child.mjs and talks to it over IPC. */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { track } from "./processes.mjs";

/**
 * @typedef {{ stable: number, canary: number, ae: number, kv: Record<string, number> }} BackendPorts
 *   `kv`: one KV service per tenant (Worker)
 * @typedef {{ type: "stats", id: number }} ParentMessage
 * @typedef {import("./services.mjs").KvRead} KvRead
 * @typedef {import("./services.mjs").AeCount} AeCount
 * @typedef {{ kvReads: Record<string, KvRead[]>, ae: AeCount }} BackendStats  `kvReads` per tenant
 * @typedef {{ type: "ready", ports: BackendPorts, rollout: string }
 *   | { type: "stats", id: number, kvReads: Record<string, KvRead[]>, ae: AeCount }} ChildMessage
 */

const CHILD = fileURLToPath(new URL("./backends-child.mjs", import.meta.url));
const READY_TIMEOUT_MS = 10_000;

/**
 * @typedef {{ ports: BackendPorts, rollout: string, stats: () => Promise<BackendStats>, pid: number | undefined }} Backends
 */

/**
 * Starts the origin, the Analytics Engine sink and one KV service per tenant.
 * @param {Record<string, Record<string, unknown>>} kvTenants tenant -> fields added to the
 *   90/10 rollout document it serves under `default`
 * @returns {Promise<Backends>}
 */
export async function startBackends(kvTenants) {
  const child = track(
    fork(CHILD, [JSON.stringify(kvTenants)], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  let nextId = 1;
  /** @type {Map<number, (stats: BackendStats) => void>} */
  const pending = new Map();
  /** @type {(message: ChildMessage) => void} */
  let onReady = () => undefined;
  const ready = /** @type {Promise<Extract<ChildMessage, { type: "ready" }>>} */ (
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("backends did not start in time")),
        READY_TIMEOUT_MS,
      );
      child.once("exit", (code) => reject(new Error(`backends exited early (${String(code)})`)));
      onReady = (message) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message);
        }
      };
    })
  );
  child.on("message", (/** @type {ChildMessage} */ message) => {
    if (message.type === "ready") {
      onReady(message);
    } else {
      pending.get(message.id)?.({ kvReads: message.kvReads, ae: message.ae });
      pending.delete(message.id);
    }
  });
  const { ports, rollout } = await ready;
  /** @returns {Promise<BackendStats>} */
  const stats = () =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send(/** @type {ParentMessage} */ ({ type: "stats", id }));
    });
  return { ports, rollout, stats, pid: child.pid };
}
