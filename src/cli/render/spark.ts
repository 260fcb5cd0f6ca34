/**
 * Sparklines for `gray watch`: one character per minute, eight heights.
 * A minute without a value (no requests, so no error rate or latency) is a
 * blank, not a zero.
 */

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/** Scale options: counts and rates start at 0; latency uses its own range. */
export interface SparkScale {
  readonly min?: number;
  /** The top is at least this (so a flat 0.1 % error rate does not fill the line). */
  readonly atLeast?: number;
}

/** One character per value. */
export function sparkline(values: readonly (number | null)[], scale: SparkScale = {}): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) {
    return " ".repeat(values.length);
  }
  const low = scale.min ?? Math.min(...present);
  const high = Math.max(scale.atLeast ?? -Infinity, ...present);
  const range = high - low;
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) {
        return " ";
      }
      const level = range <= 0 ? 0 : Math.round(((v - low) / range) * (BARS.length - 1));
      return BARS[Math.max(0, Math.min(BARS.length - 1, level))] ?? BARS[0];
    })
    .join("");
}
