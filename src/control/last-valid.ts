/**
 * The controller's copy of each rollout's last valid version, so that an
 * isolate that starts after someone put a broken document can still route
 * (docs/operations.md "Failure behaviour"). Every scheduled run, for every rollout key:
 * if the document is valid and differs from its copy, the copy is replaced.
 *
 * One writer: only this code writes `<key>::last-valid`, at most once per
 * key per run (a minute apart), well within KV's one write per second per
 * key. It reads the document and the copy (two reads per key per minute)
 * and writes only when the document changed.
 */

import { lastValidKey } from "../core/last-valid-key";
import { parseRollout } from "../core/rollout";
import { READ } from "./kv";
import type { RolloutKv } from "./kv";

/** What keeping a copy did, for logs and tests. */
export type CopyOutcome = "copied" | "unchanged" | "invalid" | "missing";

/**
 * Copies rollout `key` to `<key>::last-valid` if it is valid (by the router's
 * own parser) and not already the copy. Never throws: a KV failure is logged
 * and the copy is tried again next run.
 */
export async function keepLastValid(
  kv: RolloutKv,
  key: string,
  log: (message: string) => void,
): Promise<CopyOutcome | "failed"> {
  try {
    const text = await kv.get(key, READ);
    if (text === null) {
      return "missing";
    }
    if (!parseRollout(text, key).ok) {
      return "invalid";
    }
    const copyKey = lastValidKey(key);
    if ((await kv.get(copyKey, READ)) === text) {
      return "unchanged";
    }
    await kv.put(copyKey, text);
    return "copied";
  } catch (error) {
    log(
      `gray-router controller: ${key}: could not keep the last valid copy: ${error instanceof Error ? error.message : String(error)}`,
    );
    return "failed";
  }
}
