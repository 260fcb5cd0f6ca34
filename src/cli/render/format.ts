/**
 * Number, time and text formats of the CLI's text output, in one place so
 * every command writes "0.66 %", "48 ms" and "14:02:11" the same way.
 */

/** A share or rate (0..1) as a percent: 0.0066 -> "0.66 %". */
export function percent(value: number | null, digits = 2): string {
  return value === null ? "–" : `${(value * 100).toFixed(digits)} %`;
}

/** A weight already in percent: 12.5 -> "12.5 %". */
export function weight(value: number | null): string {
  return value === null ? "–" : `${Number(value.toFixed(2))} %`;
}

/** Milliseconds: 48.2 -> "48 ms", 1520 -> "1.52 s". */
export function ms(value: number | null): string {
  if (value === null) {
    return "–";
  }
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

/** A count with thousands separators; sample-weighted counts may be fractional. */
export function count(value: number): string {
  const rounded =
    value >= 100 || Number.isInteger(value) ? Math.round(value) : Number(value.toFixed(1));
  return rounded.toLocaleString("en-US");
}

/** A figure of the judge: integers as counts, small numbers with 4 significant digits. */
export function figure(value: number): string {
  if (Number.isInteger(value)) {
    return count(value);
  }
  return Math.abs(value) >= 1000 ? count(value) : String(Number(value.toPrecision(4)));
}

/** Local wall-clock time of an ISO timestamp or epoch ms: "14:02:11". */
export function clock(at: string | number, timeZone?: string): string {
  const date = new Date(at);
  return date.toLocaleTimeString("en-GB", {
    hour12: false,
    ...(timeZone === undefined ? {} : { timeZone }),
  });
}

/** A duration in words: 42 s, 3 min, 2 h 5 min. */
export function span(milliseconds: number): string {
  const seconds = Math.round(Math.abs(milliseconds) / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** "3 min ago" / "in 42 s" relative to now. */
export function relative(at: string | number, now: number): string {
  const delta = new Date(at).getTime() - now;
  return delta >= 0 ? `in ${span(delta)}` : `${span(delta)} ago`;
}

/** Pads cells to column widths; numbers (right) and text (left) by `align`. */
export function table(
  rows: readonly (readonly string[])[],
  align: readonly ("left" | "right")[],
  visibleLength: (text: string) => number = (text) => text.length,
): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return align[i] === "right" ? `${pad}${cell}` : `${cell}${pad}`;
      })
      .join("  ")
      .trimEnd(),
  );
}
