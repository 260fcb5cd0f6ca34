// @ts-check
/**
 * The Workers under test, all in one raw workerd process (one isolate each, same binary,
 * same settings): the bare pass-through Worker, the ablation steps, the router (bench
 * entry: production wiring, no-op metrics dataset) with each feature's rollout, the
 * production bundle with a local Analytics Engine binding and, optionally, a candidate
 * router built from other source (BENCH_CANDIDATE).
 */
import path from "node:path";
import { DOCUMENTS } from "./variants.mjs";
import { startWorkerd } from "./workerd.mjs";

/**
 * @typedef {import("./variants.mjs").VariantSpec} VariantSpec
 * @typedef {{ [K in import("./variants.mjs").ModuleName]?: string | undefined }} Modules bundled files
 */

/**
 * KV tenants: one KV stand-in per router Worker, serving its variant's document.
 * @param {readonly VariantSpec[]} specs
 * @returns {Record<string, Record<string, unknown>>}
 */
export function kvTenants(specs) {
  return Object.fromEntries(
    specs
      .filter((spec) => spec.module !== undefined && spec.document !== undefined)
      .map((spec) => [spec.name, { ...DOCUMENTS[spec.document ?? "plain"] }]),
  );
}

/**
 * Starts every Worker variant (all but `direct`, and those whose module was not built).
 * Variants that differ only in their requests (`router-new`) share the Worker of the
 * variant they are named after.
 * @param {{
 *   workerd: string, out: string, cacheSeconds: number, modules: Modules,
 *   specs: readonly VariantSpec[], ports: import("./backends.mjs").BackendPorts,
 *   launcher?: readonly string[], name?: string,
 * }} options `launcher`, `name`: see instructions.mjs (workerd under callgrind, in its own directory)
 * @returns {Promise<{ pid: number | undefined, urls: Record<string, string>, dir: string, stop: () => Promise<void> }>}
 */
export async function startWorkers({
  workerd,
  out,
  cacheSeconds,
  modules,
  specs,
  ports,
  launcher = [],
  name = "workerd",
}) {
  const vars = [
    { name: "CONFIG_CACHE_SECONDS", text: String(cacheSeconds) },
    { name: "ORIGIN_TIMEOUT_SECONDS", text: "30" },
  ];
  const workers = specs.flatMap((spec) => {
    const module = spec.module === undefined ? undefined : modules[spec.module];
    if (module === undefined || spec.name === "router-new") {
      return [];
    }
    /** @type {import("./workerd-config.mjs").Binding[]} */
    const bindings = [
      { name: "ORIGIN", text: `http://127.0.0.1:${ports.stable}` },
      ...vars,
      ...Object.entries(spec.vars ?? {}).map(([name, text]) => ({ name, text })),
    ];
    if (spec.document !== undefined) {
      bindings.push({ name: "ROLLOUTS", kvNamespace: `kv-${spec.name}` });
    }
    if (spec.metrics === "analytics-engine") {
      bindings.push({ name: "METRICS", analyticsEngine: "ae" });
    }
    return [{ name: spec.name, module, bindings }];
  });
  const services = [
    ...Object.entries(ports.kv).map(([tenant, port]) => ({
      name: `kv-${tenant}`,
      address: `127.0.0.1:${port}`,
    })),
    { name: "ae", address: `127.0.0.1:${ports.ae}` },
  ];
  const started = await startWorkerd({
    workerd,
    dir: path.join(out, name),
    workers,
    services,
    launcher,
    readyTimeoutMs: launcher.length === 0 ? 30_000 : 180_000,
  });
  const urls = { ...started.urls };
  if (urls["router"] !== undefined) {
    urls["router-new"] = urls["router"];
  }
  urls["direct"] = `http://127.0.0.1:${ports.stable}`;
  return { pid: started.pid, urls, dir: started.dir, stop: started.stop };
}
