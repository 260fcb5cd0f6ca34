/**
 * The collector's answers to the series query (series.ts `seriesApiRows`,
 * the JS twin of the series SQL), read from the points inside the query's
 * look-back only, and per step: a step that is over (the store holds a
 * point after it) gives the same rows on every later query, so its rows are
 * computed once and kept until the store changes otherwise than by
 * appending (a point stamped in the past, old points dropped). The live
 * report and `gray report` ask for hours of minutes; only the newest minute
 * and the one the look-back cuts are read again. The rows are those of one
 * `seriesApiRows` call over all the points: each row is one step's, and the
 * rows come in step order.
 */

import { seriesApiRows } from "../control/series";
import type { SeriesApiRow, SeriesQuery } from "../control/series";
import { lowerBound } from "../report/replay-window";
import type { PointStore } from "./store";

/** Steps kept at most (about 70 days of minutes for one rollout); past that, the cache starts over. */
const MAX_STEPS = 100_000;

/** Rows of finished steps, by query and step. */
export class SeriesCache {
  private readonly steps = new Map<string, readonly SeriesApiRow[]>();
  private generation = -1;

  /** The SQL API's rows for `query` at `now`, as `seriesApiRows` over the store's points gives them. */
  rows(store: PointStore, query: SeriesQuery, now: number): SeriesApiRow[] {
    const points = store.all();
    // seriesApiRows keeps the points after `now` less the look-back rounded up to whole
    // seconds: every point from a second earlier on is handed to it, and it picks.
    const window = now - query.lookbackSeconds * 1000;
    const first = lowerBound(points, window - 1000);
    if (query.stepSeconds === null) {
      return seriesApiRows(points.slice(first), query, now);
    }
    if (store.generation() !== this.generation || this.steps.size > MAX_STEPS) {
      this.steps.clear();
      this.generation = store.generation();
    }
    // The step as seriesApiRows takes it (whole seconds, at least 1); its rows for a step
    // come from the points of that step alone.
    const stepMs = Math.max(1, Math.ceil(query.stepSeconds)) * 1000;
    const newest = points[points.length - 1]?.at ?? Number.NEGATIVE_INFINITY;
    const rows: SeriesApiRow[] = [];
    for (let lo = first; lo < points.length;) {
      const start = Math.floor((points[lo]?.at ?? 0) / stepMs) * stepMs;
      const hi = lowerBound(points, start + stepMs);
      // Whole (after the look-back's start) and over (a later point is stored).
      const final = start > window && newest >= start + stepMs;
      const id = JSON.stringify([query.key, query.revision, stepMs, start]);
      let stepRows = final ? this.steps.get(id) : undefined;
      if (stepRows === undefined) {
        stepRows = seriesApiRows(points.slice(lo, hi), query, now);
        if (final) {
          this.steps.set(id, stepRows);
        }
      }
      rows.push(...stepRows);
      lo = hi;
    }
    return rows;
  }
}
