import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/**
 * A real HTTP origin for integration tests, run in Node by the vitest global
 * setup. Behaviour is chosen by path so tests need no extra control channel:
 *
 * - `/status/<code>`: that status, body "status <code>"
 * - `/redirect`: 302 to `/elsewhere` (never to be followed by the router)
 * - `/cacheable`: `Cache-Control: public, max-age=60, s-maxage=600`, `Vary: Accept-Encoding`
 * - `/cookies`: three separate Set-Cookie headers
 * - `/stream?chunks=N&gap=MS`: N chunks MS apart (text/event-stream)
 * - `/slow?ms=MS`: response headers only after MS
 * - `/gzip`: a gzip-encoded body with Content-Encoding and Content-Length
 * - `/short`: declares Content-Length 1000, sends 500 bytes, drops the connection
 * - `/bytes?n=N`: N deterministic bytes (byte i = i mod 251) with Content-Length
 * - `/respond?h=Name:Value&h=...`: 200 "respond" with those response headers (status `status=N`)
 * - anything else: JSON echo of what arrived (method, url, headers, body
 *   length and SHA-256), so tests can check fidelity without trusting the router
 */
export function startOrigin(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    handle(name, req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on("upgrade", (req, socket) => {
    // Minimal RFC 6455 handshake: enough to prove the router passes upgrades.
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") {
      socket.destroy();
      return;
    }
    const accept = createHash("sha1")
      .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\nX-Origin-Name: ${name}\r\n\r\n`,
    );
    // One unmasked text frame from the server, then leave the socket open.
    const text = Buffer.from(`hello from ${name} via ${String(req.headers["x-gray-cohort"])}`);
    socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The port a started server listens on. */
export function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("server is not listening on TCP");
  }
  return address.port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function handle(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://origin.invalid");
  const path = url.pathname;
  res.setHeader("X-Origin-Name", name);

  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status?.[1] !== undefined) {
    await drain(req);
    res.writeHead(Number(status[1]), { "Content-Type": "text/plain" });
    res.end(`status ${status[1]}`);
    return;
  }
  if (path === "/respond") {
    await drain(req);
    for (const pair of url.searchParams.getAll("h")) {
      const colon = pair.indexOf(":");
      res.appendHeader(pair.slice(0, colon), pair.slice(colon + 1));
    }
    res.writeHead(Number(url.searchParams.get("status") ?? "200"));
    res.end("respond");
    return;
  }
  if (path === "/redirect") {
    await drain(req);
    res.writeHead(302, { Location: "/elsewhere" });
    res.end();
    return;
  }
  if (path === "/cacheable") {
    await drain(req);
    res.writeHead(200, {
      "Cache-Control": "public, max-age=60, s-maxage=600",
      Vary: "Accept-Encoding",
    });
    res.end("cacheable");
    return;
  }
  if (path === "/cookies") {
    await drain(req);
    res.setHeader("Set-Cookie", ["a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3; Path=/x"]);
    res.end("cookies");
    return;
  }
  if (path === "/stream") {
    const chunks = Number(url.searchParams.get("chunks") ?? "3");
    const gap = Number(url.searchParams.get("gap") ?? "100");
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    for (let i = 0; i < chunks; i++) {
      res.write(`data: ${i} ${Date.now()}\n\n`);
      await sleep(gap);
    }
    res.end();
    return;
  }
  if (path === "/gzip") {
    // A compressed body: must reach the client byte-exact, still compressed.
    const payload = gzipSync(Buffer.from("compressed hello ".repeat(100)));
    res.writeHead(200, {
      "Content-Type": "text/plain",
      "Content-Encoding": "gzip",
      "Content-Length": String(payload.length),
    });
    res.end(payload);
    return;
  }
  if (path === "/short") {
    // Promises 1000 bytes, sends 500, then drops the connection.
    res.writeHead(200, { "Content-Length": "1000" });
    res.write(Buffer.alloc(500, 1));
    setTimeout(() => res.destroy(), 50);
    return;
  }
  if (path === "/slow") {
    await sleep(Number(url.searchParams.get("ms") ?? "1000"));
    res.end("slow");
    return;
  }
  if (path === "/bytes") {
    const n = Number(url.searchParams.get("n") ?? "0");
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(n) });
    const block = Buffer.alloc(64 * 1024);
    for (let sent = 0; sent < n; sent += block.length) {
      const size = Math.min(block.length, n - sent);
      for (let i = 0; i < size; i++) {
        block[i] = (sent + i) % 251;
      }
      if (!res.write(block.subarray(0, size))) {
        await new Promise((r) => res.once("drain", r));
      }
    }
    res.end();
    return;
  }
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of req) {
    const buf = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    hash.update(buf);
    length += buf.length;
  }
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(
    JSON.stringify({
      origin: name,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: length,
      bodySha256: hash.digest("hex"),
    }),
  );
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const chunk of req) {
    void chunk;
  }
}
