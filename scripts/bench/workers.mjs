// @ts-check
/**
 * The Workers under test, each on its own raw workerd process with the same settings:
 * the bare pass-through worker, the router (bench entry: production wiring, no-op metrics
 * dataset), the production bundle with a real Analytics Engine binding and, optionally,
 * a candidate router built from other source (BENCH_CANDIDATE).
 */
import path from "node:path";
import { startWorkerd } from "./workerd.mjs";

/**
 * @typedef {import("./workerd.mjs").WorkerdInstance} WorkerdInstance
 * @typedef {{ bare: WorkerdInstance, router: WorkerdInstance, routerAe: WorkerdInstance,
 *   candidate: WorkerdInstance | undefined }} Workers
 */

/** The KV tenants (one KV stand-in each), so reads are counted per isolate. */
export const KV_TENANTS = /** @type {const} */ (["router", "router-ae", "router-candidate"]);

/**
 * @param {{
 *   workerd: string, out: string, cacheSeconds: number,
 *   modules: { bare: string, router: string, production: string, candidate: string | undefined },
 *   ports: import("./backends.mjs").BackendPorts,
 * }} options
 * @returns {Promise<Workers>}
 */
export async function startWorkers({ workerd, out, cacheSeconds, modules, ports }) {
  const vars = [
    { name: "CONFIG_CACHE_SECONDS", text: String(cacheSeconds) },
    { name: "ORIGIN_TIMEOUT_SECONDS", text: "30" },
  ];
  /** @param {string} tenant */
  const kv = (tenant) => ({
    name: `kv-${tenant}`,
    address: `127.0.0.1:${String(ports.kv[tenant])}`,
  });
  /**
   * A router instance reading rollouts from its own KV stand-in.
   * @param {string} name
   * @param {string} module
   */
  const router = (name, module) =>
    startWorkerd({
      name,
      workerd,
      module,
      dir: path.join(out, "workerd", name),
      bindings: [{ name: "ROLLOUTS", kvNamespace: `kv-${name}` }, ...vars],
      services: [kv(name)],
    });
  const [bare, routerInstance, routerAe, candidate] = await Promise.all([
    startWorkerd({
      name: "bare",
      workerd,
      module: modules.bare,
      dir: path.join(out, "workerd", "bare"),
      bindings: [{ name: "ORIGIN", text: `http://127.0.0.1:${ports.stable}` }],
      services: [],
    }),
    router("router", modules.router),
    startWorkerd({
      name: "router-ae",
      workerd,
      module: modules.production,
      dir: path.join(out, "workerd", "router-ae"),
      bindings: [
        { name: "ROLLOUTS", kvNamespace: "kv-router-ae" },
        { name: "METRICS", analyticsEngine: "ae" },
        ...vars,
      ],
      services: [kv("router-ae"), { name: "ae", address: `127.0.0.1:${ports.ae}` }],
    }),
    modules.candidate === undefined ? undefined : router("router-candidate", modules.candidate),
  ]);
  return { bare, router: routerInstance, routerAe, candidate };
}
