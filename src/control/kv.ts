/**
 * The slice of Workers KV the controller uses, and how it reads. A
 * `KVNamespace` binding fits the interface; tests and the simulation can pass
 * an in-memory map.
 */

import { KV_CACHE_TTL_SECONDS } from "../core/kv-limits";
import { isLastValidKey } from "../core/last-valid-key";
import { isHistoryKey } from "./history";

/** The KV operations the controller needs. */
export interface RolloutKv {
  get(key: string, options: { type: "text"; cacheTtl?: number }): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  list(options?: { cursor?: string }): Promise<{
    readonly keys: readonly { readonly name: string }[];
    readonly list_complete: boolean;
    readonly cursor?: string;
  }>;
}

/** How the controller reads KV: text, through KV's shortest location cache. */
export const READ = { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS } as const;

/** Every rollout key in the namespace, page by page; history keys and last valid copies are skipped. */
export async function* rolloutKeys(kv: RolloutKv): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await kv.list(cursor === undefined ? {} : { cursor });
    for (const { name } of page.keys) {
      if (!isHistoryKey(name) && !isLastValidKey(name)) {
        yield name;
      }
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
}
