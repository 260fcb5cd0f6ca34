/**
 * The controller's memory, one KV value beside each analysed rollout:
 * `<key>::history` = `{"state": {...}, "entries": [...]}`. `state` is where
 * the ramp stands (step, when it started, the revisions whose data count,
 * consecutive failures); `entries` are the last HISTORY_LIMIT decisions with
 * their figures, oldest first. docs/canary-analysis.md documents the layout.
 */

import * as v from "valibot";
import { CHANGE_ACTIONS } from "../core/change";

/** Suffix of the history key. Hostnames never end in it (no DNS name has a colon; IPv6 literals end in `]`). */
export const HISTORY_SUFFIX = "::history";
/** Decisions kept per rollout. */
export const HISTORY_LIMIT = 200;

/** The history key of a rollout key. */
export function historyKey(key: string): string {
  return `${key}${HISTORY_SUFFIX}`;
}

/** Whether a KV key is a history key (and so never a rollout). */
export function isHistoryKey(name: string): boolean {
  return name.endsWith(HISTORY_SUFFIX);
}

/** What the controller is doing with a rollout. */
export type Phase = "ramping" | "rolling_back" | "idle";

const stateSchema = v.object({
  /** Revision of the document this state describes (the last one read or written). */
  revision: v.string(),
  phase: v.picklist(["ramping", "rolling_back", "idle"]),
  /** Canary weight (hundredths) the controller works from; in a dry run, the virtual one. */
  weight: v.number(),
  /** When the current weight took effect (ms since the epoch). */
  stepStartedAt: v.number(),
  /** Start of the evidence window: the ramp's start, or the last outside edit. */
  analysisStartedAt: v.number(),
  /** Revisions whose data points belong to this analysis (the controller's own writes). */
  revisions: v.array(v.string()),
  /** Consecutive runs with a failing check. */
  failures: v.number(),
  /** Marker of a one-off entry already recorded (`paused:<rev>`, `invalid:<rev>`), so it is not repeated. */
  noted: v.nullable(v.string()),
});

/** Where the ramp stands. */
export type StepState = v.InferOutput<typeof stateSchema>;

/** The judge's uniform view of a check (core/judge `CheckSummary`); absent in entries written before it existed. */
const summarySchema = v.object({
  label: v.string(),
  unit: v.string(),
  estimate: v.nullable(v.number()),
  lower: v.nullable(v.number()),
  upper: v.nullable(v.number()),
  limit: v.nullable(v.number()),
  failAbove: v.nullable(v.boolean()),
  samples: v.array(v.object({ cohort: v.string(), rows: v.number(), effective: v.number() })),
});

const checkSchema = v.object({
  check: v.string(),
  status: v.string(),
  code: v.string(),
  /** The check's working figures: written by versions before the summary was enough; read, never written now. */
  figures: v.optional(v.record(v.string(), v.number())),
  summary: v.optional(summarySchema),
});

const cohortSchema = v.object({
  cohort: v.string(),
  requests: v.number(),
  errors: v.number(),
  stepRequests: v.number(),
  rows: v.number(),
  /** Effective sample size and new visitors (current revision); absent in older entries. */
  effectiveRequests: v.optional(v.number()),
  newVisitors: v.optional(v.number()),
  latencyMs: v.nullable(v.object({ p50: v.number(), p95: v.number(), p99: v.number() })),
});

const entrySchema = v.object({
  /** When the decision was made (ISO 8601); for a repeated hold, the first time. */
  at: v.string(),
  /** Last time a repeated hold was made. */
  until: v.string(),
  /** How many consecutive identical holds this entry stands for. */
  repeated: v.number(),
  action: v.picklist([
    "start",
    "promote",
    "hold",
    "rollback",
    "ramp_down",
    "complete",
    "paused",
    "conflict",
    "error",
    "invalid",
    "manual",
  ]),
  /** Machine-readable reason (`interval`, `not_enough_data`, `checks_failed`, ...). */
  code: v.string(),
  reason: v.string(),
  dryRun: v.boolean(),
  /** Whether the rollout document was written. */
  written: v.boolean(),
  revision: v.string(),
  /** Canary weight before and after, percent. */
  from: v.number(),
  to: v.number(),
  failures: v.number(),
  verdict: v.nullable(
    v.object({
      status: v.string(),
      code: v.string(),
      reason: v.string(),
      failed: v.array(v.string()),
      pending: v.array(v.string()),
    }),
  ),
  checks: v.array(checkSchema),
  cohorts: v.array(cohortSchema),
  /** A manual change (`action: "manual"`): what, by whom, why, when (from the document's `change`). */
  change: v.optional(
    v.object({
      action: v.picklist(CHANGE_ACTIONS),
      by: v.string(),
      reason: v.string(),
      at: v.string(),
    }),
  ),
});

/** One decision, with the figures behind it. */
export type HistoryEntry = v.InferOutput<typeof entrySchema>;

const recordSchema = v.object({ state: v.nullable(stateSchema), entries: v.array(entrySchema) });

/** The whole history value. */
export type HistoryRecord = v.InferOutput<typeof recordSchema>;

/**
 * Parses a stored history value. A missing or unreadable one starts afresh
 * (the problem is returned for the log): losing history must never stop the
 * controller, and the worst outcome is an analysis restarted from scratch.
 */
export function parseHistory(text: string | null): {
  record: HistoryRecord;
  problem: string | null;
} {
  const empty: HistoryRecord = { state: null, entries: [] };
  if (text === null) {
    return { record: empty, problem: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { record: empty, problem: "history is not JSON; starting a new one" };
  }
  const parsed = v.safeParse(recordSchema, json);
  if (!parsed.success) {
    const path = parsed.issues[0] === undefined ? "" : (v.getDotPath(parsed.issues[0]) ?? "");
    return {
      record: empty,
      problem: `history has an unexpected shape (${path}); starting a new one`,
    };
  }
  return { record: parsed.output, problem: null };
}

/**
 * Adds an entry, keeping the last HISTORY_LIMIT. A hold (or read error) that
 * repeats the previous entry's action, code and revision replaces it with a
 * higher `repeated` count and the newest figures, so a long wait is one entry
 * and not a page of identical ones. Returns whether the entry is new (and so
 * worth a webhook post).
 */
export function appendEntry(
  entries: readonly HistoryEntry[],
  entry: HistoryEntry,
): { entries: HistoryEntry[]; isNew: boolean } {
  const last = entries[entries.length - 1];
  const repeatable = entry.action === "hold" || entry.action === "error";
  if (
    last !== undefined &&
    repeatable &&
    last.action === entry.action &&
    last.code === entry.code &&
    last.revision === entry.revision &&
    last.dryRun === entry.dryRun
  ) {
    const merged: HistoryEntry = { ...entry, at: last.at, repeated: last.repeated + 1 };
    return { entries: [...entries.slice(0, -1), merged], isNew: false };
  }
  const next = [...entries, entry];
  return { entries: next.slice(Math.max(0, next.length - HISTORY_LIMIT)), isNew: true };
}

/** Serialises a history value; figures are rounded to 6 significant digits to keep it small. */
export function serialiseHistory(record: HistoryRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value,
  );
}
