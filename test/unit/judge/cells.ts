/**
 * Test helpers: cells (the judge's input) built from per-cohort totals,
 * spread evenly over bucket clusters, and simulated minute by minute with a
 * seeded generator.
 */

import type { Cell, LatencyCounts, LatencyQuantile } from "../../../src/core/judge";

/** A cell with every sum zero but the ones given. */
export function cell(fields: Partial<Cell> & Pick<Cell, "cohort">): Cell {
  return {
    stratum: "r1",
    cluster: 0,
    rows: 0,
    requests: 0,
    requestsSq: 0,
    errors: 0,
    okRows: 0,
    ok: 0,
    okSq: 0,
    assigned: 0,
    newRows: 0,
    newVisitors: 0,
    newSq: 0,
    latency: {},
    ...fields,
  };
}

/** What `spread` spreads: counts of stored rows, each standing for `weight` requests. */
export interface Totals {
  readonly cohort: string;
  readonly stratum?: string;
  readonly rows: number;
  /** Rows that are errors. */
  readonly errors?: number;
  readonly weight?: number;
  /** Rows of new visitors decided by the weights (default 0); every row is weights-decided. */
  readonly newRows?: number;
  /** Per quantile: rows at or below stable's quantile, and at or below the limit. */
  readonly latency?: Partial<Record<LatencyQuantile, LatencyCounts>>;
  readonly clusters?: number;
}

/** `n` split into `k` near-equal integer parts. */
function parts(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/**
 * Cells of one cohort in one stratum: rows, errors, new visitors and latency
 * counts spread evenly over the clusters (independent-looking data: no
 * cluster differs from another beyond rounding). Every row is `ok` unless
 * it is an error.
 */
export function spread(t: Totals): Cell[] {
  const k = t.clusters ?? 64;
  const w = t.weight ?? 1;
  const rows = parts(t.rows, k);
  const errors = parts(t.errors ?? 0, k);
  const fresh = parts(t.newRows ?? 0, k);
  const latency = Object.entries(t.latency ?? {}).map(
    ([q, c]) => [q, parts(c.below, k), parts(c.within, k)] as const,
  );
  return rows.flatMap((r, i) => {
    if (r === 0) {
      return [];
    }
    const e = errors[i] ?? 0;
    const ok = r - e;
    const n = fresh[i] ?? 0;
    return [
      cell({
        cohort: t.cohort,
        stratum: t.stratum ?? "r1",
        cluster: i,
        rows: r,
        requests: r * w,
        requestsSq: r * w * w,
        errors: e * w,
        okRows: ok,
        ok: ok * w,
        okSq: ok * w * w,
        assigned: r * w,
        newRows: n,
        newVisitors: n * w,
        newSq: n * w * w,
        latency: Object.fromEntries(
          latency.map(([q, below, within]) => [
            q,
            {
              below: Math.min(ok, below[i] ?? 0) * w,
              within: Math.min(ok, within[i] ?? 0) * w,
            },
          ]),
        ),
      }),
    ];
  });
}
