/**
 * Small helpers shared by the checks: input validation and building results.
 */

import type {
  Cell,
  CheckName,
  CheckResult,
  CheckSummary,
  ReasonCode,
  SampleSize,
  Status,
  SummaryUnit,
} from "./types";

const SUMS = [
  "rows",
  "requests",
  "requestsSq",
  "errors",
  "okRows",
  "ok",
  "okSq",
  "assigned",
  "newRows",
  "newVisitors",
  "newSq",
] as const;

/**
 * Describes what is wrong with a cell's numbers, or returns null when they
 * are usable. Checked up front so no statistic is ever computed from NaN,
 * negative counts or more errors than requests.
 */
export function cellProblem(cell: Cell): string | null {
  // Every check looks at the same cells; validate each cell object once.
  const known = checked.get(cell);
  if (known !== undefined) {
    return known;
  }
  const problem = findProblem(cell);
  checked.set(cell, problem);
  return problem;
}

const checked = new WeakMap<Cell, string | null>();

function findProblem(cell: Cell): string | null {
  const where = (): string =>
    `cohort "${cell.cohort}", stratum "${cell.stratum}", cluster ${String(cell.cluster)}`;
  for (const field of SUMS) {
    const value = cell[field];
    if (!(Number.isFinite(value) && value >= 0)) {
      return `${where()}: invalid ${field} (${String(value)})`;
    }
  }
  // Sample weighting can make a part exceed its whole by rounding only.
  const slack = 1 + 1e-9;
  if (cell.errors > cell.requests * slack || cell.ok > cell.requests * slack) {
    return `${where()}: more errors or ok requests than requests`;
  }
  for (const [quantile, counts] of Object.entries(cell.latency)) {
    const { below, within } = counts;
    if (!(Number.isFinite(below) && Number.isFinite(within) && below >= 0 && within >= 0)) {
      return `${where()}: invalid latency counts for ${quantile}`;
    }
    if (below > cell.ok * slack || within > cell.ok * slack) {
      return `${where()}: more ${quantile} latency counts than ok requests`;
    }
  }
  return null;
}

/** An empty summary: nothing measured yet. */
export function emptySummary(
  label: string,
  unit: SummaryUnit,
  limit: number | null,
  failAbove: boolean | null,
  samples: readonly SampleSize[] = [],
): CheckSummary {
  return { label, unit, estimate: null, lower: null, upper: null, limit, failAbove, samples };
}

/** Finite numbers only: results are stored as JSON, where Infinity and NaN would become null. */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
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
  summary: CheckSummary,
  figures: Readonly<Record<string, number>> = {},
): CheckResult {
  const finite: Record<string, number> = {};
  for (const [key, value] of Object.entries(figures)) {
    if (Number.isFinite(value)) {
      finite[key] = value;
    }
  }
  return {
    check,
    status,
    code,
    reason,
    figures: finite,
    summary: {
      ...summary,
      estimate: finiteOrNull(summary.estimate),
      lower: finiteOrNull(summary.lower),
      upper: finiteOrNull(summary.upper),
      limit: finiteOrNull(summary.limit),
      samples: summary.samples.map((s) => ({ ...s })),
    },
  };
}

/** Formats a rate as a percentage for reasons: 0.01234 -> "1.23%". */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** Formats a count for reasons without spurious decimals from sample weighting. */
export function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
