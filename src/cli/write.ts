/**
 * How gray writes a rollout, within what Workers KV offers (no
 * compare-and-swap; one write per second per key): validate the new
 * document with the router's own parser before anything is written, show
 * the diff, ask (unless -y), re-read the key and write only if nobody
 * changed it meanwhile, then read it back and say so if another writer won.
 * docs/cli.md ("Writes") explains what this can and cannot guarantee.
 */

import { createTwoFilesPatch } from "diff";
import { serialise } from "../control/document";
import { parseRollout, revisionOf } from "../core/rollout";
import { CliError, EXIT, RateLimited } from "./errors";
import type { Io } from "./io";
import type { LoadedRollout } from "./kv";
import type { Target } from "./target";
import type { Paint } from "./render/style";

/** How a write ended. */
export type WriteResult = "written" | "dry_run" | "declined" | "conflict" | "overwritten";

/** What happened, for the text and JSON reports. */
export interface WriteReport {
  readonly result: WriteResult;
  readonly before: string;
  readonly after: string;
  /** The revision the key holds at the end (null when not read back). */
  readonly now: string | null;
  /** Unified diff of the two documents, pretty-printed. */
  readonly diff: string;
  /** One line for people. */
  readonly message: string;
}

/** Options of a write. */
export interface WriteOptions {
  readonly yes: boolean;
  readonly dryRun: boolean;
  /** Print the diff and messages (not with --json). */
  readonly show: boolean;
  readonly paint: Paint;
  /** Read-back attempts, 1 s apart (KV's REST API may lag a moment). */
  readonly readBackAttempts: number;
}

/** Validates, shows, confirms, re-reads, writes and reads back one new document. */
export async function writeDocument(
  target: Target,
  loaded: LoadedRollout,
  json: Readonly<Record<string, unknown>>,
  io: Io,
  options: WriteOptions,
): Promise<WriteReport> {
  const text = serialise(json);
  const parsed = parseRollout(text, loaded.key);
  if (!parsed.ok) {
    throw new CliError(
      EXIT.invalidDocument,
      `the new document would be invalid, nothing written: ${parsed.errors.join("; ")}`,
    );
  }
  const after = revisionOf(text);
  const diff = documentDiff(loaded, text, after);
  const report = (result: WriteResult, now: string | null, message: string): WriteReport => ({
    result,
    before: loaded.revision,
    after,
    now,
    diff,
    message,
  });
  if (options.show) {
    io.stdout.write(`${colourDiff(diff, options.paint)}\n`);
  }
  if (options.dryRun) {
    return report("dry_run", null, "dry run: nothing written");
  }
  if (!options.yes) {
    if (io.confirm === null) {
      throw new CliError(
        EXIT.usage,
        "no terminal to confirm on: pass -y to write without asking (or --dry-run to see the change)",
      );
    }
    const where = `${target.name} KV key "${loaded.key}"`;
    if (!(await io.confirm(`Write revision ${after} to ${where}? [y/N] `))) {
      return report("declined", null, "not confirmed: nothing written");
    }
  }
  const current = await target.kv.get(loaded.key);
  if (current !== loaded.text) {
    const now = current === null ? "(deleted)" : revisionOf(current);
    return report(
      "conflict",
      now,
      `the document changed while gray was working (revision ${loaded.revision} -> ${now}); nothing written: run the command again`,
    );
  }
  await putOnce(target, loaded.key, text, loaded.text, io);
  return readBack(target, loaded, text, after, io, options.readBackAttempts, report);
}

/** One write; after a 429 (KV's per-key limit) one retry a second later, if the key is still unchanged. */
async function putOnce(
  target: Target,
  key: string,
  text: string,
  expected: string,
  io: Io,
): Promise<void> {
  try {
    await target.kv.put(key, text);
  } catch (error) {
    if (!(error instanceof RateLimited)) {
      throw error;
    }
    await io.sleep(1100);
    if ((await target.kv.get(key)) !== expected) {
      throw new CliError(
        EXIT.conflict,
        "KV rate-limited the write and the document changed meanwhile; nothing written: run the command again",
      );
    }
    await target.kv.put(key, text);
  }
}

async function readBack(
  target: Target,
  loaded: LoadedRollout,
  text: string,
  after: string,
  io: Io,
  attempts: number,
  report: (result: WriteResult, now: string | null, message: string) => WriteReport,
): Promise<WriteReport> {
  let value: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    value = await target.kv.get(loaded.key);
    if (value !== loaded.text) {
      break;
    }
    // Still the old text: KV has not caught up here yet.
    if (attempt < attempts) {
      await io.sleep(1000);
    }
  }
  if (value === text) {
    return report("written", after, `written: revision ${loaded.revision} -> ${after}`);
  }
  if (value === loaded.text) {
    return report(
      "written",
      loaded.revision,
      `written (revision ${after}), but KV still serves ${loaded.revision} here; KV propagates within about a minute`,
    );
  }
  const now = value === null ? "(deleted)" : revisionOf(value);
  return report(
    "overwritten",
    now,
    `another writer won: the key holds revision ${now} now, not ours (${after}); check it with gray status`,
  );
}

/** The change as a unified diff of the pretty-printed documents. */
function documentDiff(loaded: LoadedRollout, text: string, after: string): string {
  const before = pretty(loaded.text);
  const patch = createTwoFilesPatch(
    `${loaded.key} (revision ${loaded.revision})`,
    `${loaded.key} (revision ${after})`,
    before,
    text,
    undefined,
    undefined,
    { context: 3 },
  );
  const lines = patch.split("\n");
  const start = lines.findIndex((line) => line.startsWith("---"));
  return lines.slice(Math.max(0, start)).join("\n").trimEnd();
}

/** The stored text as the CLI writes documents, so the diff shows changes, not formatting. */
function pretty(text: string): string {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
}

function colourDiff(diff: string, paint: Paint): string {
  return diff
    .split("\n")
    .map((line) =>
      line.startsWith("+++") || line.startsWith("---")
        ? paint("bold", line)
        : line.startsWith("+")
          ? paint("good", line)
          : line.startsWith("-")
            ? paint("bad", line)
            : line.startsWith("@@")
              ? paint("accent", line)
              : line,
    )
    .join("\n");
}
