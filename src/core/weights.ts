/**
 * Converts a percent weight to hundredths of a percent (= buckets), or returns
 * `undefined` if it has more than two decimals. Floats such as 5.01 are not
 * exact, so "two decimals" means within 1e-6 of a whole number of hundredths.
 */
export function toHundredths(percent: number): number | undefined {
  const scaled = percent * 100;
  const rounded = Math.round(scaled);
  return Math.abs(scaled - rounded) < 1e-6 ? rounded : undefined;
}

/** Formats hundredths of a percent for messages: 8962 -> "89.62". */
export function formatHundredths(hundredths: number): string {
  return (hundredths / 100).toFixed(2).replace(/\.?0+$/, "");
}
