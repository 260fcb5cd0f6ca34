/**
 * `gray validate <file>`: the router's own parser (parseRollout) on a
 * document, with its messages, before a `wrangler kv key put` or a
 * `gray set --file`. Exit 0 when valid, 1 when not.
 */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseRollout, revisionOf } from "../../core/rollout";
import type { Args } from "../args";
import { CliError, EXIT } from "../errors";
import type { Io } from "../io";
import { weightsText } from "../edits";
import { JSON_VERSION } from "../status-view";

/** Reads the file (or stdin for `-`). */
export type ReadInput = (file: string) => Promise<string>;

/** Runs `validate`. */
export async function validate(
  args: Args,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const file = args.file ?? "-";
  let text: string;
  try {
    text = file === "-" ? await readStdin() : await readFile(path.resolve(io.cwd, file), "utf8");
  } catch {
    throw new CliError(EXIT.notFound, `cannot read ${file}`);
  }
  const parsed = parseRollout(text, args.key);
  const name = file === "-" ? "stdin" : file;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({ version: JSON_VERSION, file: name, valid: parsed.ok, revision: revisionOf(text), errors: parsed.ok ? [] : parsed.errors }, null, 2)}\n`,
    );
    return parsed.ok ? EXIT.ok : EXIT.negative;
  }
  if (!parsed.ok) {
    for (const error of parsed.errors) {
      io.stderr.write(`${name}: ${error}\n`);
    }
    return EXIT.negative;
  }
  const rollout = parsed.rollout;
  const analysed =
    rollout.analysis === null ? "no analysis block" : `analysis of "${rollout.analysis.canary}"`;
  io.stdout.write(
    `${name}: valid (revision ${rollout.revision}; ${weightsText(rollout.weights)}; ${rollout.rules.length} rules; ${analysed})\n`,
  );
  return EXIT.ok;
}
