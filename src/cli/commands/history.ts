/**
 * `gray history [key]`: the controller's decisions and the manual changes,
 * oldest first, each with the figures behind it. --json prints the stored
 * entries as they are (docs/canary-analysis.md documents their fields).
 */

import type { Args } from "../args";
import type { Io } from "../io";
import { loadHistory, loadRollout } from "../kv";
import { entryLines } from "../render/history";
import { painter } from "../render/style";
import { JSON_VERSION } from "../status-view";
import { openTarget } from "../target";

/** Entries shown by default. */
export const DEFAULT_HISTORY_LIMIT = 20;

/** Runs `history`. */
export async function history(args: Args, io: Io): Promise<number> {
  const target = await openTarget(args, io);
  try {
    // The rollout is read first so that an unknown key is an error, not an empty history.
    await loadRollout(target.kv, args.key);
    const { record, problem } = await loadHistory(target.kv, args.key);
    const limit = args.limit ?? DEFAULT_HISTORY_LIMIT;
    const entries = record.entries.slice(-limit);
    if (args.json) {
      io.stdout.write(
        `${JSON.stringify({ version: JSON_VERSION, key: args.key, target: target.name, total: record.entries.length, entries, state: record.state, problem }, null, 2)}\n`,
      );
      return 0;
    }
    const paint = painter(io.stdout, io.env);
    if (problem !== null) {
      io.stdout.write(`${paint("warn", `note: ${problem}`)}\n`);
    }
    if (entries.length === 0) {
      io.stdout.write(
        `no history for "${args.key}" yet: the controller writes one once the rollout has an analysis block or a change made with gray\n`,
      );
      return 0;
    }
    const skipped = record.entries.length - entries.length;
    if (skipped > 0) {
      io.stdout.write(
        `${paint("dim", `(${skipped} older entries; --limit ${record.entries.length} shows all)`)}\n`,
      );
    }
    for (const entry of entries) {
      io.stdout.write(`${entryLines(entry, paint, args.checks).join("\n")}\n`);
    }
    return 0;
  } finally {
    await target.close();
  }
}
