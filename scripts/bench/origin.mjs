// @ts-check
/**
 * The benchmark's origin: a fast node:http server that answers every request with a fixed
 * body, plus `/stream`, which sends its first chunk at once and the rest later (for the
 * time-to-first-byte probe).
 */
import { clearInterval, setInterval } from "node:timers";

/** Size of the fixed response body: a small HTML page. */
export const BODY_BYTES = 1024;
/** `/stream`: chunks after the first one, and the pause before each. */
export const STREAM_LATER_CHUNKS = 3;
export const STREAM_INTERVAL_MS = 20;

const BODY = Buffer.alloc(BODY_BYTES, "x");
BODY.write("<!doctype html><title>bench</title><p>");

/**
 * @param {import("node:http").ServerResponse} res
 */
function stream(res) {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store" });
  res.write("data: first\n\n");
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    if (sent >= STREAM_LATER_CHUNKS) {
      clearInterval(timer);
      res.end(`data: ${sent}\n\n`);
    } else {
      res.write(`data: ${sent}\n\n`);
    }
  }, STREAM_INTERVAL_MS);
  res.once("close", () => clearInterval(timer));
}

/**
 * The origin's request handler. Request bodies are read and dropped before answering.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 */
export function handleOrigin(req, res) {
  if (req.url === "/stream") {
    stream(res);
    return;
  }
  req.resume();
  req.once("end", () => {
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": String(BODY_BYTES),
      "Cache-Control": "no-store",
    });
    res.end(BODY);
  });
}
