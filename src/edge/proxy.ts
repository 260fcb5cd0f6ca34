/**
 * The origin fetch: forwards a request upstream under the request's watchdog (one timer,
 * see watchdog.ts) and says why there is no response when there is none, telling the
 * client's faults from the origin's.
 */
import { Upload } from "./upload";
import type { Watchdog } from "./watchdog";

/** Why the origin gave no response: its failure, or the client's fault. */
export type ForwardFailure = "origin_error" | "timeout" | "client_abort" | "client_timeout";

/** Failures that are the client's: answered 400/408, never a cohort's failure, never replayed. */
export const CLIENT_FAULTS: ReadonlySet<string> = new Set([
  "client_abort",
  "client_timeout",
  "bad_request",
]);

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
 * through (see `Upload`). Resolves (never rejects) with the response or with why there
 * is none: a network error; the watchdog's time ran out before the response headers
 * (`client_timeout` if the upload was waiting for the client then, else `timeout`); or
 * the client broke its upload off (`client_abort`). With a response the watchdog keeps
 * running (whoever relays the body stops it); without one it is stopped.
 */
export async function forward(
  upstream: Upstream,
  watchdog: Watchdog,
  now: () => number,
): Promise<ForwardResult> {
  const started = now();
  const upload =
    upstream.body instanceof ReadableStream && declaredLength(upstream.headers) !== 0
      ? new Upload(upstream.body, declaredLength(upstream.headers), watchdog)
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
    if (upload?.state === "broke") {
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
      return upload?.state === "client"
        ? {
            kind: "error",
            outcome: "client_timeout",
            detail: `the request body stalled: nothing arrived for ${watchdog.ms} ms`,
            ttfbMs,
          }
        : {
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
