/**
 * The command line: one parser (Node's util.parseArgs) for every command,
 * then per command the options it accepts, so `gray status --full` is a
 * clear usage error rather than silently ignored. docs/cli.md is the
 * reference; `gray <command> --help` prints the same summaries.
 */

import { parseArgs } from "node:util";
import { COMMANDS, COMMAND_SPECS, OPTIONS } from "./commands-spec";
import type { Command } from "./commands-spec";
import { usage } from "./errors";

export { COMMANDS, COMMAND_SPECS } from "./commands-spec";
export type { Command } from "./commands-spec";

/** Parsed and checked arguments. */
export interface Args {
  readonly command: Command;
  /** The rollout key (default `default`). */
  readonly key: string;
  /** `set`: cohort -> percent, in the order given. */
  readonly assignments: readonly { readonly cohort: string; readonly percent: number }[];
  /** `validate`: the file (`-` for stdin). */
  readonly file: string | null;
  readonly target: "local" | "remote";
  readonly json: boolean;
  readonly help: boolean;
  readonly config: string | null;
  readonly env: string | null;
  readonly collector: string | null;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly by: string | null;
  readonly reason: string | null;
  readonly full: boolean;
  readonly rampDown: boolean;
  /** Milliseconds. */
  readonly since: number | null;
  readonly interval: number | null;
  readonly timeout: number | null;
  readonly limit: number | null;
  readonly checks: boolean;
  /** `report`: the HTML file to write. */
  readonly out: string | null;
}

/** A command to run, or help to print (`gray`, `gray --help`, `gray help set`, `gray set -h`). */
export type Parsed =
  | { readonly kind: "command"; readonly args: Args }
  | { readonly kind: "help"; readonly command: Command | null; readonly asked: boolean };

/** Parses argv (without node and the script). Throws a usage CliError on bad input. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    return {
      kind: "help",
      command: topic !== undefined && isCommand(topic) ? topic : null,
      asked: first !== undefined,
    };
  }
  if (!isCommand(first)) {
    throw usage(
      first.startsWith("-")
        ? `expected a command first, got the option ${first} (commands: ${COMMANDS.join(", ")})`
        : `unknown command "${first}" (commands: ${COMMANDS.join(", ")})`,
    );
  }
  const command = first;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage(`${command}: ${parseError(error)}`);
  }
  const values = parsed.values;
  if (values.help === true) {
    return { kind: "help", command, asked: true };
  }
  const allowed = COMMAND_SPECS[command].options;
  for (const name of Object.keys(values)) {
    if (!allowed.some((option) => option === name)) {
      throw usage(`${command}: unknown option --${name} (see gray ${command} --help)`);
    }
  }
  if (values.local === true && values.remote === true) {
    throw usage(`${command}: --local and --remote exclude each other`);
  }
  const { key, assignments, file } = positionals(command, parsed.positionals, values.key);
  if (command === "set" && assignments.length > 0 && values.file !== undefined) {
    throw usage("set: give either <cohort>=<percent> pairs or --file, not both");
  }
  if (command === "set" && assignments.length === 0 && values.file === undefined) {
    throw usage("set: expected <cohort>=<percent> pairs (e.g. canary=10) or --file rollout.json");
  }
  return {
    kind: "command",
    args: {
      command,
      key,
      assignments,
      file: command === "set" ? (values.file ?? null) : file,
      target: values.remote === true ? "remote" : "local",
      json: values.json === true,
      help: false,
      config: values.config ?? null,
      env: values.env ?? null,
      collector: values.collector ?? null,
      yes: values.yes === true,
      dryRun: values["dry-run"] === true,
      by: values.by ?? null,
      reason: values.reason ?? null,
      full: values.full === true,
      rampDown: values["ramp-down"] === true,
      since: optionalDuration("--since", values.since),
      interval: optionalDuration("--interval", values.interval),
      timeout: optionalDuration("--timeout", values.timeout),
      limit: optionalCount("--limit", values.limit),
      checks: values.checks === true,
      out: values.out ?? null,
    },
  };
}

function isCommand(name: string): name is Command {
  return COMMANDS.some((c) => c === name);
}

/** The key, the `set` assignments and the `validate` file, from the positionals. */
function positionals(
  command: Command,
  list: readonly string[],
  keyOption: string | undefined,
): {
  key: string;
  assignments: { cohort: string; percent: number }[];
  file: string | null;
} {
  if (command === "validate") {
    const [file, ...extra] = list;
    if (file === undefined) {
      throw usage("validate: expected a file to check (or - for stdin)");
    }
    if (extra.length > 0) {
      throw usage(`validate: unexpected argument "${extra[0] ?? ""}" (one file at a time)`);
    }
    return { key: keyOption ?? "default", assignments: [], file };
  }
  const [first, ...others] = list;
  const hasKey = first !== undefined && !first.includes("=");
  const key = hasKey ? first : "default";
  const remaining = hasKey ? others : list;
  if (command !== "set") {
    const extra = remaining[0];
    if (extra !== undefined) {
      throw usage(
        `${command}: unexpected argument "${extra}" (usage: ${COMMAND_SPECS[command].usage})`,
      );
    }
    return { key, assignments: [], file: null };
  }
  const assignments = remaining.map(assignment);
  const seen = new Set<string>();
  for (const { cohort } of assignments) {
    if (seen.has(cohort)) {
      throw usage(`set: cohort "${cohort}" is given twice`);
    }
    seen.add(cohort);
  }
  return { key, assignments, file: null };
}

/** `canary=10` -> {cohort, percent}. The schema checks the name and the two decimals again. */
function assignment(text: string): { cohort: string; percent: number } {
  const match = /^([^=]+)=(.*)$/.exec(text);
  const cohort = match?.[1];
  const value = match?.[2];
  if (cohort === undefined || value === undefined || text.indexOf("=") !== text.lastIndexOf("=")) {
    throw usage(
      `set: expected <cohort>=<percent>, got "${text}" (a key comes first, before any pair)`,
    );
  }
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(value) || Number(value) > 100) {
    throw usage(
      `set: ${cohort}=${value}: expected a percent from 0 to 100 with at most two decimals`,
    );
  }
  return { cohort, percent: Number(value) };
}

/** A duration such as `90s`, `15m`, `2h`, `1h30m` or plain seconds, in ms. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) {
    return null;
  }
  return parts.reduce((total, p) => total + Number(p[1]) * (units[p[2] ?? "s"] ?? 1000), 0);
}

function optionalDuration(name: string, text: string | undefined): number | null {
  if (text === undefined) {
    return null;
  }
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    throw usage(`${name}: expected a duration such as 90s, 15m or 2h, got "${text}"`);
  }
  return ms;
}

function optionalCount(name: string, text: string | undefined): number | null {
  if (text === undefined) {
    return null;
  }
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw usage(`${name}: expected a whole number from 1, got "${text}"`);
  }
  return Number(text);
}

/** util.parseArgs's error, as one line in our words. */
function parseError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = "code" in error ? error.code : undefined;
  const option = /'(-[^']*)'/.exec(error.message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(error.message)
        ? `option ${option.split(" ")[0] ?? option} needs a value`
        : `option ${option} takes no value`;
    default:
      return error.message.split("\n")[0] ?? error.message;
  }
}
