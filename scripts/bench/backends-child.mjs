// @ts-check
/**
 * Child process: the origin (as "stable" and "canary", two ports) and the KV and Analytics
 * Engine services, in a process of their own so the load generator does not starve them.
 * One KV service per tenant (Worker), so reads are counted per isolate; argv[2] is a JSON
 * object of tenant -> fields added to the 90/10 rollout document (DOCUMENTS in
 * variants.mjs). Started by backends.mjs over IPC; exits when its parent goes away.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { handleOrigin } from "./origin.mjs";
import { aeService, kvService } from "./services.mjs";

const HOST = "127.0.0.1";

/**
 * @param {http.RequestListener} handler
 * @returns {Promise<{ server: http.Server, port: number }>}
 */
function listen(handler) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address !== null ? address.port : 0 });
    });
  });
}

const send = (/** @type {import("./backends.mjs").ChildMessage} */ message) =>
  process.send?.(message);

const stable = await listen(handleOrigin);
const canary = await listen(handleOrigin);
/** The 90/10 rollout, under the `default` key only: the host key lookup misses. */
const base = {
  origins: { stable: `http://${HOST}:${stable.port}`, canary: `http://${HOST}:${canary.port}` },
  weights: { stable: 90, canary: 10 },
};
const rollout = JSON.stringify(base);
/** @type {Record<string, Record<string, unknown>>} */
const tenants = JSON.parse(process.argv[2] ?? "{}");
const ae = aeService();
const aeServer = await listen(ae.handle);
/** @type {Map<string, { reads: import("./services.mjs").KvRead[], server: http.Server, port: number }>} */
const kvs = new Map();
for (const [tenant, extra] of Object.entries(tenants)) {
  const document = JSON.stringify({ ...base, ...extra });
  const kv = kvService(new Map([["default", document]]), () => performance.now());
  kvs.set(tenant, { reads: kv.reads, ...(await listen(kv.handle)) });
}

process.on("message", (/** @type {import("./backends.mjs").ParentMessage} */ message) => {
  if (message.type === "stats") {
    const kvReads = Object.fromEntries([...kvs].map(([tenant, kv]) => [tenant, kv.reads]));
    send({ type: "stats", id: message.id, kvReads, ae: { ...ae.count } });
  }
});
process.once("disconnect", () => {
  for (const { server } of [stable, canary, aeServer, ...kvs.values()]) {
    server.closeAllConnections();
    server.close();
  }
  process.exit(0);
});
send({
  type: "ready",
  ports: {
    stable: stable.port,
    canary: canary.port,
    ae: aeServer.port,
    kv: Object.fromEntries([...kvs].map(([tenant, kv]) => [tenant, kv.port])),
  },
  rollout,
});
