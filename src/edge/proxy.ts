/**
 * The origin fetch: forwards a request upstream with a timeout to response
 * headers, and relays the response body while watching it finish.
 */

/** What came back from the origin. */
export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response; readonly ttfbMs: number }
  | {
      readonly kind: "error";
      readonly outcome: "origin_error" | "timeout" | "client_abort";
      readonly detail: string;
      readonly ttfbMs: number;
    };

/**
 * Sends the request upstream. Redirects are returned, not followed; the body
 * streams through untouched. Resolves (never rejects) with the response or
 * with why there is none: a network error, no response headers within
 * `timeoutMs`, or a chunked upload that broke off on the client's side. The
 * response body is not covered by this timeout (see `relayBody`).
 */
export async function forward(
  url: string,
  init: { method: string; headers: Headers; body: ReadableStream | ArrayBuffer | null },
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<ForwardResult> {
  const started = now();
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  // A chunked upload that breaks on the client's side must be aborted, not
  // ended: the runtime would finish it cleanly and the origin would take the
  // bytes so far for the whole body. (With a Content-Length the origin can
  // see the body is short, and the length is kept by not wrapping it.)
  let bodyBroke = false;
  const body =
    init.body instanceof ReadableStream && declaredLength(init.headers) === undefined
      ? watchBody(init.body, () => {
          bodyBroke = true;
          abort.abort();
        })
      : init.body;
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body,
      redirect: "manual",
      signal: abort.signal,
      // Keep the origin's encoded bytes: no decompression here and no
      // re-compression on the way out (see `encodeBody` in src/routes/proxy.ts).
      encodeResponseBody: "manual",
    });
    return { kind: "response", response, ttfbMs: now() - started };
  } catch (error) {
    const ttfbMs = now() - started;
    if (bodyBroke) {
      return {
        kind: "error",
        outcome: "client_abort",
        detail: "the request body broke off",
        ttfbMs,
      };
    }
    if (timedOut) {
      return {
        kind: "error",
        outcome: "timeout",
        detail: `no response within ${timeoutMs} ms`,
        ttfbMs,
      };
    }
    return { kind: "error", outcome: "origin_error", detail: describe(error), ttfbMs };
  } finally {
    clearTimeout(timer);
  }
}

/** How a relayed body ended, reported once. */
export interface BodyEnd {
  readonly outcome: "ok" | "stream_error" | "client_abort";
  readonly bytes: number;
}

/**
 * Relays a response body and calls `onEnd` exactly once: when the body has
 * been passed on whole, when it broke (origin error), or when the client went
 * away. Chunks pass one at a time as they arrive (no read-ahead), so
 * server-sent events and token streams reach the client as they are produced
 * and nothing is held in memory. `done` settles after `onEnd` ran: hand it to
 * `waitUntil`.
 *
 * A body of known length is written into a native `FixedLengthStream`, which
 * the runtime sends by itself: the client gets Content-Length, and a body that
 * ends short errors out instead of looking whole. JS only moves each chunk
 * across (one read, one write) and tells from which call failed who ended the
 * body. workerd notices a cancelled FixedLengthStream only at its next write,
 * so a read that waits on a silent origin gives up after `idleMs`: such a body
 * is broken anyway. A body without a length (an event stream, where silence is
 * normal) goes through a JS stream instead, whose `cancel` tells at once that
 * the client left; it may idle freely.
 */
export function relayBody(
  source: ReadableStream<Uint8Array>,
  onEnd: (end: BodyEnd) => void,
  contentLength?: number,
  idleMs = 30_000,
): { readonly body: ReadableStream<Uint8Array>; readonly done: Promise<void> } {
  if (contentLength === undefined) {
    return relayStream(source, onEnd);
  }
  const fixed = new FixedLengthStream(contentLength);
  const done = pump(source.getReader(), fixed.writable.getWriter(), idleMs).then(onEnd);
  return { body: fixed.readable, done };
}

/** Moves chunks from the origin into a native stream; which call failed tells how the body ended. */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  writer: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>,
  idleMs: number,
): Promise<BodyEnd> {
  let bytes = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await readWithin(reader, idleMs);
    } catch (error) {
      // The origin's body broke or went silent: cut the client's response off as well.
      await writer.abort(error).catch(() => undefined);
      return { outcome: "stream_error", bytes };
    }
    if (chunk.done) {
      // Rejects if fewer bytes came than the origin declared.
      const whole = await writer.close().then(
        () => true,
        () => false,
      );
      return { outcome: whole ? "ok" : "stream_error", bytes };
    }
    try {
      // Resolves once the client side has taken the chunk.
      await writer.write(chunk.value);
    } catch (error) {
      // Only the client side can fail a write into our own pipe: it went away.
      await reader.cancel(error).catch(() => undefined);
      return { outcome: "client_abort", bytes };
    }
    bytes += chunk.value.byteLength;
  }
}

/** A body without a length: relayed through a JS stream pulled one chunk at a time. */
function relayStream(
  source: ReadableStream<Uint8Array>,
  onEnd: (end: BodyEnd) => void,
): { readonly body: ReadableStream<Uint8Array>; readonly done: Promise<void> } {
  const reader = source.getReader();
  let bytes = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let ended = false;
  const end = (outcome: BodyEnd["outcome"]): void => {
    if (!ended) {
      ended = true;
      onEnd({ outcome, bytes });
      finish();
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          end("stream_error");
          controller.error(error);
          return;
        }
        if (chunk.done) {
          end("ok");
          controller.close();
          return;
        }
        bytes += chunk.value.byteLength;
        controller.enqueue(chunk.value);
      },
      async cancel(reason) {
        end("client_abort");
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, done };
}

/** The body length declared, if it is a plain non-negative integer and no Transfer-Encoding overrides it. */
export function declaredLength(headers: Headers): number | undefined {
  // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length.
  if (headers.has("transfer-encoding")) {
    return undefined;
  }
  const value = headers.get("content-length");
  if (value === null || !/^\d{1,15}$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // One line, and short: this goes into a plain-text client response.
  return text.replace(/\s+/g, " ").slice(0, 200);
}

/** The next chunk, or a rejection (the source cancelled) after `ms` without one. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the origin sent nothing for ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } catch (error) {
    reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Passes a request body on, calling `onError` before its error reaches the fetch. */
function watchBody(
  source: ReadableStream<Uint8Array>,
  onError: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            controller.close();
          } else {
            controller.enqueue(chunk.value);
          }
        } catch (error) {
          onError();
          controller.error(error);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
