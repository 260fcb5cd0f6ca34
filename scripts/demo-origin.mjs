// @ts-check
/**
 * A tiny demo origin for trying the gray router locally (used by scripts/start.mjs).
 *
 * Every response says which origin answered and echoes what the router forwarded
 * (method, path + query, the X-Gray-Cohort request header), so the effect of the
 * router is visible with plain curl. `/stream` sends server-sent events to show
 * that responses are streamed through the router rather than buffered.
 *
 * For the canary analysis demo an origin can be slow and failing on purpose:
 * `delayMs` is the median of a log-normal response delay (σ 0.5), and
 * `errorRate` the share of requests answered with a 500 (`npm start --
 * --failing-canary` gives the canary both).
 *
 * Standalone (handy for debugging): node scripts/demo-origin.mjs stable 8701
 */
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** Versions shown in the greeting, so "which build am I on" is obvious at a glance. */
const VERSIONS = /** @type {Record<string, string>} */ ({ stable: "v1", canary: "v2" });

const STREAM_EVENTS = 5;
const STREAM_INTERVAL_MS = 300;

/**
 * Start a demo origin on `host:port`.
 *
 * @param {{ name: string, port: number, host?: string, debug?: boolean, delayMs?: number, errorRate?: number }} options
 *   `name` is the origin's identity ("stable" or "canary"; any other name gets version "v?").
 *   `debug` logs one line per request; it defaults to whether the DEBUG env var is set.
 *   `delayMs`: median response delay (log-normal, σ 0.5); 0 (the default) answers at once.
 *   `errorRate`: share of requests (0..1) answered with a 500; default 0.
 * @returns {Promise<http.Server>} Resolves once listening; rejects with the listen error
 *   (e.g. code EADDRINUSE) so callers can report a taken port.
 */
export function startDemoOrigin({
  name,
  port,
  host = "127.0.0.1",
  debug = Boolean(process.env["DEBUG"]),
  delayMs = 0,
  errorRate = 0,
}) {
  const greeting = `hello from the ${name.toUpperCase()} origin (${VERSIONS[name] ?? "v?"})`;

  const server = http.createServer((req, res) => {
    const cohort = req.headers["x-gray-cohort"];
    if (debug) {
      console.log(`[origin:${name}] ${req.method} ${req.url} cohort=${String(cohort ?? "-")}`);
    }
    res.setHeader("X-Demo-Origin", name);
    res.setHeader("Cache-Control", "no-store");

    if (new URL(req.url ?? "/", "http://origin").pathname === "/stream") {
      void stream(res, name);
      return;
    }

    // Read (and count) the request body before answering, so proxied POSTs complete cleanly
    // and their size can be checked end to end.
    let bodyBytes = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => (bodyBytes += chunk.length));
    req.on("end", async () => {
      if (delayMs > 0) {
        await sleep(logNormal(delayMs));
      }
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      if (Math.random() < errorRate) {
        res.statusCode = 500;
        res.end(`${greeting}: failing on purpose (demo)\n`);
        return;
      }
      res.end(
        `${greeting}\n` +
          `method: ${req.method}\n` +
          `path: ${req.url}\n` +
          `x-gray-cohort: ${String(cohort ?? "(none)")}\n` +
          (bodyBytes > 0 ? `body: ${bodyBytes} bytes\n` : ""),
      );
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/**
 * Send STREAM_EVENTS server-sent events, STREAM_INTERVAL_MS apart; stop early if the client goes away.
 * @param {http.ServerResponse} res
 * @param {string} name
 */
async function stream(res, name) {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  res.flushHeaders(); // let the client see the 200 before the first event
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  try {
    for (let n = 1; n <= STREAM_EVENTS; n++) {
      res.write(`id: ${n}\ndata: ${name} event ${n}/${STREAM_EVENTS}\n\n`);
      if (n < STREAM_EVENTS) {
        await sleep(STREAM_INTERVAL_MS, undefined, { signal: gone.signal });
      }
    }
    res.end();
  } catch {
    // Aborted: the client disconnected (or the server is shutting down); nothing left to send.
  }
}

/**
 * A log-normal delay with the given median and σ 0.5: most requests near the
 * median, a tail of slow ones, as real services have.
 * @param {number} median
 */
function logNormal(median) {
  const u = 1 - Math.random();
  const v = Math.random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(0.5 * normal);
}

/**
 * Close a server now, including idle keep-alive and in-flight (e.g. streaming) connections,
 * which a plain server.close() would wait for.
 * @param {http.Server} server
 * @returns {Promise<void>}
 */
export function stopDemoOrigin(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Parse a TCP port number, or return undefined if `value` is not one.
 * @param {string | undefined} value
 * @returns {number | undefined}
 */
export function parsePort(value) {
  const port = Number(value);
  return /^\d+$/.test(value ?? "") && port >= 1 && port <= 65535 ? port : undefined;
}

// Standalone mode: node scripts/demo-origin.mjs <name> <port>
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, portArg] = process.argv.slice(2);
  const port = parsePort(portArg);
  if (!name || port === undefined) {
    console.error("usage: node scripts/demo-origin.mjs <stable|canary> <port>");
    process.exit(2);
  }
  try {
    const server = await startDemoOrigin({ name, port });
    console.log(`${name} origin listening on http://127.0.0.1:${port} (Ctrl-C to stop)`);
    const stop = () => void stopDemoOrigin(server).then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    console.error(code === "EADDRINUSE" ? `port ${port} is already in use` : String(err));
    process.exit(1);
  }
}
