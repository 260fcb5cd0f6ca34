// @ts-check
/**
 * Stand-ins for the Workers services raw workerd talks to over HTTP, with counters:
 *
 * - KV: a `kvNamespace` binding sends `GET /<urlencoded key>?urlencoded=true` to its
 *   service; 200 with the value, 404 when the key is missing. Every request is logged
 *   with its time, so the benchmark can count reads per isolate per cache window.
 * - Analytics Engine: an `analyticsEngine` binding POSTs each data point to its service;
 *   only requests and bytes are counted.
 */

/** @typedef {{ key: string, status: number, atMs: number }} KvRead */
/** @typedef {{ requests: number, bytes: number }} AeCount */

/**
 * A KV service holding `values` (key -> text).
 * @param {ReadonlyMap<string, string>} values
 * @param {() => number} clock milliseconds, for the read log
 */
export function kvService(values, clock) {
  /** @type {KvRead[]} */
  const reads = [];
  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  const handle = (req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://kv");
    const key = decodeURIComponent(url.pathname.slice(1));
    const value = req.method === "GET" ? values.get(key) : undefined;
    const status = value === undefined ? 404 : 200;
    reads.push({ key, status, atMs: clock() });
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(value ?? "");
  };
  return { handle, reads };
}

/** An Analytics Engine sink that counts what it receives. */
export function aeService() {
  /** @type {AeCount} */
  const count = { requests: 0, bytes: 0 };
  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  const handle = (req, res) => {
    count.requests++;
    req.on("data", (/** @type {Buffer} */ chunk) => (count.bytes += chunk.length));
    req.once("end", () => res.end());
  };
  return { handle, count };
}
