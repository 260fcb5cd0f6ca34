/**
 * One check's result as a display sees it, whatever the check: the judge's
 * uniform summary (label, unit, estimate, bounds, limit, which side fails).
 * Results recorded before the judge had a summary are read from their
 * figures, so older histories still draw.
 */

/** A check result as stored (judge output or history entry). */
export interface CheckLike {
  readonly check: string;
  readonly status: string;
  readonly figures: Readonly<Record<string, number>>;
  readonly summary?: Partial<CheckSummaryView> | null | undefined;
}

/** The uniform summary of a check, the fields the report draws. */
export interface CheckSummaryView {
  readonly label: string;
  /** `rate`, `ratio` or `share`. */
  readonly unit: string;
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly limit: number | null;
  /** true: fails above the limit; false: below; null: two-sided. */
  readonly failAbove: boolean | null;
}

/** The summary of a result; null when neither a summary nor known figures are there. */
export function summaryOf(result: CheckLike): CheckSummaryView | null {
  const s = result.summary;
  if (s !== undefined && s !== null && typeof s.label === "string") {
    return {
      label: s.label,
      unit: typeof s.unit === "string" ? s.unit : "rate",
      estimate: numberOrNull(s.estimate),
      lower: numberOrNull(s.lower),
      upper: numberOrNull(s.upper),
      limit: numberOrNull(s.limit),
      failAbove: typeof s.failAbove === "boolean" ? s.failAbove : null,
    };
  }
  return fromFigures(result.check, result.figures);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Figures of a judge without summaries (the figure names it used). */
function fromFigures(check: string, f: Readonly<Record<string, number>>): CheckSummaryView | null {
  const get = (name: string): number | null => numberOrNull(f[name]);
  if (check === "error_rate_absolute") {
    return {
      label: "canary error rate",
      unit: "rate",
      estimate: get("errorRate"),
      lower: get("lower"),
      upper: get("upper"),
      limit: get("limit"),
      failAbove: true,
    };
  }
  if (check === "error_rate_relative") {
    const difference = get("difference");
    const excess = get("excess");
    const shift = (bound: number | null): number | null =>
      bound === null || difference === null || excess === null ? null : bound - excess + difference;
    return {
      label: "canary − stable error rate",
      unit: "rate",
      estimate: difference,
      lower: shift(get("excessLower")),
      upper: shift(get("excessUpper")),
      limit: get("margin"),
      failAbove: true,
    };
  }
  const latency = /^latency_(p\d+)$/.exec(check);
  if (latency !== null) {
    const ratio = get("ratio");
    return {
      label: `${latency[1] ?? ""} latency canary / stable`,
      unit: "ratio",
      estimate: ratio,
      lower: ratio,
      upper: ratio,
      limit: get("maxRatio"),
      failAbove: true,
    };
  }
  return null;
}
