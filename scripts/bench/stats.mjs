// @ts-check
/** Small statistics helpers for the benchmark: exact percentiles and median with spread. */

/**
 * The `q` quantile (0..1) of `values` by the nearest-rank method; NaN when empty.
 * @param {ArrayLike<number>} values
 * @param {number} q
 */
export function percentile(values, q) {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return /** @type {number} */ (sorted[rank - 1]);
}

/**
 * The median of `values` (mean of the two middle values for an even count); NaN when empty.
 * @param {readonly number[]} values
 */
export function median(values) {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  const lower = sorted[mid - 1] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : (lower + upper) / 2;
}

/**
 * @typedef {{ median: number, min: number, max: number, n: number }} Spread
 *   The median of repeated measurements and their range.
 */

/**
 * @param {readonly number[]} values
 * @returns {Spread}
 */
export function spread(values) {
  return {
    median: median(values),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    n: values.length,
  };
}
