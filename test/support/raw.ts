import { connect } from "cloudflare:sockets";
import * as v from "valibot";
import { inject } from "vitest";
import { concatBytes } from "./bytes";

/** A response as read off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Header lines, names lower-cased, in order. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/**
 * Sends one request, written byte for byte, to the router running in a real workerd
 * (test/node/raw-router.ts), and reads the whole response. `lines` are the request line
 * and header lines; `Connection: close` and `X-Raw-Tag: <tag>` (which files the data
 * points, see test/raw/worker.ts) are added.
 */
export async function rawRequest(
  lines: readonly string[],
  tag: string,
  body = "",
): Promise<RawResponse> {
  const socket = connect({ hostname: "127.0.0.1", port: inject("rawRouterPort") });
  const writer = socket.writable.getWriter();
  const head = [...lines, `X-Raw-Tag: ${tag}`, "Connection: close"].join("\r\n");
  await writer.write(new TextEncoder().encode(`${head}\r\n\r\n${body}`));
  const reader = socket.readable.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
  }
  await socket.close();
  return parseResponse(new TextDecoder().decode(concatBytes(chunks)));
}

const PointsSchema = v.array(
  v.object({
    rolloutKey: v.string(),
    cohort: v.string(),
    outcome: v.string(),
    host: v.string(),
    status: v.number(),
  }),
);

/** The data points the raw router recorded for requests tagged `tag`. */
export async function rawPoints(tag: string): Promise<v.InferOutput<typeof PointsSchema>> {
  const response = await fetch(`http://127.0.0.1:${inject("rawRouterPort")}/`, {
    headers: { "X-Raw-Control": "points", "X-Raw-Tag": tag },
  });
  return v.parse(PointsSchema, await response.json());
}

function parseResponse(text: string): RawResponse {
  const end = text.indexOf("\r\n\r\n");
  const [statusLine = "", ...headerLines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const rest = text.slice(end + 4);
  const chunked = headers.some(([n, value]) => n === "transfer-encoding" && value === "chunked");
  return { status, headers, body: chunked ? unchunk(rest) : rest };
}

function unchunk(text: string): string {
  let body = "";
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf("\r\n", at);
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) {
      return body;
    }
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
