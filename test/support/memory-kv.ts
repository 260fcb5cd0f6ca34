/**
 * The one in-memory KV namespace of the tests and the simulation. Unlike
 * Workers KV it is strongly consistent, and no other test file's keys (such as
 * `default`) can leak in, so a test of the router or the controller sees only
 * what it put there.
 */

import type { RolloutKv } from "../../src/control/kv";
import type { KvReader } from "../../src/edge/rollout-store";

/** A Map behind both the router's KvReader and the controller's RolloutKv. */
export class MemoryKv implements KvReader, RolloutKv {
  readonly values = new Map<string, string>();
  /** `get` calls so far. */
  reads = 0;
  /** `throw`/`hang` make every read fail that way, `slow` delays it by `delayMs`. */
  mode: "ok" | "throw" | "hang" | "slow" = "ok";
  delayMs = 50;
  /** Called before every get; may change `values` (e.g. to play a human edit between a read and a re-read). */
  beforeGet: ((key: string) => void) | null = null;
  /** Keys per list page, small enough for tests to exercise the cursor. */
  pageSize = 1000;

  constructor(values: Record<string, string> = {}) {
    for (const [key, text] of Object.entries(values)) {
      this.values.set(key, text);
    }
  }

  /** Resolves to the value, or null when the key is absent (or fails as `mode` says). */
  get(key: string): Promise<string | null> {
    this.reads++;
    this.beforeGet?.(key);
    if (this.mode === "throw") {
      return Promise.reject(new Error("KV is down"));
    }
    if (this.mode === "hang") {
      return new Promise<string | null>(() => undefined);
    }
    // Read at call time: a change made while the read is pending is not seen by it.
    const value = this.values.get(key) ?? null;
    if (this.mode === "slow") {
      return new Promise((resolve) => setTimeout(() => resolve(value), this.delayMs));
    }
    return Promise.resolve(value);
  }

  /** Stores the value. */
  put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }

  /** Lists keys in lexicographic order, like KV, a page at a time. */
  list(
    options: { cursor?: string } = {},
  ): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }> {
    const names = [...this.values.keys()].sort();
    const start = options.cursor === undefined ? 0 : Number(options.cursor);
    const page = names.slice(start, start + this.pageSize).map((name) => ({ name }));
    const end = start + page.length;
    return Promise.resolve(
      end < names.length
        ? { keys: page, list_complete: false, cursor: String(end) }
        : { keys: page, list_complete: true },
    );
  }
}
