/**
 * Workers KV through Cloudflare's REST API: read a value
 * (`GET .../storage/kv/namespaces/<id>/values/<key>`, the raw value), write
 * one (`PUT` with the raw value as the body), list keys (`GET .../keys`,
 * paged by `cursor`). Errors come in Cloudflare's v4 envelope
 * (`{success: false, errors: [{code, message}]}`) and become one line naming
 * what failed; 401/403 are credential errors.
 */

import * as v from "valibot";
import type { FetchLike } from "../control/fetch";
import { CliError, EXIT, RateLimited } from "./errors";
import type { CliKv } from "./kv";

/** A request that has not answered by then is abandoned. */
const TIMEOUT_MS = 15_000;
/** Cloudflare's error code for a missing key (a 404 that is not a missing namespace). */
const KEY_NOT_FOUND = 10009;

const envelope = v.object({
  success: v.boolean(),
  errors: v.array(v.object({ code: v.number(), message: v.string() })),
});

const listAnswer = v.object({
  success: v.literal(true),
  result: v.array(v.object({ name: v.string() })),
  result_info: v.optional(v.object({ cursor: v.optional(v.string()) })),
});

/** Settings of a RestKv. */
export interface RestKvOptions {
  readonly baseUrl: string;
  readonly accountId: string;
  readonly namespaceId: string;
  readonly apiToken: string;
  readonly fetch?: FetchLike;
}

/** The ROLLOUTS namespace over the REST API. */
export class RestKv implements CliKv {
  private readonly base: string;
  private readonly fetch: FetchLike;

  constructor(private readonly options: RestKvOptions) {
    this.base = `${options.baseUrl}/accounts/${encodeURIComponent(options.accountId)}/storage/kv/namespaces/${encodeURIComponent(options.namespaceId)}`;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** The value, or null when the key does not exist. */
  async get(key: string): Promise<string | null> {
    const { status, text } = await this.request(
      "GET",
      `/values/${encodeURIComponent(key)}`,
      `read of "${key}"`,
      null,
      [404],
    );
    if (status === 404) {
      const codes = errorCodes(text);
      if (codes.includes(KEY_NOT_FOUND) || codes.length === 0) {
        return null;
      }
      throw this.failure(status, text, `read of "${key}"`);
    }
    return text;
  }

  /** Writes the value. */
  async put(key: string, value: string): Promise<void> {
    await this.request("PUT", `/values/${encodeURIComponent(key)}`, `write of "${key}"`, value, []);
  }

  /** Every key, page by page. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    let cursor = "";
    do {
      const query = new URLSearchParams({ limit: "1000", ...(cursor === "" ? {} : { cursor }) });
      const { text } = await this.request(
        "GET",
        `/keys?${query.toString()}`,
        "list of keys",
        null,
        [],
      );
      const parsed = v.safeParse(listAnswer, safeJson(text));
      if (!parsed.success) {
        throw new CliError(
          EXIT.unavailable,
          "Cloudflare API: the list of keys is not in the documented form",
        );
      }
      names.push(...parsed.output.result.map((k) => k.name));
      cursor = parsed.output.result_info?.cursor ?? "";
    } while (cursor !== "");
    return names;
  }

  private async request(
    method: "GET" | "PUT",
    path: string,
    what: string,
    body: string | null,
    accepted: readonly number[],
  ): Promise<{ status: number; text: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await this.fetch(`${this.base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.options.apiToken}`,
          ...(body === null ? {} : { "Content-Type": "text/plain; charset=utf-8" }),
        },
        ...(body === null ? {} : { body }),
        signal: controller.signal,
      });
      const text = await response.text();
      if (!response.ok && !accepted.includes(response.status)) {
        throw this.failure(response.status, text, what);
      }
      return { status: response.status, text };
    } catch (error) {
      if (error instanceof CliError) {
        throw error;
      }
      const why = controller.signal.aborted
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new CliError(
        EXIT.unavailable,
        `Cloudflare API could not be reached (${this.options.baseUrl}): ${why}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private failure(status: number, text: string, what: string): CliError {
    const detail = errorText(text);
    if (status === 401 || status === 403) {
      return new CliError(
        EXIT.credentials,
        `Cloudflare API refused the KV ${what} (${status}: ${detail}); check CF_API_TOKEN (Workers KV Storage: Edit) and CF_ACCOUNT_ID`,
      );
    }
    if (status === 404) {
      return new CliError(
        EXIT.config,
        `Cloudflare API: KV namespace ${this.options.namespaceId} not found in account ${this.options.accountId} (${detail}); check wrangler.toml and CF_ACCOUNT_ID`,
      );
    }
    if (status === 429) {
      return new RateLimited(
        `Cloudflare API rate-limited the KV ${what} (429: ${detail}); KV takes one write per second per key`,
      );
    }
    return new CliError(
      EXIT.unavailable,
      `Cloudflare API answered ${status} to the KV ${what}: ${detail}`,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorCodes(text: string): number[] {
  const parsed = v.safeParse(envelope, safeJson(text));
  return parsed.success ? parsed.output.errors.map((e) => e.code) : [];
}

/** The envelope's messages with their codes, or the body's first line. */
function errorText(text: string): string {
  const parsed = v.safeParse(envelope, safeJson(text));
  if (parsed.success && parsed.output.errors.length > 0) {
    return parsed.output.errors.map((e) => `${e.message} (code ${e.code})`).join("; ");
  }
  const line = text.replace(/\s+/g, " ").trim();
  return line === "" ? "(empty body)" : line.slice(0, 200);
}
