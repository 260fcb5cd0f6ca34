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
 * with why there is none: a network error, or no response headers within
 * `timeoutMs` (the body itself may then take as long as it needs).
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
      // re-compression on the way out (see `encodeBody` in app.ts).
      encodeResponseBody: "manual",
    });
    return { kind: "response", response, ttfbMs: now() - started };
  } catch (error) {
    const ttfbMs = now() - started;
    if (bodyBroke) {
      return { kind: "error", outcome: "client_abort", detail: "the request body broke off", ttfbMs };
    }
    if (timedOut) {
      return { kind: "error", outcome: "timeout", detail: `no response within ${timeoutMs} ms`, ttfbMs };
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
 * Wraps a response body so that `onEnd` is called exactly once: when the body
 * has been passed on whole, when it broke (origin error), or when the client
 * cancelled it. Chunks are passed on as they arrive, one at a time (no
 * read-ahead: `highWaterMark` 0), so server-sent events and token streams
 * reach the client as they are produced and nothing is held in memory.
 * `done` settles after `onEnd` ran: hand it to `waitUntil`.
 */
export function relayBody(
  source: ReadableStream<Uint8Array>,
  onEnd: (end: BodyEnd) => void,
  contentLength?: number,
  idleMs = 30_000,
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
          chunk = contentLength === undefined ? await reader.read() : await readWithin(reader, idleMs);
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
  if (contentLength === undefined) {
    return { body, done };
  }
  // A known length is kept: the client gets Content-Length instead of chunked
  // encoding, and a body that ends short errors out instead of looking whole.
  // The pipe below does not see the client cancel while it waits on a silent
  // origin (workerd notices a cancelled FixedLengthStream only at its next
  // write), so such a body is given up after `idleMs` without a byte: it is
  // broken anyway. Bodies without a length (event streams) may idle freely.
  const fixed = new FixedLengthStream(contentLength);
  body.pipeTo(fixed.writable).catch(() => undefined);
  return { body: fixed.readable, done };
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
function watchBody(source: ReadableStream<Uint8Array>, onError: () => void): ReadableStream<Uint8Array> {
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
