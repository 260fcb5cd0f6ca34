/**
 * One judge check as text, generically: its name, status, the judge's own
 * sentence, its uniform summary (what is compared, the estimate with its
 * bounds against the limit, the samples) and its figures map. Any check the
 * judge adds shows without a change here.
 */

import type { CheckView, SummaryView } from "../status-view";
import { count, figure, percent } from "./format";
import type { Paint } from "./style";
import { statusTone } from "./style";

const ICONS: Record<string, string> = { pass: "✓", fail: "✗", inconclusive: "…" };

/**
 * `✗ error_rate_relative  fail  <reason>`, then the summary
 * (`canary − stable error rate 0.52 % [0.31 %, 0.74 %] limit ≤ 0.50 %; canary 1,204 rows, ...`)
 * and the figures, dimmed.
 */
export function renderCheck(
  check: CheckView,
  paint: Paint,
  nameWidth: number,
  withFigures = true,
): string[] {
  const tone = statusTone(check.status);
  const icon = paint(tone, ICONS[check.status] ?? "?");
  const name = check.check.padEnd(nameWidth);
  const status = paint(tone, check.status.padEnd(12));
  const figures = Object.entries(check.figures)
    .map(([name, value]) => `${name}=${figure(value)}`)
    .join(" ");
  const line = `  ${icon} ${name}  ${status} ${check.reason}`;
  const summary = check.summary === undefined ? [] : [`      ${summaryLine(check.summary)}`];
  return figures === "" || !withFigures
    ? [line, ...summary]
    : [line, ...summary, paint("dim", `      ${figures}`)];
}

/** The uniform summary on one line; `–` for what is not known yet. */
export function summaryLine(summary: SummaryView): string {
  const value = (v: number | null): string =>
    v === null ? "–" : summary.unit === "ratio" ? `${figure(v)}×` : percent(v);
  const side = summary.failAbove === true ? "≤ " : summary.failAbove === false ? "≥ " : "";
  const limit = summary.limit === null ? "" : ` limit ${side}${value(summary.limit)}`;
  const samples = summary.samples
    .map((s) => `${s.cohort} ${count(s.rows)} rows (eff. ${count(s.effective)})`)
    .join(", ");
  return (
    `${summary.label} ${value(summary.estimate)} [${value(summary.lower)}, ${value(summary.upper)}]` +
    `${limit}${samples === "" ? "" : `; ${samples}`}`
  );
}

/** Every check, names aligned; figures under each unless `withFigures` is false. */
export function renderChecks(
  checks: readonly CheckView[],
  paint: Paint,
  withFigures = true,
): string[] {
  const width = Math.max(0, ...checks.map((c) => c.check.length));
  return checks.flatMap((check) => renderCheck(check, paint, width, withFigures));
}
