/**
 * The response body on its way to the client, watched so that the request's data point
 * can say how and when it ended.
 */
import type { Watchdog } from "./watchdog";

/** How a relayed body ended. */
export interface BodyEnd {
  readonly outcome: "ok" | "stream_error" | "client_abort";
  /** Body bytes passed to the client. */
  readonly bytes: number;
}

/** The body to give the client, and its end: known already, or when it comes. */
export interface Relayed {
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  readonly end: BodyEnd | Promise<BodyEnd>;
}

type Read = ReadableStreamReadResult<Uint8Array> | { readonly error: unknown };

/**
 * Relays an origin's response body. Chunks pass one at a time as they arrive (no
 * read-ahead), so server-sent events and token streams reach the client as they are
 * produced and nothing is held in memory beyond one chunk.
 *
 * - A body of known length: its first chunk is read before the response is sent. When
 *   that chunk is the whole body (a small page), it is answered in one piece and the
 *   body's end is known at once: no stream, no background work. Otherwise the chunks go
 *   into a native `FixedLengthStream`, which the runtime sends by itself: the client gets
 *   Content-Length, and a body that ends short errors out instead of looking whole. The
 *   watchdog gives the body up when the origin sends nothing for its timeout (workerd
 *   notices a client that left only at the next write, so a silent origin would otherwise
 *   hold the request forever; such a body is broken anyway).
 * - A body without a length (an event stream, where silence is normal) goes through a JS
 *   stream whose `cancel` tells at once that the client left; it may idle freely.
 *
 * The watchdog is stopped when the body has ended (or at once, for a body without a length).
 */
export async function relayBody(
  source: ReadableStream<Uint8Array>,
  length: number | undefined,
  watchdog: Watchdog,
): Promise<Relayed> {
  if (length === undefined) {
    watchdog.stop();
    return relayStream(source);
  }
  const reader = source.getReader();
  // A silent origin: the read is cancelled (and the body given up) when the time runs out.
  watchdog.onExpiry((reason) => {
    reader.cancel(reason).catch(() => undefined);
  });
  let first: Read;
  try {
    first = await reader.read();
  } catch (error) {
    first = { error };
  }
  const whole = wholeBody(first, length);
  if (whole !== undefined) {
    watchdog.stop();
    return { body: whole, end: { outcome: "ok", bytes: length } };
  }
  const fixed = new FixedLengthStream(length);
  const end = pump(first, reader, fixed.writable.getWriter(), watchdog);
  return { body: fixed.readable, end };
}

/** The whole body, if the first read brought all `length` bytes (or the body is empty). */
function wholeBody(first: Read, length: number): Uint8Array | undefined {
  if ("error" in first) {
    return undefined;
  }
  if (first.done) {
    return length === 0 ? new Uint8Array(0) : undefined;
  }
  return first.value.byteLength === length ? first.value : undefined;
}

/** The next chunk, or the error that ended the source. */
function read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Read> {
  return reader.read().catch(readError);
}

function readError(error: unknown): Read {
  return { error };
}

/**
 * Moves chunks from the origin into a native stream, `first` already read; which call
 * failed tells how the body ended.
 */
async function pump(
  first: Read,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  writer: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>,
  watchdog: Watchdog,
): Promise<BodyEnd> {
  let bytes = 0;
  let chunk = first;
  try {
    for (;;) {
      if ("error" in chunk) {
        // The origin's body broke or went silent: cut the client's response off as well.
        await writer.abort(chunk.error).catch(() => undefined);
        return { outcome: "stream_error", bytes };
      }
      if (chunk.done) {
        if (watchdog.expired) {
          // The read was cancelled because the origin went silent: the body is broken.
          await writer.abort(new Error("the origin went silent")).catch(() => undefined);
          return { outcome: "stream_error", bytes };
        }
        // Rejects if fewer bytes came than the origin declared.
        const whole = await writer.close().then(
          () => true,
          () => false,
        );
        return { outcome: whole ? "ok" : "stream_error", bytes };
      }
      watchdog.touch();
      try {
        // Resolves once the client side has taken the chunk.
        await writer.write(chunk.value);
      } catch (error) {
        // Only the client side can fail a write into our own pipe: it went away.
        await reader.cancel(error).catch(() => undefined);
        return { outcome: "client_abort", bytes };
      }
      bytes += chunk.value.byteLength;
      chunk = await read(reader);
    }
  } finally {
    watchdog.stop();
  }
}

/** A body without a length: relayed through a JS stream pulled one chunk at a time. */
function relayStream(source: ReadableStream<Uint8Array>): Relayed {
  const relay = new StreamRelay(source);
  return { body: relay.body, end: relay.end };
}

/** The JS stream of `relayStream`, and the promise of its end, settled exactly once. */
class StreamRelay {
  readonly body: ReadableStream<Uint8Array>;
  readonly end: Promise<BodyEnd>;
  private bytes = 0;
  private settle: (end: BodyEnd) => void = () => undefined;

  constructor(source: ReadableStream<Uint8Array>) {
    const reader = source.getReader();
    this.end = new Promise<BodyEnd>((resolve) => {
      this.settle = resolve;
    });
    this.body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await read(reader);
          if ("error" in chunk) {
            this.finish("stream_error");
            controller.error(chunk.error);
          } else if (chunk.done) {
            this.finish("ok");
            controller.close();
          } else {
            this.bytes += chunk.value.byteLength;
            controller.enqueue(chunk.value);
          }
        },
        cancel: async (reason) => {
          this.finish("client_abort");
          await reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private finish(outcome: BodyEnd["outcome"]): void {
    this.settle({ outcome, bytes: this.bytes });
    // Later calls are no-ops: a promise settles once.
    this.settle = () => undefined;
  }
}
