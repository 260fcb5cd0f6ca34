import { waitOnExecutionContext } from "cloudflare:test";
import { expect, inject } from "vitest";
import { BLOB_FIELDS, DOUBLE_FIELDS } from "../../src/core/metrics";
import type { RecordingDataset } from "../support/harness";
import { hex, PATTERN_BLOCK, patternChunk } from "./pattern";
import { concatBytes } from "../support/bytes";

export { MemoryKv } from "../support/memory-kv";

/** Base URL of the faulty origin (test/node/faulty-origin.ts). */
export function faultyOrigin(): string {
  return `http://127.0.0.1:${inject("faultyPort")}`;
}

/** A rollout document sending everyone to one origin. */
export function onlyStable(origin: string): string {
  return JSON.stringify({ origins: { stable: origin }, weights: { stable: 100 } });
}

/** `waitOnExecutionContext`, but gives up after `ms` (a hung waitUntil must fail the test, not hang it). */
export async function settle(ctx: ExecutionContext, ms = 3_000): Promise<"settled" | "pending"> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([
      waitOnExecutionContext(ctx).then(() => "settled" as const),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a client saw when it read a response body. */
export type BodyRead =
  | { readonly kind: "complete"; readonly bytes: Uint8Array }
  /** The read rejected after `bytes` arrived. */
  | { readonly kind: "error"; readonly bytes: Uint8Array; readonly error: string }
  /** Nothing arrived for `idleMs`; the reader was cancelled. */
  | { readonly kind: "stalled"; readonly bytes: Uint8Array };

/**
 * Reads a whole (small) body, recording whether it completed, broke or
 * stalled. A stalled body is cancelled, as a client giving up would.
 */
export async function readBody(response: Response, idleMs = 1_000): Promise<BodyRead> {
  if (response.body === null) {
    return { kind: "complete", bytes: new Uint8Array(0) };
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  const joined = (): Uint8Array => concatBytes(chunks);
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const idle = new Promise<"idle">((resolve) => {
      timer = setTimeout(() => resolve("idle"), idleMs);
    });
    let next: ReadableStreamReadResult<Uint8Array> | "idle";
    try {
      next = await Promise.race([reader.read(), idle]);
    } catch (error) {
      return { kind: "error", bytes: joined(), error: String(error) };
    } finally {
      clearTimeout(timer);
    }
    if (next === "idle") {
      await reader.cancel("client gave up").catch(() => undefined);
      return { kind: "stalled", bytes: joined() };
    }
    if (next.done) {
      return { kind: "complete", bytes: joined() };
    }
    chunks.push(next.value);
  }
}

/** The fields these tests read from each data point. */
interface PointView {
  cohort: string;
  outcome: string;
  configState: string;
  revision: string;
  status: number;
  ttfbMs: number;
  durationMs: number;
  bytes: number;
}

/** The data points written so far, by field name: positions come from the column map. */
export function points(dataset: RecordingDataset): PointView[] {
  const blob = (p: AnalyticsEngineDataPoint, field: (typeof BLOB_FIELDS)[number]): string =>
    String(p.blobs?.[BLOB_FIELDS.indexOf(field)] ?? "");
  const double = (p: AnalyticsEngineDataPoint, field: (typeof DOUBLE_FIELDS)[number]): number =>
    Number(p.doubles?.[DOUBLE_FIELDS.indexOf(field)] ?? Number.NaN);
  return dataset.points.map((p) => ({
    cohort: blob(p, "cohort"),
    outcome: blob(p, "outcome"),
    revision: blob(p, "revision"),
    configState: blob(p, "configState"),
    status: double(p, "status"),
    ttfbMs: double(p, "ttfbMs"),
    durationMs: double(p, "durationMs"),
    bytes: double(p, "bytes"),
  }));
}

/**
 * Checks an answer the router wrote itself (502/503/504): plain text, not
 * cacheable, one line starting "gray-router: ", and nothing internal in it
 * (no stack frame, no origin address).
 */
export function expectRouterAnswer(
  response: Response,
  body: string,
  status: 502 | 503 | 504,
  originHost?: string,
): void {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(body).toMatch(/^gray-router: \S/);
  expect(body).not.toMatch(/[\r\n]/);
  expect(body).not.toMatch(/\bat .*:\d+:\d+/);
  expect(body).not.toMatch(/internal error/);
  if (originHost !== undefined) {
    expect(body).not.toContain(originHost);
  }
}

/**
 * The data point agrees with what the client saw: a complete body is
 * `ok` with every byte counted (and a Content-Length, if sent, equal to
 * it); a body that broke is `stream_error`; a stalled one the client gave
 * up on is `client_abort`.
 */
export function expectPointAgrees(
  response: Response,
  read: BodyRead,
  point: ReturnType<typeof points>[number] | undefined,
): void {
  expect(point).toBeDefined();
  if (point === undefined) {
    return;
  }
  if (read.kind === "complete") {
    expect(point.outcome).toBe("ok");
    expect(point.status).toBe(response.status);
    expect(point.bytes).toBe(read.bytes.byteLength);
    const declared = response.headers.get("Content-Length");
    // 204 and 304 never have a body, whatever length the origin claimed (RFC 9110 §6.4.1).
    if (declared !== null && response.status !== 204 && response.status !== 304) {
      expect(Number(declared)).toBe(read.bytes.byteLength);
    }
  } else if (read.kind === "error") {
    expect(point.outcome).toBe("stream_error");
  } else {
    expect(point.outcome).toBe("client_abort");
  }
}

/** True if `bytes` are the pattern's bytes starting at `offset`. */
export function isPattern(bytes: Uint8Array, offset = 0): boolean {
  const expected = patternChunk(offset, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i++) {
    if (bytes[i] !== expected[i]) {
      return false;
    }
  }
  return true;
}

/** A request body of `total` pattern bytes, produced on demand; errors at `failAt` bytes if given. */
export function patternStream(total: number, failAt?: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (failAt !== undefined && offset >= failAt) {
          controller.error(new Error("the client's upload broke"));
          return;
        }
        if (offset >= total) {
          controller.close();
          return;
        }
        const size = Math.min(
          PATTERN_BLOCK,
          total - offset,
          failAt === undefined ? Infinity : failAt - offset,
        );
        controller.enqueue(patternChunk(offset, size));
        offset += size;
      },
    },
    { highWaterMark: 0 },
  );
}

/** SHA-256 (hex) and length of a stream, hashed as it flows (nothing held whole). */
export async function digestStream(
  stream: ReadableStream<Uint8Array>,
): Promise<{ length: number; sha256: string }> {
  const digest = new crypto.DigestStream("SHA-256");
  let length = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      length += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  await stream.pipeThrough(counter).pipeTo(digest);
  return { length, sha256: hex(await digest.digest) };
}

/** SHA-256 (hex) of the pattern's first `total` bytes, computed here, independently of any origin. */
export async function patternSha256(total: number): Promise<string> {
  return (await digestStream(patternStream(total))).sha256;
}
