/**
 * `gray wait [key] --timeout 2h`: for CI pipelines. Polls the rollout and
 * its history until the controller completes the ramp (exit 0), rolls it
 * back (exit 1), or the timeout passes (exit 2), printing each new decision
 * as it comes. Only decisions about the revision in force count: a
 * `complete` left from an earlier release does not end the wait.
 */

import { readDocument } from "../../control/document";
import type { DocumentRead } from "../../control/document";
import type { HistoryEntry, HistoryRecord } from "../../control/history";
import { percentText } from "../../control/policy";
import type { Args } from "../args";
import { isRollback } from "../controller-view";
import { EXIT, usage } from "../errors";
import type { Io } from "../io";
import { loadHistory, loadRollout } from "../kv";
import { span } from "../render/format";
import { entryLine } from "../render/history";
import { painter } from "../render/style";
import { JSON_VERSION } from "../status-view";
import { openTarget } from "../target";

/** Defaults: the issue's example timeout, and a poll that costs little (KV reads). */
export const DEFAULT_WAIT_TIMEOUT_MS = 2 * 3_600_000;
export const DEFAULT_WAIT_INTERVAL_MS = 10_000;

/** Where a wait stands. */
export type WaitState =
  | { readonly kind: "complete"; readonly why: string }
  | { readonly kind: "rolled_back"; readonly why: string }
  | { readonly kind: "waiting"; readonly why: string };

/** Whether the rollout has reached an end, from its document and history. Pure. */
export function waitState(read: DocumentRead, revision: string, history: HistoryRecord): WaitState {
  if (read.kind === "invalid") {
    return { kind: "waiting", why: "the document is invalid; waiting for a valid one" };
  }
  if (read.kind === "unmanaged") {
    throw usage(
      "wait: the rollout has no analysis block: no controller will complete it or roll it back",
    );
  }
  const state = history.state;
  if (state === null || state.revision !== revision) {
    return { kind: "waiting", why: `the controller has not seen revision ${revision} yet` };
  }
  if (read.doc.analysis.paused) {
    return { kind: "waiting", why: "the rollout is paused (gray resume continues it)" };
  }
  if (state.phase !== "idle") {
    return {
      kind: "waiting",
      why:
        state.phase === "ramping"
          ? `ramping at ${percentText(state.weight)}`
          : `rolling back at ${percentText(state.weight)}`,
    };
  }
  const last = history.entries[history.entries.length - 1];
  if (last?.action === "complete") {
    return { kind: "complete", why: last.reason };
  }
  return {
    kind: "rolled_back",
    why:
      last !== undefined && isRollback(last)
        ? last.reason
        : `the canary is at ${percentText(state.weight)}, not ramping`,
  };
}

/** Runs `wait`. */
export async function wait(args: Args, io: Io): Promise<number> {
  const timeout = args.timeout ?? DEFAULT_WAIT_TIMEOUT_MS;
  const interval = args.interval ?? DEFAULT_WAIT_INTERVAL_MS;
  const paint = painter(io.stdout, io.env);
  const target = await openTarget(args, io);
  try {
    const started = io.now();
    let printed: string | null = null;
    let lastWhy = "";
    if (!args.json) {
      io.stdout.write(
        `waiting for rollout ${args.key} (${target.name}) to complete or roll back; timeout ${span(timeout)}\n`,
      );
    }
    for (;;) {
      const loaded = await loadRollout(target.kv, args.key);
      const { record } = await loadHistory(target.kv, args.key);
      const state = waitState(readDocument(args.key, loaded.text), loaded.revision, record);
      if (!args.json) {
        const fresh = newEntries(record.entries, printed, started);
        for (const entry of fresh) {
          io.stdout.write(`${entryLine(entry, paint)}\n`);
        }
        const newest = record.entries[record.entries.length - 1];
        printed = newest === undefined ? printed : entryId(newest);
        if (state.kind === "waiting" && state.why !== lastWhy) {
          io.stdout.write(`${paint("dim", `… ${state.why}`)}\n`);
          lastWhy = state.why;
        }
      }
      const elapsed = io.now() - started;
      if (state.kind !== "waiting") {
        return finish(io, args, target.name, state.kind, state.why, elapsed, record);
      }
      if (elapsed >= timeout) {
        return finish(
          io,
          args,
          target.name,
          "timeout",
          `still waiting after ${span(timeout)}: ${state.why}`,
          elapsed,
          record,
        );
      }
      if (!(await io.sleep(Math.min(interval, timeout - elapsed)))) {
        // Interrupted (Ctrl-C); the process entry has said so.
        return EXIT.interrupted;
      }
    }
  } finally {
    await target.close();
  }
}

/** Entries after the one printed last; on the first poll, those since the wait began. */
function newEntries(
  entries: readonly HistoryEntry[],
  printed: string | null,
  started: number,
): HistoryEntry[] {
  if (printed === null) {
    return entries.filter((e) => Date.parse(e.until) >= started - 60_000).slice(-3);
  }
  const index = entries.findIndex((e) => entryId(e) === printed);
  return index < 0 ? entries.slice(-1) : entries.slice(index + 1);
}

function entryId(entry: HistoryEntry): string {
  return `${entry.at}|${entry.action}|${entry.code}|${entry.revision}`;
}

function finish(
  io: Io,
  args: Args,
  target: string,
  result: "complete" | "rolled_back" | "timeout",
  why: string,
  elapsedMs: number,
  record: HistoryRecord,
): number {
  const code =
    result === "complete" ? EXIT.ok : result === "rolled_back" ? EXIT.negative : EXIT.timeout;
  if (args.json) {
    const entry = record.entries[record.entries.length - 1] ?? null;
    io.stdout.write(
      `${JSON.stringify({ version: JSON_VERSION, key: args.key, target, result, exitCode: code, reason: why, elapsedSeconds: Math.round(elapsedMs / 1000), entry }, null, 2)}\n`,
    );
  } else {
    const paint = painter(io.stdout, io.env);
    const label =
      result === "complete"
        ? paint("good", "complete")
        : result === "rolled_back"
          ? paint("bad", "rolled back")
          : paint("warn", "timed out");
    io.stdout.write(`${label}: ${why}\n`);
  }
  return code;
}
