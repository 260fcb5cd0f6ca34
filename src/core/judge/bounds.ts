/**
 * Pieces every check's decision uses: the anytime-valid half-width of an
 * estimate with a given variance, and a cohort's sample sizes for summaries.
 */

import { mixtureCriticalValue } from "./sequential";
import { effectiveSize } from "./strata";
import type { Cell, SampleSize } from "./types";

/**
 * Half-width of the one-sided anytime-valid bound (normal mixture with
 * precision `rho`, level `alpha`) for an estimate with this variance, and the
 * critical value z* behind it; no width without a positive variance.
 */
export function anytimeBounds(
  variance: number,
  rho: number,
  alpha: number,
): { halfWidth: number; criticalValue: number } {
  if (!(variance > 0 && Number.isFinite(variance))) {
    return { halfWidth: Number.POSITIVE_INFINITY, criticalValue: Number.NaN };
  }
  const z = mixtureCriticalValue(variance, rho, alpha);
  return { halfWidth: z * Math.sqrt(variance * (1 + rho * variance)), criticalValue: z };
}

/** Which sums a sample size is taken from. */
export type SampleKind = "requests" | "ok" | "new";

/** A cohort's stored rows and effective sample size over its cells. */
export function cohortSample(cells: readonly Cell[], cohort: string, kind: SampleKind): SampleSize {
  let rows = 0;
  let sum = 0;
  let sumSq = 0;
  for (const c of cells) {
    if (c.cohort !== cohort) {
      continue;
    }
    rows += kind === "requests" ? c.rows : kind === "ok" ? c.okRows : c.newRows;
    sum += kind === "requests" ? c.requests : kind === "ok" ? c.ok : c.newVisitors;
    sumSq += kind === "requests" ? c.requestsSq : kind === "ok" ? c.okSq : c.newSq;
  }
  return { cohort, rows, effective: effectiveSize(sum, sumSq) };
}
