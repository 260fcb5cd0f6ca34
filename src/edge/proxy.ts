/**
 * The origin fetch: forwards a request upstream with a timeout to response
 * headers, and relays the response body while watching it finish.
 */

/** What came back from the origin. */
export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response; readonly ttfbMs: number }
  | {
      readonly kind: "error";
      readonly outcome: "origin_error" | "timeout";
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
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: "manual",
      signal: abort.signal,
      // Keep the origin's encoded bytes: no decompression here and no
      // re-compression on the way out (see `encodeBody` in app.ts).
      encodeResponseBody: "manual",
    });
    return { kind: "response", response, ttfbMs: now() - started };
  } catch (error) {
    const ttfbMs = now() - started;
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
  if (contentLength === undefined) {
    return { body, done };
  }
  // A known length is kept: the client gets Content-Length instead of chunked
  // encoding, and a body that ends short errors out instead of looking whole.
  const fixed = new FixedLengthStream(contentLength);
  body.pipeTo(fixed.writable).catch(() => undefined);
  return { body: fixed.readable, done };
}

/** The body length the origin declared, if it is a plain non-negative integer. */
export function declaredLength(headers: Headers): number | undefined {
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
