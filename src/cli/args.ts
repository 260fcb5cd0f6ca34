/**
 * The command line: one parser (Node's util.parseArgs) for every command,
 * then per command the options it accepts, so `gray status --full` is a
 * clear usage error rather than silently ignored. docs/cli.md is the
 * reference; `gray <command> --help` prints the same summaries.
 */

import { parseArgs } from "node:util";
import { usage } from "./errors";

/** The commands, in help order. */
export const COMMANDS = [
  "status",
  "watch",
  "set",
  "promote",
  "pause",
  "resume",
  "rollback",
  "history",
  "wait",
  "validate",
] as const;

/** A command name. */
export type Command = (typeof COMMANDS)[number];

/** Every option any command takes; per-command checks follow. */
const OPTIONS = {
  local: { type: "boolean" },
  remote: { type: "boolean" },
  json: { type: "boolean" },
  config: { type: "string" },
  env: { type: "string" },
  collector: { type: "string" },
  help: { type: "boolean", short: "h" },
  yes: { type: "boolean", short: "y" },
  "dry-run": { type: "boolean" },
  by: { type: "string" },
  reason: { type: "string" },
  file: { type: "string" },
  full: { type: "boolean" },
  "ramp-down": { type: "boolean" },
  since: { type: "string" },
  interval: { type: "string" },
  timeout: { type: "string" },
  limit: { type: "string" },
  checks: { type: "boolean" },
  key: { type: "string" },
} as const;

type OptionName = keyof typeof OPTIONS;

const COMMON: readonly OptionName[] = ["local", "remote", "json", "config", "env", "help"];
const READS: readonly OptionName[] = [...COMMON, "collector"];
const WRITES: readonly OptionName[] = [...COMMON, "yes", "dry-run", "by", "reason"];

/** What each command accepts, and its one-line summary and usage. */
export const COMMAND_SPECS: Readonly<
  Record<Command, { options: readonly OptionName[]; usage: string; summary: string }>
> = {
  status: {
    options: [...READS, "since"],
    usage: "gray status [key] [--since 5m]",
    summary:
      "the document in force, live per-cohort figures, the judge's verdict and the controller's next step",
  },
  watch: {
    options: [...READS, "since", "interval"],
    usage: "gray watch [key] [--since 30m] [--interval 2s]",
    summary: "status, redrawn in place, with a sparkline per cohort and metric (Ctrl-C to leave)",
  },
  set: {
    options: [...WRITES, "file"],
    usage: "gray set [key] <cohort>=<percent>... | --file rollout.json",
    summary: "new weights (stable takes the rest), or a whole new document",
  },
  promote: {
    options: [...WRITES, "full"],
    usage: "gray promote [key] [--full]",
    summary: "the canary to its next step now (--full: to 100 %)",
  },
  pause: {
    options: [...WRITES],
    usage: "gray pause [key]",
    summary: "stop the controller for this rollout (analysis.paused)",
  },
  resume: {
    options: [...WRITES],
    usage: "gray resume [key]",
    summary: "let the controller continue",
  },
  rollback: {
    options: [...WRITES, "ramp-down"],
    usage: "gray rollback [key] [--ramp-down]",
    summary: "every visitor back to stable now (--ramp-down: down through analysis.rampDown)",
  },
  history: {
    options: [...COMMON, "limit", "checks"],
    usage: "gray history [key] [--limit 20] [--checks]",
    summary: "the controller's decisions and the manual changes, with their figures",
  },
  wait: {
    options: [...COMMON, "timeout", "interval"],
    usage: "gray wait [key] [--timeout 2h]",
    summary: "block until the ramp completes (exit 0), rolls back (1) or times out (2)",
  },
  validate: {
    options: ["json", "help", "key"],
    usage: "gray validate <file | -> [--key default]",
    summary: "check a rollout document with the router's own schema",
  },
};

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
