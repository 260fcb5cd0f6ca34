/**
 * The KV operations gray uses, the same for the local state and for
 * Cloudflare's REST API, and reading a rollout with its history.
 */

import { parseRollout, revisionOf } from "../core/rollout";
import type { ParseResult } from "../core/rollout";
import { historyKey, isHistoryKey, parseHistory } from "../control/history";
import type { HistoryRecord } from "../control/history";
import { CliError, EXIT } from "./errors";

/** Text values by key. Implementations reject with a CliError. */
export interface CliKv {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  /** Every key name, in KV's order. */
  list(): Promise<string[]>;
}

/** A rollout as read: the text, its revision and the router's parse of it. */
export interface LoadedRollout {
  readonly key: string;
  readonly text: string;
  readonly revision: string;
  readonly parsed: ParseResult;
}

/** Reads a rollout; an absent key is a not-found CliError naming the keys that exist. */
export async function loadRollout(kv: CliKv, key: string): Promise<LoadedRollout> {
  const text = await kv.get(key);
  if (text === null) {
    const keys = (await kv.list()).filter((name) => !isHistoryKey(name));
    const known =
      keys.length === 0
        ? "the namespace holds no rollout"
        : `rollouts: ${keys.slice(0, 10).join(", ")}${keys.length > 10 ? ", ..." : ""}`;
    throw new CliError(EXIT.notFound, `no rollout at KV key "${key}" (${known})`);
  }
  return { key, text, revision: revisionOf(text), parsed: parseRollout(text, key) };
}

/** Reads the controller's history of a rollout; an unreadable one reads as empty, with the problem. */
export async function loadHistory(
  kv: CliKv,
  key: string,
): Promise<{ readonly record: HistoryRecord; readonly problem: string | null }> {
  return parseHistory(await kv.get(historyKey(key)));
}
