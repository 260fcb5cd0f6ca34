/**
 * Recording a decision: the history entry with its figures, the write of
 * state and entries to `<key>::history`, and the webhook post of a new entry.
 */

import type { ControlledDocument } from "./document";
import { appendEntry, historyKey, serialiseHistory } from "./history";
import type { HistoryEntry, HistoryRecord, StepState } from "./history";
import type { Judged } from "./judging";
import { cohortTotals } from "./metrics-source";
import type { RolloutKv } from "./kv";
import type { FetchLike } from "./fetch";
import { postWebhook } from "./webhook";

/** An entry before its time stamps. */
export type Draft = Omit<HistoryEntry, "at" | "until" | "repeated">;

/** What one run did with one rollout key. */
export interface RolloutReport {
  readonly key: string;
  /** The history entry recorded, or null when there was nothing to record. */
  readonly entry: HistoryEntry | null;
}

/** An entry without figures; the canary stays at `weight` unless changed. */
export function draft(
  action: HistoryEntry["action"],
  code: string,
  reason: string,
  revision: string,
  weight: number,
  dryRun = false,
): Draft {
  const percent = weight / 100;
  return {
    action,
    code,
    reason,
    dryRun,
    written: false,
    revision,
    from: percent,
    to: percent,
    failures: 0,
    verdict: null,
    checks: [],
    cohorts: [],
  };
}

/**
 * The entry with the verdict, every check's status and summary (estimate,
 * bounds, limit, sample sizes) and every cohort's totals, when there are any.
 * A check's working figures are left out: they only serve to recompute the
 * decision, and would make each entry several times larger.
 */
export function withFigures(entry: Draft, judged: Judged | null): Draft {
  if (judged === null || "error" in judged) {
    return entry;
  }
  const { verdict, results } = judged.judgement;
  return {
    ...entry,
    verdict: { ...verdict, failed: [...verdict.failed], pending: [...verdict.pending] },
    checks: results.map((r) => ({
      check: r.check,
      status: r.status,
      code: r.code,
      summary: {
        ...r.summary,
        samples: r.summary.samples.map((s) => ({ ...s })),
      },
    })),
    cohorts: cohortTotals(judged.metrics).map((c) => ({
      ...c,
      latencyMs: c.latencyMs === null ? null : { ...c.latencyMs },
    })),
  };
}

/**
 * Writes the state and the entry (stamped `now`) to the history key, then
 * posts the entry to the rollout's webhook if it is a new one (a repeated
 * hold is not posted again).
 */
export async function saveDecision(
  kv: RolloutKv,
  key: string,
  record: HistoryRecord,
  state: StepState,
  entry: Draft,
  now: number,
  doc: ControlledDocument | null,
  deps: { readonly fetch: FetchLike; readonly log: (message: string) => void },
): Promise<RolloutReport> {
  const at = new Date(now).toISOString();
  const stamped: HistoryEntry = { ...entry, at, until: at, repeated: 1 };
  const { entries, isNew } = appendEntry(record.entries, stamped);
  await kv.put(historyKey(key), serialiseHistory({ state, entries }));
  const webhook = doc?.analysis.webhook ?? null;
  if (isNew && webhook !== null && doc !== null) {
    await postWebhook(webhook, key, doc.analysis.canary, stamped, deps.fetch, deps.log);
  }
  return { key, entry: stamped };
}
