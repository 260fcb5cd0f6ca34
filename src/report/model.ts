/**
 * The report as plain data: everything the page draws, per minute on one
 * time axis, built from the status (header), the per-minute series, the
 * history and the judge's replayed check results. Pure; the page
 * (page.js) only draws it, so what a report says is tested here.
 */

import type { HistoryEntry } from "../control/history";
import type { SeriesPoint } from "../control/series";
import type { CheckSummary } from "../core/judge";

/** The model's version: the page refuses another. */
export const REPORT_VERSION = 1;

/**
 * A check result as the report reads it, the judge's or a history entry's:
 * only its uniform summary is drawn (an entry written before the judge had
 * one has none, and draws no point).
 */
export interface CheckLike {
  readonly check: string;
  readonly status: string;
  readonly code: string;
  readonly summary?:
    (Omit<CheckSummary, "unit" | "samples"> & { readonly unit: string }) | undefined;
}

/** The judge's results at one time (a replayed minute or a recorded decision). */
export interface CheckFrame {
  /** ms since the epoch. */
  readonly at: number;
  readonly results: readonly CheckLike[];
}

/** The rollout as it stands: the header's facts (head.ts builds them). */
export interface ReportHead {
  readonly key: string;
  /** When it was read (ISO 8601). */
  readonly at: string;
  /** The document's weights, percent. */
  readonly weights: Readonly<Record<string, number>>;
  readonly canary: string | null;
  readonly header: ReportModel["header"];
}

/** What a report is built from. */
export interface ReportInput {
  readonly head: ReportHead;
  /** Per minute and cohort (`at` set). */
  readonly series: readonly SeriesPoint[];
  readonly entries: readonly HistoryEntry[];
  readonly checks: readonly CheckFrame[];
  /** Where the check panels come from, one line for the reader. */
  readonly checksSource: string;
  /** Window, ms since the epoch. */
  readonly from: number;
  readonly to: number;
  /** Set on the collector's page: it fetches a fresh model every `live` seconds. */
  readonly live: number | null;
  readonly target: string;
}

/** One cohort's per-minute figures, aligned with `ReportModel.minutes`. */
export interface CohortSeries {
  readonly cohort: string;
  readonly requests: readonly (number | null)[];
  readonly errorRate: readonly (number | null)[];
  readonly p50: readonly (number | null)[];
  readonly p95: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
  /** Share of the weights-decided requests, 0..1. */
  readonly share: readonly (number | null)[];
}

/** One decision on the time axis. */
export interface Marker {
  /** Seconds since the epoch (the chart's unit). */
  readonly at: number;
  readonly action: string;
  readonly code: string;
  /** Who: a person for a manual change, else the check(s) that decided or "controller". */
  readonly by: string;
  readonly reason: string;
  readonly from: number;
  readonly to: number;
  readonly repeated: number;
  /** The figures behind it, ready to show: [name, value]. */
  readonly figures: readonly (readonly [string, string])[];
}

/** One judge check over time. */
export interface CheckPanel {
  readonly check: string;
  readonly label: string;
  readonly unit: string;
  readonly failAbove: boolean | null;
  /** Seconds since the epoch. */
  readonly at: readonly number[];
  readonly estimate: readonly (number | null)[];
  readonly lower: readonly (number | null)[];
  readonly upper: readonly (number | null)[];
  readonly limit: readonly (number | null)[];
  readonly status: readonly string[];
}

/** Everything the page draws. */
export interface ReportModel {
  readonly version: number;
  readonly key: string;
  readonly generatedAt: string;
  readonly target: string;
  readonly live: number | null;
  readonly header: {
    readonly revision: string;
    readonly origins: readonly (readonly [string, string])[];
    readonly weights: readonly (readonly [string, number])[];
    readonly state: string;
    readonly summary: string;
    readonly verdict: string;
    readonly verdictStatus: string;
    readonly lastChange: string | null;
  };
  readonly from: number;
  readonly to: number;
  /** Minute starts, seconds since the epoch. */
  readonly minutes: readonly number[];
  readonly cohorts: readonly CohortSeries[];
  /** The canary's weight in force during each minute, percent. */
  readonly weight: readonly (number | null)[];
  readonly canary: string | null;
  readonly markers: readonly Marker[];
  readonly checks: readonly CheckPanel[];
  readonly checksSource: string;
}

/** Builds the model. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { head } = input;
  const from = dataStart(input);
  const minutes = minuteAxis(from, input.to);
  const canary = head.canary;
  return {
    version: REPORT_VERSION,
    key: head.key,
    generatedAt: head.at,
    target: input.target,
    live: input.live,
    header: head.header,
    from: Math.floor(from / 1000),
    to: Math.floor(input.to / 1000),
    minutes: minutes.map((m) => m / 1000),
    cohorts: cohortSeries(input.series, minutes, head.weights),
    weight: weightSteps(minutes, input.entries, canary, head.weights),
    canary,
    markers: input.entries.map(marker),
    checks: checkPanels(input.checks),
    checksSource: input.checksSource,
  };
}

/**
 * Where the axis starts: two minutes before the first figure or decision
 * (a 6-hour window over a 20-minute rollout would otherwise be mostly
 * empty), never before the window.
 */
function dataStart(input: ReportInput): number {
  const times = [
    ...input.series.flatMap((p) => (p.at === null ? [] : [p.at])),
    ...input.entries.map((e) => Date.parse(e.at)),
  ];
  const first = times.length === 0 ? input.from : Math.min(...times);
  return Math.max(input.from, Math.min(first - 120_000, input.to - 600_000));
}

function minuteAxis(from: number, to: number): number[] {
  const first = Math.floor(from / 60_000) * 60_000;
  const out: number[] = [];
  for (let at = first; at <= to; at += 60_000) {
    out.push(at);
  }
  return out;
}

function cohortSeries(
  series: readonly SeriesPoint[],
  minutes: readonly number[],
  weights: Readonly<Record<string, number>>,
): CohortSeries[] {
  const names = [...new Set([...Object.keys(weights), ...series.map((p) => p.cohort)])];
  const index = new Map(minutes.map((m, i) => [m, i]));
  const assignedTotal = minutes.map(() => 0);
  for (const p of series) {
    const i = p.at === null ? undefined : index.get(Math.floor(p.at / 60_000) * 60_000);
    if (i !== undefined) {
      assignedTotal[i] = (assignedTotal[i] ?? 0) + p.assigned;
    }
  }
  return names.map((cohort) => {
    const empty = (): (number | null)[] => minutes.map(() => null);
    const out = {
      cohort,
      requests: empty(),
      errorRate: empty(),
      p50: empty(),
      p95: empty(),
      p99: empty(),
      share: empty(),
    };
    for (const p of series) {
      const i = p.at === null ? undefined : index.get(Math.floor(p.at / 60_000) * 60_000);
      if (p.cohort !== cohort || i === undefined) {
        continue;
      }
      const total = assignedTotal[i] ?? 0;
      out.requests[i] = round(p.requests, 2);
      out.errorRate[i] = p.requests > 0 ? round(p.errors / p.requests, 6) : null;
      out.p50[i] = p.latencyMs === null ? null : round(p.latencyMs.p50, 1);
      out.p95[i] = p.latencyMs === null ? null : round(p.latencyMs.p95, 1);
      out.p99[i] = p.latencyMs === null ? null : round(p.latencyMs.p99, 1);
      out.share[i] = total > 0 ? round(p.assigned / total, 5) : null;
    }
    return out;
  });
}

/**
 * The canary weight in force during each minute: each entry's `to` from its
 * time on, the first entry's `from` before it, the document's weight after
 * the last one.
 */
function weightSteps(
  minutes: readonly number[],
  entries: readonly HistoryEntry[],
  canary: string | null,
  weights: Readonly<Record<string, number>>,
): (number | null)[] {
  if (canary === null) {
    return minutes.map(() => null);
  }
  const steps = entries.map((e) => ({ at: Date.parse(e.at), to: e.to }));
  const first = entries[0];
  const current = weights[canary] ?? null;
  return minutes.map((m) => {
    let weight: number | null = first === undefined ? current : first.from;
    for (const step of steps) {
      if (step.at <= m + 59_999) {
        weight = step.to;
      }
    }
    return weight;
  });
}

function marker(entry: HistoryEntry): Marker {
  const failed = entry.verdict?.failed ?? [];
  const by =
    entry.change !== undefined
      ? entry.change.by
      : failed.length > 0
        ? failed.join(", ")
        : "controller";
  const figures: (readonly [string, string])[] = [
    ["weight", `${fmt(entry.from)} % → ${fmt(entry.to)} %`],
  ];
  if (entry.repeated > 1) {
    figures.push(["repeated", `${entry.repeated}× until ${entry.until}`]);
  }
  if (entry.verdict !== null) {
    figures.push(["verdict", `${entry.verdict.status} (${entry.verdict.code})`]);
  }
  for (const c of entry.cohorts) {
    const rate =
      c.requests > 0 ? `${fmt((100 * c.errors) / c.requests, 2)} % errors` : "no requests";
    const p95 = c.latencyMs === null ? "" : `, p95 ${fmt(c.latencyMs.p95)} ms`;
    figures.push([c.cohort, `${fmt(c.requests)} req, ${rate}${p95}`]);
  }
  for (const check of entry.checks) {
    const s = check.summary;
    const value =
      s === undefined || s.estimate === null
        ? check.code
        : `${formatValue(s.estimate, s.unit)} [${formatValue(s.lower, s.unit)}, ${formatValue(s.upper, s.unit)}] vs ${formatValue(s.limit, s.unit)}`;
    figures.push([`${check.check} ${check.status}`, value]);
  }
  if (entry.change !== undefined) {
    figures.push([
      "change",
      `${entry.change.action} by ${entry.change.by}: ${entry.change.reason}`,
    ]);
  }
  return {
    at: Math.floor(Date.parse(entry.at) / 1000),
    action: entry.action,
    code: entry.code,
    by,
    reason: entry.reason,
    from: entry.from,
    to: entry.to,
    repeated: entry.repeated,
    figures,
  };
}

function checkPanels(frames: readonly CheckFrame[]): CheckPanel[] {
  const panels = new Map<
    string,
    {
      check: string;
      label: string;
      unit: string;
      failAbove: boolean | null;
      at: number[];
      estimate: (number | null)[];
      lower: (number | null)[];
      upper: (number | null)[];
      limit: (number | null)[];
      status: string[];
    }
  >();
  for (const frame of [...frames].sort((a, b) => a.at - b.at)) {
    for (const result of frame.results) {
      const s = result.summary;
      if (s === undefined) {
        continue;
      }
      let panel = panels.get(result.check);
      if (panel === undefined) {
        panel = {
          check: result.check,
          label: s.label,
          unit: s.unit,
          failAbove: s.failAbove,
          at: [],
          estimate: [],
          lower: [],
          upper: [],
          limit: [],
          status: [],
        };
        panels.set(result.check, panel);
      }
      panel.at.push(Math.floor(frame.at / 1000));
      panel.estimate.push(roundOrNull(s.estimate));
      panel.lower.push(roundOrNull(s.lower));
      panel.upper.push(roundOrNull(s.upper));
      panel.limit.push(roundOrNull(s.limit));
      panel.status.push(result.status);
    }
  }
  return [...panels.values()];
}

/** A value for people, by the summary's unit. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) {
    return "–";
  }
  return unit === "ratio" ? `×${fmt(value, 3)}` : `${fmt(100 * value, 3)} %`;
}

function fmt(value: number, digits = 1): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Number(value.toPrecision(6));
}
