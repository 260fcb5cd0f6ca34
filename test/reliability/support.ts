import { waitOnExecutionContext } from "cloudflare:test";
import { expect, inject } from "vitest";
import type { KvReader } from "../../src/edge/rollout-store";
import type { RecordingDataset } from "../support/harness";
import { hex, PATTERN_BLOCK, patternChunk } from "./pattern";

/** Base URL of the faulty origin (test/node/faulty-origin.ts). */
export function faultyOrigin(): string {
  return `http://127.0.0.1:${inject("faultyPort")}`;
}

/** A rollout document sending everyone to one origin. */
export function onlyStable(origin: string): string {
  return JSON.stringify({ origins: { stable: origin }, weights: { stable: 100 } });
}

/**
 * An in-memory rollout namespace: documents change instantly and no other
 * test file's keys (such as `default`) can leak in. `reads` counts `get` calls.
 */
export class MemoryKv implements KvReader {
  readonly docs = new Map<string, string>();
  reads = 0;
  /** `throw`/`hang` make every read fail that way, `slow` delays it by `delayMs`. */
  mode: "ok" | "throw" | "hang" | "slow" = "ok";
  delayMs = 50;

  constructor(docs: Record<string, string> = {}) {
    for (const [key, text] of Object.entries(docs)) {
      this.docs.set(key, text);
    }
  }

  get(key: string): Promise<string | null> {
    this.reads++;
    if (this.mode === "throw") {
      return Promise.reject(new Error("KV is down"));
    }
    if (this.mode === "hang") {
      return new Promise<string | null>(() => undefined);
    }
    // Read at call time: a change made while the read is pending is not seen by it.
    const value = this.docs.get(key) ?? null;
    if (this.mode === "slow") {
      return new Promise((resolve) => setTimeout(() => resolve(value), this.delayMs));
    }
    return Promise.resolve(value);
  }
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
  const joined = (): Uint8Array => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  };
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

/** The data points written so far, by column name (see src/edge/metrics.ts). */
export function points(dataset: RecordingDataset): {
  cohort: string;
  outcome: string;
  configState: string;
  revision: string;
  status: number;
  ttfbMs: number;
  durationMs: number;
  bytes: number;
}[] {
  return dataset.points.map((p) => ({
    cohort: String(p.blobs?.[0] ?? ""),
    outcome: String(p.blobs?.[1] ?? ""),
    revision: String(p.blobs?.[4] ?? ""),
    configState: String(p.blobs?.[5] ?? ""),
    status: Number(p.doubles?.[0] ?? Number.NaN),
    ttfbMs: Number(p.doubles?.[1] ?? Number.NaN),
    durationMs: Number(p.doubles?.[2] ?? Number.NaN),
    bytes: Number(p.doubles?.[5] ?? Number.NaN),
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
