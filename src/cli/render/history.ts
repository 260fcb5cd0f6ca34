/**
 * History entries as text: one line per decision or manual change (when,
 * what, the weight move, why), then the figures behind it: each cohort's
 * counts and latency, and the checks that did not pass (all of them with
 * `--checks`). `history`, `wait` and `watch` share it.
 */

import type { HistoryEntry } from "../../control/history";
import { renderChecks } from "./checks";
import { clock, count, ms, percent, weight } from "./format";
import type { Paint, Tone } from "./style";

const TONES: Partial<Record<HistoryEntry["action"], Tone>> = {
  promote: "good",
  complete: "good",
  rollback: "bad",
  ramp_down: "bad",
  error: "warn",
  conflict: "warn",
  invalid: "bad",
  manual: "accent",
};

/** The headline of an entry. */
export function entryLine(entry: HistoryEntry, paint: Paint): string {
  const move =
    entry.from === entry.to
      ? `at ${weight(entry.from)}`
      : `${weight(entry.from)} → ${weight(entry.to)}`;
  const repeated =
    entry.repeated > 1 ? paint("dim", ` ×${entry.repeated} until ${clock(entry.until)}`) : "";
  const dry = entry.dryRun ? paint("warn", " [dry run]") : "";
  const action = paint(TONES[entry.action] ?? "dim", entry.action.padEnd(9));
  return `${clock(entry.at)}  ${action} ${entry.code.padEnd(22)} ${move.padEnd(16)} ${entry.reason}${repeated}${dry}`;
}

/** The headline, the cohorts' figures and, with `checks`, every check with its figures. */
export function entryLines(entry: HistoryEntry, paint: Paint, checks: boolean): string[] {
  const lines = [entryLine(entry, paint)];
  if (entry.cohorts.length > 0) {
    const cohorts = entry.cohorts
      .map((c) => {
        const rate = c.requests > 0 ? percent(c.errors / c.requests) : "–";
        const p95 = c.latencyMs === null ? "–" : ms(c.latencyMs.p95);
        return `${c.cohort} ${count(c.requests)} req ${rate} err p95 ${p95}`;
      })
      .join(" | ");
    lines.push(paint("dim", `          ${cohorts}`));
  }
  const shown = checks ? entry.checks : [];
  if (shown.length > 0) {
    // A stored check keeps its summary, not its sentence (the entry's reason names the failing
    // ones); entries written before the summary existed keep their figures instead.
    const views = shown.map((c) => ({ ...c, reason: c.code, figures: c.figures ?? {} }));
    lines.push(...renderChecks(views, paint).map((line) => `        ${line}`));
  }
  return lines;
}
