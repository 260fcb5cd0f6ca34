// @ts-check
/**
 * Child process: the origin (as "stable" and "canary", two ports) and the KV and Analytics
 * Engine services, in a process of their own so the load generator does not starve them.
 * One KV service per Worker named in argv, so reads are counted per isolate. Started by
 * backends.mjs over IPC; exits when its parent goes away.
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
const rollout = JSON.stringify({
  origins: { stable: `http://${HOST}:${stable.port}`, canary: `http://${HOST}:${canary.port}` },
  weights: { stable: 90, canary: 10 },
});
const ae = aeService();
const aeServer = await listen(ae.handle);
/** @type {Map<string, { reads: import("./services.mjs").KvRead[], server: http.Server, port: number }>} */
const kvs = new Map();
for (const tenant of process.argv.slice(2)) {
  const kv = kvService(new Map([["default", rollout]]), () => performance.now());
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
