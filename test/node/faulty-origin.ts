import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { Server, Socket } from "node:net";
import { patternChunks } from "../reliability/pattern";

/**
 * An origin that misbehaves on command, for the reliability and hostile
 * tests. Run in Node by the vitest global setup. Behaviour is chosen by path
 * (any prefix is ignored, so a rollout's base path can sit in front):
 *
 * - `.../bytes?n=N[&chunked=1]`: N pattern bytes (test/reliability/pattern.ts),
 *   with Content-Length unless `chunked=1`
 * - `.../reset?bytes=N[&length=L]`: headers (Content-Length L, else chunked),
 *   N pattern bytes, then a TCP RST
 * - `.../fin?bytes=N[&length=L]`: the same, then a clean FIN (for chunked: no
 *   terminating chunk)
 * - `.../silence?bytes=N[&length=L]`: headers and N bytes, then nothing, ever
 *   (the socket is closed at teardown)
 * - `.../hang`: reads the request and never answers
 * - `.../trickle?n=N&gap=MS[&length=1]`: N pattern bytes, one every MS ms
 * - `.../longer?declared=D&actual=A`: raw response declaring Content-Length D
 *   and sending A > D pattern bytes, then closing
 * - `.../shorter?declared=D&actual=A&then=fin|rst|hang`: declares D, sends
 *   A < D bytes, then closes, resets or goes silent
 * - `.../raw/<case>`: one of the raw byte sequences in `RAW` (invalid status
 *   lines and other malformed responses), then the socket is closed
 * - `.../early/<status>`: answers at once without reading the request body
 * - `.../consume-then-reset?after=N`: reads N request body bytes, then RST
 * - anything else: a JSON echo like test/node/origin-server.ts (origin
 *   "faulty"), with the request body's length and SHA-256
 *
 * Request headers up to 256 KiB are accepted (Node's default is 16 KiB), and
 * parsed leniently, so the tests can see oversized or odd headers arrive.
 */
export interface FaultyOrigin {
  readonly port: number;
  /** Destroys every open socket (hanging ones included), then closes the server. */
  close(): Promise<void>;
}

/** Raw responses: what a broken or hostile HTTP/1.1 server might write. */
export const RAW: Readonly<Record<string, string>> = {
  "bad-status-text": "HTTP/1.1 abc\r\n\r\n",
  "bad-status-code": "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok",
  "status-999": "HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nok",
  "status-600": "HTTP/1.1 600 Weird\r\nContent-Length: 2\r\n\r\nok",
  "status-99": "HTTP/1.1 99 Weird\r\nContent-Length: 2\r\n\r\nok",
  garbage: "garbage\r\n\r\n",
  "not-http": "SSH-2.0-OpenSSH_9.6\r\n",
  empty: "",
  "http-0.9": "hello",
  "no-blank-line": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n",
  "header-without-colon": "HTTP/1.1 200 OK\r\nContent-Length 2\r\nX-Bad\r\n\r\nok",
  "bad-content-length": "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nok",
  "negative-content-length": "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
  "conflicting-content-length":
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!",
  "content-length-and-chunked":
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
  "bad-chunk-size": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
  "nul-in-header": "HTTP/1.1 200 OK\r\nX-Bad: a\u0000b\r\nContent-Length: 2\r\n\r\nok",
  "bare-lf": "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
  "switching-protocols":
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
  "no-content-with-body": "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
  "close-delimited": "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
  "http-1.0": "HTTP/1.0 200 OK\r\n\r\nold school",
  "huge-header": `HTTP/1.1 200 OK\r\nX-Huge: ${"h".repeat(256 * 1024)}\r\nContent-Length: 2\r\n\r\nok`,
  "informational-then-final":
    "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One raw origin per RAW case: case name -> port, and how to close them all. */
export interface RawOrigins {
  readonly ports: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A plain TCP server per RAW case that reads a request head, writes that
 * case's bytes and closes. A port of its own per case keeps each case on a
 * connection of its own: after a case that looks like a complete keep-alive
 * response, the runtime would otherwise send the next case's request on the
 * connection this server is closing, and fail it (a race, not a finding).
 */
export async function startRawOrigins(): Promise<RawOrigins> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const ports: Record<string, number> = {};
  for (const [name, raw] of Object.entries(RAW)) {
    const server = createTcpServer((socket) => {
      let head = "";
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      socket.on("data", (chunk: Buffer) => {
        head += chunk.toString("latin1");
        if (head.includes("\r\n\r\n")) {
          socket.removeAllListeners("data");
          socket.end(raw);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    ports[name] = typeof address === "object" && address !== null ? address.port : 0;
    servers.push(server);
  }
  return {
    ports,
    async close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}

export async function startFaultyOrigin(): Promise<FaultyOrigin> {
  const sockets = new Set<Socket>();
  // Lenient parsing (insecureHTTPParser): header values with control
  // characters are echoed as they arrived, not refused with a 400.
  const server = createServer(
    { maxHeaderSize: 256 * 1024, requestTimeout: 0, insecureHTTPParser: true },
    (req, res) => {
      handle(req, res).catch(() => {
        req.socket.destroy();
      });
    },
  );
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // A reset from the other side is part of the game, not a crash.
    socket.on("error", () => socket.destroy());
  });
  server.on("clientError", (_error, socket) => {
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("faulty origin is not listening on TCP");
  }
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function number(url: URL, name: string, fallback: number): number {
  const value = Number(url.searchParams.get(name) ?? String(fallback));
  return Number.isFinite(value) ? value : fallback;
}

/** Writes the pattern's first `n` bytes, waiting for the socket to drain. */
async function writePattern(
  write: (chunk: Uint8Array) => boolean,
  wait: () => Promise<void>,
  n: number,
): Promise<void> {
  for (const chunk of patternChunks(n)) {
    if (!write(chunk)) {
      await wait();
    }
  }
}

/** Writes to a raw socket, waiting for it to drain. */
async function rawPattern(socket: Socket, n: number): Promise<void> {
  await writePattern(
    (chunk) => socket.write(chunk),
    () => new Promise((r) => socket.once("drain", r)),
    n,
  );
}

/** Lets Node flush what was written before the socket is torn down. */
const flush = (): Promise<void> => sleep(30);

async function drain(req: IncomingMessage): Promise<void> {
  for await (const chunk of req) {
    void chunk;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://origin.invalid");
  const segments = url.pathname.split("/");
  const last = segments.at(-1) ?? "";
  const parent = segments.at(-2) ?? "";
  const socket = req.socket;

  if (parent === "raw") {
    await drain(req);
    const raw = RAW[last];
    if (raw === undefined) {
      res.writeHead(404).end(`no raw case ${last}`);
      return;
    }
    socket.write(raw);
    await flush();
    socket.end();
    return;
  }
  if (parent === "early") {
    // Answer before the body is read; Node discards or resets the rest.
    res.writeHead(Number(last), { "Content-Type": "text/plain", Connection: "close" });
    res.end(`early ${last}`);
    return;
  }
  switch (last) {
    case "bytes": {
      await drain(req);
      const n = number(url, "n", 0);
      const chunked = url.searchParams.get("chunked") === "1";
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        ...(chunked ? {} : { "Content-Length": String(n) }),
      });
      await writePattern(
        (chunk) => res.write(chunk),
        () => new Promise((r) => res.once("drain", r)),
        n,
      );
      res.end();
      return;
    }
    case "reset":
    case "fin":
    case "silence": {
      await drain(req);
      const length = url.searchParams.get("length");
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        ...(length === null ? {} : { "Content-Length": length }),
      });
      res.flushHeaders();
      const bytes = number(url, "bytes", 0);
      if (bytes > 0) {
        await writePattern(
          (chunk) => res.write(chunk),
          () => new Promise((r) => res.once("drain", r)),
          bytes,
        );
      }
      await flush();
      if (last === "reset") {
        socket.resetAndDestroy();
      } else if (last === "fin") {
        socket.end();
      }
      // "silence": nothing more, until teardown destroys the socket.
      return;
    }
    case "hang": {
      await drain(req);
      return;
    }
    case "trickle": {
      await drain(req);
      const n = number(url, "n", 10);
      const gap = number(url, "gap", 20);
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        ...(url.searchParams.get("length") === "1" ? { "Content-Length": String(n) } : {}),
      });
      res.flushHeaders();
      for (const chunk of patternChunks(n)) {
        for (const byte of chunk) {
          await sleep(gap);
          if (socket.destroyed) {
            return;
          }
          res.write(Uint8Array.of(byte));
        }
      }
      res.end();
      return;
    }
    case "longer":
    case "shorter": {
      await drain(req);
      const declared = number(url, "declared", 100);
      const actual = number(url, "actual", last === "longer" ? 150 : 50);
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${declared}\r\n\r\n`,
      );
      await rawPattern(socket, actual);
      await flush();
      const then = url.searchParams.get("then") ?? "fin";
      if (then === "rst") {
        socket.resetAndDestroy();
      } else if (then === "fin") {
        socket.end();
      }
      return;
    }
    case "consume-then-reset": {
      const after = number(url, "after", 1024 * 1024);
      let seen = 0;
      for await (const chunk of req) {
        seen += Buffer.isBuffer(chunk) ? chunk.length : 0;
        if (seen >= after) {
          socket.resetAndDestroy();
          return;
        }
      }
      res.writeHead(200).end(`only ${seen} bytes arrived`);
      return;
    }
    default:
      await echo(req, res);
  }
}

async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    hash.update(buf);
    length += buf.length;
  }
  res.writeHead(200, { "Content-Type": "application/json", "X-Origin-Name": "faulty" });
  res.end(
    JSON.stringify({
      origin: "faulty",
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: length,
      bodySha256: hash.digest("hex"),
    }),
  );
}
