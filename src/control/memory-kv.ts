/**
 * An in-memory RolloutKv for unit tests and the simulation: strongly
 * consistent (unlike Workers KV), so tests of the controller's own logic are
 * not at the mercy of propagation delays. `beforeGet` lets a test act between
 * the controller's read and its re-read, e.g. to play a human edit.
 */

import type { RolloutKv } from "./kv";

/** A Map behind the RolloutKv interface. */
export class MemoryKv implements RolloutKv {
  readonly values = new Map<string, string>();
  /** Called before every get; may change `values`. */
  beforeGet: ((key: string) => void) | null = null;
  /** Keys per list page, small enough for tests to exercise the cursor. */
  pageSize = 1000;

  /** Resolves to the value, or null when the key is absent. */
  get(key: string): Promise<string | null> {
    this.beforeGet?.(key);
    return Promise.resolve(this.values.get(key) ?? null);
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
