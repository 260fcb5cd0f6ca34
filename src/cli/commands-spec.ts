/**
 * The commands and their options, in one place: the parser (args.ts) checks
 * each command's options against it, and --help (help.ts) prints it.
 * docs/cli.md is the reference.
 */

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
  "report",
] as const;

/** A command name. */
export type Command = (typeof COMMANDS)[number];

/** Every option any command takes (util.parseArgs form); COMMAND_SPECS says which command takes which. */
export const OPTIONS = {
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
  out: { type: "string", short: "o" },
} as const;

/** An option's name. */
export type OptionName = keyof typeof OPTIONS;

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
  report: {
    options: [...READS, "since", "out"],
    usage: "gray report [key] --out report.html [--since 6h]",
    summary:
      "one self-contained HTML page: figures, weight, decisions and the judge's checks over time",
  },
};
