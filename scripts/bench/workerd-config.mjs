// @ts-check
/**
 * Generates a workerd config (Cap'n Proto text, schema: node_modules/workerd/workerd.capnp)
 * serving one ES-module Worker on 127.0.0.1. Every Worker in the benchmark gets the same
 * settings from here; only the module and the bindings differ.
 */

/** The project's compatibility date (wrangler.toml). */
export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * @typedef {{ name: string, text: string }
 *   | { name: string, kvNamespace: string }
 *   | { name: string, analyticsEngine: string }} Binding
 *   A plain var, a KV namespace or an Analytics Engine dataset implemented by the named service.
 * @typedef {{ name: string, address: string }} ExternalService an HTTP server at host:port
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

/**
 * @param {{
 *   moduleFile: string,
 *   port: number,
 *   bindings: readonly Binding[],
 *   services: readonly ExternalService[],
 * }} options `moduleFile` is relative to the config file; the Worker's own `fetch()` may
 *   reach 127.0.0.1 only (the origins).
 * @returns {string}
 */
export function workerdConfig({ moduleFile, port, bindings, services }) {
  const external = services.map(
    (service) =>
      `    (name = ${quote(service.name)}, external = (address = ${quote(service.address)}, http = ())),`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
${external.join("\n")}
  ],
  sockets = [(name = "http", address = ${quote(`127.0.0.1:${port}`)}, http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed ${quote(moduleFile)})],
  compatibilityDate = ${quote(COMPATIBILITY_DATE)},
  bindings = [
${bindings.map((binding) => `    ${bindingText(binding)},`).join("\n")}
  ],
  globalOutbound = "loopback",
);
`;
}
