// @ts-check
/**
 * Generates a workerd config (Cap'n Proto text, schema: node_modules/workerd/workerd.capnp)
 * serving several ES-module Workers from one process, each on its own 127.0.0.1 port and
 * in its own isolate. Every Worker gets the same settings from here; only the module and
 * the bindings differ.
 */

/** The project's compatibility date (wrangler.toml). */
export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * @typedef {{ name: string, text: string }
 *   | { name: string, kvNamespace: string }
 *   | { name: string, analyticsEngine: string }} Binding
 *   A plain var, a KV namespace or an Analytics Engine dataset implemented by the named service.
 * @typedef {{ name: string, address: string }} ExternalService an HTTP server at host:port
 * @typedef {{ name: string, moduleFile: string, port: number, bindings: readonly Binding[] }} WorkerSpec
 *   `moduleFile` is relative to the config file.
 */

/**
 * A Cap'n Proto text literal (JSON string syntax is a subset for what we write).
 * @param {string} text
 */
const quote = (text) => JSON.stringify(text);

/** @param {Binding} binding */
function bindingText(binding) {
  if ("text" in binding) {
    return `(name = ${quote(binding.name)}, text = ${quote(binding.text)})`;
  }
  if ("kvNamespace" in binding) {
    return `(name = ${quote(binding.name)}, kvNamespace = ${quote(binding.kvNamespace)})`;
  }
  return `(name = ${quote(binding.name)}, analyticsEngine = ${quote(binding.analyticsEngine)})`;
}

/** @param {WorkerSpec} worker */
function workerText(worker) {
  return `    (name = ${quote(worker.name)}, worker = (
      modules = [(name = "worker.js", esModule = embed ${quote(worker.moduleFile)})],
      compatibilityDate = ${quote(COMPATIBILITY_DATE)},
      bindings = [
${worker.bindings.map((binding) => `        ${bindingText(binding)},`).join("\n")}
      ],
      globalOutbound = "loopback",
    )),`;
}

/**
 * @param {{ workers: readonly WorkerSpec[], services: readonly ExternalService[] }} options
 *   Each Worker's own `fetch()` may reach 127.0.0.1 only (the origins).
 * @returns {string}
 */
export function workerdConfig({ workers, services }) {
  const external = services.map(
    (service) =>
      `    (name = ${quote(service.name)}, external = (address = ${quote(service.address)}, http = ())),`,
  );
  const sockets = workers.map(
    (worker) =>
      `    (name = ${quote(worker.name)}, address = ${quote(`127.0.0.1:${worker.port}`)}, http = (), service = ${quote(worker.name)}),`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
${workers.map(workerText).join("\n")}
    (name = "loopback", network = (allow = ["local"])),
${external.join("\n")}
  ],
  sockets = [
${sockets.join("\n")}
  ],
);
`;
}
