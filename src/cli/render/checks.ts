/**
 * One judge check as text, generically: its name, status, the judge's own
 * sentence (which carries the estimate, the bound and the margin), and its
 * figures map. Any check the judge adds shows without a change here; when
 * the judge's results gain a uniform summary (label, estimate, bounds,
 * limit, unit, sample sizes), this is the one function to adapt.
 */

import type { CheckView } from "../status-view";
import { figure } from "./format";
import type { Paint } from "./style";
import { statusTone } from "./style";

const ICONS: Record<string, string> = { pass: "✓", fail: "✗", inconclusive: "…" };

/** Two lines: `✗ error_rate_relative  fail  <reason>`, then the figures, dimmed. */
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
  return figures === "" || !withFigures ? [line] : [line, paint("dim", `      ${figures}`)];
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
