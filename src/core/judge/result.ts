/**
 * Small helpers shared by the checks: input validation and building results.
 */

import type { CheckName, CheckResult, CohortStats, ReasonCode, Status } from "./types";

/**
 * Describes what is wrong with a cohort's numbers, or returns null when they
 * are usable. Checked up front so no statistic is ever computed from NaN,
 * negative counts or more errors than requests.
 */
export function cohortProblem(stats: CohortStats): string | null {
  const { cohort, requests, errors } = stats;
  if (!Number.isFinite(requests) || requests < 0) {
    return `cohort "${cohort}" has an invalid request count (${String(requests)})`;
  }
  if (!Number.isFinite(errors) || errors < 0) {
    return `cohort "${cohort}" has an invalid error count (${String(errors)})`;
  }
  // Sample weighting can make errors exceed requests by rounding only.
  if (errors > requests * (1 + 1e-9)) {
    return `cohort "${cohort}" has more errors (${String(errors)}) than requests (${String(requests)})`;
  }
  return null;
}

/**
 * Builds a result, keeping only finite figures: results are meant to be logged
 * and stored as JSON, where Infinity and NaN would turn into null.
 */
export function makeResult(
  check: CheckName,
  status: Status,
  code: ReasonCode,
  reason: string,
  figures: Readonly<Record<string, number>> = {},
): CheckResult {
  const finite: Record<string, number> = {};
  for (const [key, value] of Object.entries(figures)) {
    if (Number.isFinite(value)) {
      finite[key] = value;
    }
  }
  return { check, status, code, reason, figures: finite };
}

/** Formats a rate as a percentage for reasons: 0.01234 -> "1.23%". */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** Formats a count for reasons without spurious decimals from sample weighting. */
export function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
