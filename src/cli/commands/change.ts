/**
 * `gray set`, `promote`, `pause`, `resume` and `rollback`: read the
 * document, make the edit (src/cli/edits.ts), stamp who, why and what into
 * its `change` field, and write it the careful way (src/cli/write.ts). The
 * controller records the stamped change in the history on its next run.
 */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { readChange } from "../../core/change";
import { isJsonObject } from "../../core/issues";
import type { Args } from "../args";
import { stampChange, pause, promote, resume, rollback, setWeights } from "../edits";
import type { ChangeStamp, EditResult } from "../edits";
import { CliError, EXIT, usage } from "../errors";
import type { Io } from "../io";
import { loadRollout } from "../kv";
import type { LoadedRollout } from "../kv";
import { painter } from "../render/style";
import { openTarget } from "../target";
import { writeDocument } from "../write";
import type { WriteReport } from "../write";
import { JSON_VERSION } from "../status-view";

/** Exit code per write result. */
const EXIT_OF: Record<WriteReport["result"], number> = {
  written: EXIT.ok,
  dry_run: EXIT.ok,
  declined: EXIT.declined,
  conflict: EXIT.conflict,
  overwritten: EXIT.conflict,
};

/** Runs one of the writing commands. */
export async function change(args: Args, io: Io): Promise<number> {
  const stamp = changeStamp(args, io);
  const fileJson =
    args.command === "set" && args.file !== null ? await readDocumentFile(args.file, io) : null;
  const target = await openTarget(args, io);
  try {
    const loaded = await loadRollout(target.kv, args.key);
    const edit = fileJson === null ? editOf(args, loaded) : replacement(fileJson, args.file ?? "");
    const paint = painter(io.stdout, io.env);
    const heading = `rollout ${args.key} (${target.name}): ${stamp.action}`;
    if (edit.kind === "nothing") {
      report(io, args, {
        target: target.name,
        result: "nothing",
        message: `nothing to do: ${edit.why}`,
        loaded,
      });
      return EXIT.ok;
    }
    if (!args.json) {
      io.stdout.write(`${paint("bold", heading)}: ${edit.summary}\n`);
      for (const warning of edit.warnings) {
        io.stdout.write(`${paint("warn", `note: ${warning}`)}\n`);
      }
    }
    const written = await writeDocument(target, loaded, stampChange(edit.json, stamp), io, {
      yes: args.yes,
      dryRun: args.dryRun,
      show: !args.json,
      paint,
      readBackAttempts: target.name === "remote" ? 3 : 1,
    });
    report(io, args, {
      target: target.name,
      result: written.result,
      message: written.message,
      loaded,
      summary: edit.summary,
      warnings: edit.warnings,
      written,
      stamp,
    });
    if (!args.json && written.result === "written") {
      io.stdout.write(
        `${paint("dim", "the router follows within CONFIG_CACHE_SECONDS (10 s by default) plus KV propagation; the controller records the change on its next run")}\n`,
      );
    }
    return EXIT_OF[written.result];
  } finally {
    await target.close();
  }
}

/** Who, why and what, checked with the document schema's own rules for `change`. */
function changeStamp(args: Args, io: Io): ChangeStamp {
  const action =
    args.command === "set"
      ? args.file === null
        ? "set"
        : "edit"
      : args.command === "promote" ||
          args.command === "pause" ||
          args.command === "resume" ||
          args.command === "rollback"
        ? args.command
        : null;
  if (action === null) {
    throw new CliError(EXIT.internal, `${args.command} is not a writing command`);
  }
  const stamp: ChangeStamp = {
    action,
    by: args.by ?? io.user,
    reason: args.reason ?? "",
    at: io.now(),
  };
  const errors: string[] = [];
  readChange(stampChange({}, stamp)["change"], errors);
  const [first] = errors;
  if (first !== undefined) {
    const option = first.startsWith("change.by")
      ? "--by"
      : first.startsWith("change.reason")
        ? "--reason"
        : "change";
    throw usage(`${option}: ${first.replace(/^change\.\w+: /, "")}`);
  }
  return stamp;
}

function editOf(args: Args, loaded: LoadedRollout): EditResult {
  const parsed = loaded.parsed;
  if (!parsed.ok) {
    throw new CliError(
      EXIT.invalidDocument,
      `KV key "${loaded.key}" holds an invalid document (${parsed.errors[0] ?? "invalid"}${parsed.errors.length > 1 ? `; and ${parsed.errors.length - 1} more` : ""}): replace it with gray set --file`,
    );
  }
  const json: unknown = JSON.parse(loaded.text);
  if (!isJsonObject(json)) {
    throw new CliError(EXIT.invalidDocument, `KV key "${loaded.key}" does not hold a JSON object`);
  }
  const rollout = parsed.rollout;
  switch (args.command) {
    case "set":
      return setWeights(json, rollout, args.assignments);
    case "promote":
      return promote(json, rollout, args.full);
    case "pause":
      return pause(json, rollout);
    case "resume":
      return resume(json, rollout);
    case "rollback":
      return rollback(json, rollout, args.rampDown);
    default:
      throw new CliError(EXIT.internal, `${args.command} is not a writing command`);
  }
}

function replacement(json: Record<string, unknown>, file: string): EditResult {
  return { kind: "edit", json, summary: `the document from ${file}`, warnings: [] };
}

/** Reads --file: a JSON object, or a one-line error naming the file. */
async function readDocumentFile(file: string, io: Io): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), "utf8");
  } catch {
    throw new CliError(EXIT.notFound, `--file: cannot read ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      EXIT.invalidDocument,
      `${file}: not valid JSON (${error instanceof Error ? error.message : String(error)}); nothing written`,
    );
  }
  if (!isJsonObject(json)) {
    throw new CliError(
      EXIT.invalidDocument,
      `${file}: expected a JSON object (a rollout document); nothing written`,
    );
  }
  return json;
}

/** The outcome, as text or as the documented JSON. */
function report(
  io: Io,
  args: Args,
  outcome: {
    target: string;
    result: WriteReport["result"] | "nothing";
    message: string;
    loaded: LoadedRollout;
    summary?: string;
    warnings?: readonly string[];
    written?: WriteReport;
    stamp?: ChangeStamp;
  },
): void {
  if (!args.json) {
    const stream =
      outcome.result === "conflict" || outcome.result === "overwritten" ? io.stderr : io.stdout;
    stream.write(
      `${outcome.result === "conflict" || outcome.result === "overwritten" ? "gray: " : ""}${outcome.message}\n`,
    );
    return;
  }
  const written = outcome.written;
  io.stdout.write(
    `${JSON.stringify(
      {
        version: JSON_VERSION,
        key: args.key,
        target: outcome.target,
        command: args.command,
        result: outcome.result,
        message: outcome.message,
        summary: outcome.summary ?? null,
        warnings: outcome.warnings ?? [],
        revision: {
          before: outcome.loaded.revision,
          after: written?.after ?? null,
          now: written?.now ?? outcome.loaded.revision,
        },
        change:
          outcome.stamp === undefined
            ? null
            : { ...outcome.stamp, at: new Date(outcome.stamp.at).toISOString() },
        diff: written?.diff ?? null,
      },
      null,
      2,
    )}\n`,
  );
}
