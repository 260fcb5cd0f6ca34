/**
 * The trend block of `gray watch`: per cohort and metric (requests per
 * minute, error rate, p50, p95, p99) a sparkline over the last minutes,
 * with the newest value beside it, and the canary's weight as a step line
 * from the history (the controller's writes and the manual changes).
 */

import type { HistoryEntry } from "../../control/history";
import type { SeriesPoint } from "../../control/series";
import { cohortOrder } from "../status-view";
import { count, ms, percent, weight } from "./format";
import type { Paint } from "./style";
import { sparkline } from "./spark";

type Metric = {
  readonly label: string;
  readonly value: (p: SeriesPoint) => number | null;
  readonly show: (v: number | null) => string;
  readonly scale: { readonly min?: number; readonly atLeast?: number };
};

const METRICS: readonly Metric[] = [
  {
    label: "req/min",
    value: (p) => p.requests,
    show: (v) => (v === null ? "–" : count(v)),
    scale: { min: 0 },
  },
  {
    label: "errors",
    value: (p) => (p.requests > 0 ? p.errors / p.requests : null),
    show: (v) => percent(v),
    scale: { min: 0, atLeast: 0.01 },
  },
  // From 0, so a bar's height is the latency's size: a 1 ms wobble stays flat, a doubling shows.
  { label: "p50", value: (p) => p.latencyMs?.p50 ?? null, show: ms, scale: { min: 0 } },
  { label: "p95", value: (p) => p.latencyMs?.p95 ?? null, show: ms, scale: { min: 0 } },
  { label: "p99", value: (p) => p.latencyMs?.p99 ?? null, show: ms, scale: { min: 0 } },
];

/**
 * Minute starts (ms) of the last `count` complete minutes, oldest first. The
 * current minute is left out: still filling, it would always look like a dip.
 */
export function minutes(now: number, count: number): number[] {
  const last = Math.floor(now / 60_000) * 60_000 - 60_000;
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * 60_000);
}

/** The trend lines. `width` is the number of minutes drawn. */
export function renderTrend(
  series: readonly SeriesPoint[],
  entries: readonly HistoryEntry[],
  canary: { readonly name: string; readonly weight: number } | null,
  now: number,
  width: number,
  paint: Paint,
): string[] {
  const axis = minutes(now, width);
  const cohorts = [...new Set(series.map((p) => p.cohort))].sort(cohortOrder);
  const label = (cohort: string, metric: string) =>
    `  ${cohort.padEnd(10).slice(0, 10)} ${metric.padEnd(7)}`;
  const lines = [
    paint("bold", `trend, last ${width} complete minutes (one character per minute, newest right)`),
  ];
  if (canary !== null) {
    // The line ends with the last complete minute; beside it, the weight in force now.
    const steps = sparkline(weightSteps(entries, axis), { min: 0, atLeast: 100 });
    lines.push(
      `${label(canary.name, "weight")} ${paint("accent", steps)}  ${weight(canary.weight)} now`,
    );
  }
  for (const cohort of cohorts) {
    const points = new Map(series.filter((p) => p.cohort === cohort).map((p) => [p.at ?? 0, p]));
    METRICS.forEach((metric, i) => {
      const values = axis.map((at) => {
        const point = points.get(at);
        return point === undefined ? (metric.label === "req/min" ? 0 : null) : metric.value(point);
      });
      // The last complete minute's value ("–" when it had none), under the line's right end.
      const latest = values[values.length - 1] ?? null;
      lines.push(
        `${label(i === 0 ? cohort : "", metric.label)} ${sparkline(values, metric.scale)}  ${metric.show(latest)}`,
      );
    });
  }
  if (cohorts.length === 0) {
    lines.push(paint("dim", "  no requests in this span"));
  }
  return lines;
}

/** The canary's weight at each minute, from the history's weight moves; null without any. */
export function weightSteps(
  entries: readonly HistoryEntry[],
  axis: readonly number[],
): (number | null)[] {
  const moves = entries
    .filter(
      (e) => e.written || e.action === "start" || e.action === "manual" || e.action === "paused",
    )
    .map((e) => ({ at: Date.parse(e.at), to: e.dryRun ? e.from : e.to, from: e.from }));
  return axis.map((minute) => {
    const end = minute + 60_000;
    const before = moves.filter((m) => m.at < end);
    // Before the first recorded move nothing is known (the rollout may not have existed).
    return before[before.length - 1]?.to ?? null;
  });
}
