/**
 * The status of one rollout as plain data: what `gray status --json`
 * prints (docs/cli.md documents the shape; `version` changes only with an
 * incompatible change), and what the text renderer draws. Pure.
 */

import { STABLE } from "../core/cohort";
import { isJsonObject } from "../core/issues";
import type { CheckResult } from "../core/judge";
import type { HistoryEntry } from "../control/history";
import type { SeriesPoint } from "../control/series";
import { controllerView } from "./controller-view";
import { lastChange } from "./last-change";
import type { LastChangeView } from "./last-change";
import type { ControllerView } from "./controller-view";
import type { Snapshot } from "./snapshot";

/** The JSON shapes' version. */
export const JSON_VERSION = 1;

/** One cohort over the window. */
export interface CohortView {
  readonly cohort: string;
  /** The document's weight, percent (0 for a cohort no longer in it). */
  readonly weight: number;
  /** Observed share of the requests the current weights decided (this revision), 0..1; null without any. */
  readonly share: number | null;
  readonly requests: number;
  readonly requestsPerMinute: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** Stored rows behind `requests` (fewer than requests when Analytics Engine sampled). */
  readonly rows: number;
}

/** A check of the judge, generically: the CLI shows any check the judge adds. */
export interface CheckView {
  readonly check: string;
  readonly status: string;
  readonly code: string;
  readonly reason: string;
  readonly figures: Readonly<Record<string, number>>;
  /** The judge's uniform summary of the check; absent in history written before it existed. */
  readonly summary?: SummaryView | undefined;
}

/**
 * The judge's uniform view of a check (core/judge `CheckSummary`): what is
 * compared, the estimate with its bounds, the limit, the unit (`rate`,
 * `ratio`, `share`) and the samples; nulls are not known yet.
 */
export interface SummaryView {
  readonly label: string;
  readonly unit: string;
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly limit: number | null;
  /** True: above the limit is bad; false: below is bad; null: two-sided. */
  readonly failAbove: boolean | null;
  readonly samples: readonly {
    readonly cohort: string;
    readonly rows: number;
    readonly effective: number;
  }[];
}

/** `gray status --json`. */
export interface StatusView {
  readonly version: number;
  readonly key: string;
  readonly target: string;
  readonly at: string;
  readonly document: {
    readonly revision: string;
    readonly valid: boolean;
    readonly errors: readonly string[];
    readonly origins: Readonly<Record<string, string>>;
    readonly weights: Readonly<Record<string, number>>;
    /** The document's `analysis` block as written (defaults not filled in); null without one. */
    readonly analysis: unknown;
  };
  readonly lastChange: LastChangeView | null;
  readonly window: { readonly seconds: number; readonly since: string };
  readonly cohorts: readonly CohortView[];
  readonly metricsError: string | null;
  readonly verdict: {
    readonly status: string;
    readonly code: string;
    readonly reason: string;
    readonly checks: readonly CheckView[];
  } | null;
  /** The judge's sample-ratio check, when it ran: `fail` is a sample-ratio mismatch. */
  readonly sampleRatio: { readonly status: string; readonly reason: string } | null;
  readonly controller:
    ControllerView | { readonly state: "not_managed" | "invalid"; readonly summary: string };
  /** The newest history entries (at most 5), newest last. */
  readonly recent: readonly HistoryEntry[];
}

/** Builds the view from a snapshot. `nextRunAt` is the controller's next run (ms) or null. */
export function statusView(
  snapshot: Snapshot,
  target: string,
  nextRunAt: number | null,
): StatusView {
  const { rollout, read, history } = snapshot;
  const json = documentJson(rollout.text);
  const parsed = rollout.parsed;
  const weights = parsed.ok ? parsed.rollout.weights : new Map<string, number>();
  const origins = parsed.ok
    ? Object.fromEntries(
        [...parsed.rollout.origins].map(([cohort, origin]) => [
          cohort,
          `${origin.origin}${origin.basePath}`,
        ]),
      )
    : stringRecord(json["origins"]);
  const judgement =
    snapshot.judged !== null && !("error" in snapshot.judged) ? snapshot.judged.judgement : null;
  const srm = judgement?.results.find((r) => r.check === "sample_ratio") ?? null;
  return {
    version: JSON_VERSION,
    key: rollout.key,
    target,
    at: new Date(snapshot.at).toISOString(),
    document: {
      revision: rollout.revision,
      valid: parsed.ok,
      errors: parsed.ok ? [] : parsed.errors,
      origins,
      weights: Object.fromEntries([...weights].map(([cohort, w]) => [cohort, w / 100])),
      analysis: json["analysis"] ?? null,
    },
    lastChange: lastChange(snapshot, json),
    window: {
      seconds: snapshot.windowSeconds,
      since: new Date(snapshot.at - snapshot.windowSeconds * 1000).toISOString(),
    },
    cohorts: cohortViews(snapshot, weights),
    metricsError: snapshot.metricsError,
    verdict:
      judgement === null
        ? null
        : {
            status: judgement.verdict.status,
            code: judgement.verdict.code,
            reason: judgement.verdict.reason,
            checks: judgement.results.map(checkView),
          },
    sampleRatio: srm === null ? null : { status: srm.status, reason: srm.reason },
    controller:
      read.kind === "managed"
        ? controllerView({
            doc: read.doc,
            state: history.state,
            last: history.entries[history.entries.length - 1] ?? null,
            judged: snapshot.judged,
            now: snapshot.at,
            nextRunAt,
          })
        : read.kind === "invalid"
          ? {
              state: "invalid",
              summary:
                "the document is invalid: the router keeps serving the last valid one it saw; the controller does nothing",
            }
          : {
              state: "not_managed",
              summary: "no analysis block: the controller does not steer this rollout",
            },
    recent: history.entries.slice(-5),
  };
}

/** A check result as plain data (the judge's fields, whatever checks it has). */
export function checkView(result: CheckResult): CheckView {
  return {
    check: result.check,
    status: result.status,
    code: result.code,
    reason: result.reason,
    figures: { ...result.figures },
    summary: result.summary,
  };
}

function cohortViews(snapshot: Snapshot, weights: ReadonlyMap<string, number>): CohortView[] {
  const totals = snapshot.totals ?? [];
  const names = new Set([...weights.keys(), ...totals.map((t) => t.cohort)]);
  const assigned = totals.reduce((sum, t) => sum + t.assigned, 0);
  const rate = ratePerMinute(snapshot);
  return [...names].sort(cohortOrder).map((cohort) => {
    const t = totals.find((p) => p.cohort === cohort);
    const requests = t?.requests ?? 0;
    return {
      cohort,
      weight: (weights.get(cohort) ?? 0) / 100,
      share: assigned > 0 ? (t?.assigned ?? 0) / assigned : null,
      requests,
      requestsPerMinute: rate(cohort, requests),
      errors: t?.errors ?? 0,
      errorRate: requests > 0 ? (t?.errors ?? 0) / requests : null,
      p50Ms: t?.latencyMs?.p50 ?? null,
      p95Ms: t?.latencyMs?.p95 ?? null,
      p99Ms: t?.latencyMs?.p99 ?? null,
      rows: t?.rows ?? 0,
    };
  });
}

/**
 * Requests per minute: over the window's complete minutes, leaving out the
 * current minute (still filling) and a first minute that began before the
 * traffic did (right after a start, a 5-minute window holds one minute of
 * traffic: that is a rate per one minute, not per five). Without a complete
 * minute yet, the requests so far over the time since the first one's minute.
 */
function ratePerMinute(snapshot: Snapshot): (cohort: string, total: number) => number {
  const current = Math.floor(snapshot.at / 60_000) * 60_000;
  const windowStart = Math.ceil((snapshot.at - snapshot.windowSeconds * 1000) / 60_000) * 60_000;
  const series = (snapshot.series ?? []).filter((p) => p.at !== null && p.at >= windowStart);
  const first = series.reduce((min, p) => Math.min(min, p.at ?? min), current);
  const from = first > windowStart ? first + 60_000 : windowStart;
  const minutes = (current - from) / 60_000;
  return (cohort, total) => {
    if (minutes < 1) {
      return total / Math.max(1, (snapshot.at - first) / 60_000);
    }
    const inRange = series.filter(
      (p) => p.cohort === cohort && (p.at ?? 0) >= from && (p.at ?? 0) < current,
    );
    return inRange.reduce((sum, p) => sum + p.requests, 0) / minutes;
  };
}

/** `stable` first, then by name. */
export function cohortOrder(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  if (a === STABLE) {
    return -1;
  }
  if (b === STABLE) {
    return 1;
  }
  return a < b ? -1 : 1;
}

function documentJson(text: string): Readonly<Record<string, unknown>> {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) {
    return {};
  }
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/** Points of one cohort, oldest first. */
export function cohortSeries(series: readonly SeriesPoint[], cohort: string): SeriesPoint[] {
  return series.filter((p) => p.cohort === cohort);
}
