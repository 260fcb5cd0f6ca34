/**
 * The origin fetch: forwards a request upstream under the request's watchdog (one timer,
 * see watchdog.ts) and says why there is no response when there is none.
 */
import type { Watchdog } from "./watchdog";

/** Why the origin gave no response. */
export type ForwardFailure = "origin_error" | "timeout" | "client_abort";

/** What came back from the origin. */
export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response; readonly ttfbMs: number }
  | {
      readonly kind: "error";
      readonly outcome: ForwardFailure;
      readonly detail: string;
      readonly ttfbMs: number;
    };

/** A request to send upstream. */
export interface Upstream {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | ArrayBuffer | null;
}

/**
 * Sends the request upstream. Redirects are returned, not followed; the body streams
 * through untouched. Resolves (never rejects) with the response or with why there is
 * none: a network error, the watchdog's time ran out before the response headers, or a
 * chunked upload broke off on the client's side. With a response the watchdog keeps
 * running (whoever relays the body stops it); without one it is stopped.
 */
export async function forward(
  upstream: Upstream,
  watchdog: Watchdog,
  now: () => number,
): Promise<ForwardResult> {
  const started = now();
  // A chunked upload that breaks on the client's side must be aborted, not ended: the
  // runtime would finish it cleanly and the origin would take the bytes so far for the
  // whole body. (With a Content-Length the origin can see the body is short, and the
  // length is kept by not wrapping it.)
  const upload =
    upstream.body instanceof ReadableStream && declaredLength(upstream.headers) === undefined
      ? new WatchedUpload(upstream.body)
      : undefined;
  try {
    const response = await watchdog.guard(
      fetch(upstream.url, {
        method: upstream.method,
        headers: upstream.headers,
        body: upload?.body ?? upstream.body,
        redirect: "manual",
        signal: upload?.controller.signal ?? null,
        // Keep the origin's encoded bytes: no decompression here and no re-compression on
        // the way out (see `encodeBody` in src/routes/respond.ts).
        encodeResponseBody: "manual",
      }),
    );
    // The response headers are progress: the body's silence is timed from here.
    watchdog.touch();
    return { kind: "response", response, ttfbMs: now() - started };
  } catch (error) {
    const ttfbMs = now() - started;
    watchdog.stop();
    if (upload?.broke === true) {
      return {
        kind: "error",
        outcome: "client_abort",
        detail: "the request body broke off",
        ttfbMs,
      };
    }
    if (watchdog.expired) {
      // Stop sending the upload too; a subrequest without one is dropped when the request ends.
      upload?.controller.abort();
      return {
        kind: "error",
        outcome: "timeout",
        detail: `no response within ${watchdog.ms} ms`,
        ttfbMs,
      };
    }
    return { kind: "error", outcome: "origin_error", detail: describe(error), ttfbMs };
  }
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

/** One line, and short: this goes into a plain-text client response. */
export function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").slice(0, 200);
}

/**
 * A chunked request body passed on chunk by chunk: when the client's stream breaks, the
 * origin's request is aborted before the error reaches the fetch, and `broke` says it was
 * the client.
 */
class WatchedUpload {
  readonly body: ReadableStream<Uint8Array>;
  /** Aborts the origin's request: its signal goes to the fetch. */
  readonly controller = new AbortController();
  broke = false;

  constructor(source: ReadableStream<Uint8Array>) {
    const reader = source.getReader();
    this.body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const chunk = await reader.read();
            if (chunk.done) {
              controller.close();
            } else {
              controller.enqueue(chunk.value);
            }
          } catch (error) {
            this.broke = true;
            this.controller.abort(error);
            controller.error(error);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }
}
