/**
 * Talking to a metrics service that answers like the Analytics Engine SQL
 * API (docs/metrics.md): POST a query, get `{meta, data, rows}` JSON (read
 * by answer.ts).
 * Shared by the SQL API sources (production) and the local collector's
 * sources, so timeouts, error messages and the answer's validation are the
 * same whichever answers.
 */

import * as v from "valibot";
import type { FetchLike } from "./fetch";
import { excerpt } from "./answer";
import { MetricsError } from "./metrics-error";

/** One POST: where, with what, and how long to wait for the whole answer. */
export interface PostOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  /** The service's name in messages: "SQL API", "local collector". */
  readonly service: string;
}

/**
 * POSTs and returns the body text of a 2xx answer. Rejects with a
 * MetricsError (`http`, `timeout`, `network`), never with anything else; the
 * body is read under the same timer, so a server that stalls mid-body is a
 * timeout too.
 */
export async function postQuery(options: PostOptions): Promise<string> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const response = await options.fetch(options.url, {
      method: "POST",
      headers: options.headers,
      body: options.body,
      signal: controller.signal,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new MetricsError(
        "http",
        `${options.service} answered ${response.status}: ${errorMessage(text)}`,
        response.status,
      );
    }
    return text;
  } catch (error) {
    if (error instanceof MetricsError) {
      throw error;
    }
    if (timedOut) {
      throw new MetricsError(
        "timeout",
        `${options.service} did not answer within ${options.timeoutMs} ms`,
      );
    }
    throw new MetricsError(
      "network",
      `${options.service} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

const errorEnvelope = v.object({
  errors: v.array(v.object({ message: v.string() })),
});

/**
 * The error's message: the SQL service answers in plain text, the API
 * gateway (authentication) in Cloudflare's `{errors: [{message}]}` envelope.
 */
function errorMessage(body: string): string {
  try {
    const parsed = v.safeParse(errorEnvelope, JSON.parse(body));
    if (parsed.success && parsed.output.errors.length > 0) {
      return excerpt(parsed.output.errors.map((e) => e.message).join("; "));
    }
  } catch {
    // Not JSON: the plain-text form.
  }
  return excerpt(body);
}
