/**
 * The replay's metrics source: the analysis twin's sums (recorded-source.ts
 * `WindowAggregate`, the rows `answerQuery` would compute) over a range of
 * the rollout's points that only moves forward as the replayed minutes do.
 * Each point is added once and removed once, so replaying a long rollout
 * costs time in proportion to its points, not to its points times the
 * minutes each window covers; the sums, and so every answer, are the ones a
 * fresh reading of the same points gives (replay.unit.test.ts checks it).
 */

import { readWindow } from "../control/metrics-source";
import type { MetricsSource } from "../control/metrics-source";
import type { AnalysisQuery } from "../control/analysis-query";
import { analysedFor, WindowAggregate, windowStart } from "../control/recorded-source";
import type { DecodedPoint, SqlAnswer } from "../control/recorded-source";

/**
 * A data point as the replay reads it: decoded, with when it was written
 * and how many requests it stands for (one object per point: a long
 * rollout has hundreds of thousands).
 */
export interface ReplayPoint extends DecodedPoint {
  /** ms since the epoch. */
  readonly at: number;
  readonly weight: number;
}

/** The twin's sums over points[first, end) of one rollout's points, oldest first. */
export class ReplayWindow {
  private aggregate = new WindowAggregate();
  /** Points before this index are out of the sums (removed, or never added). */
  private first = 0;
  /** Points from `first` up to this index are in the sums. */
  private end = 0;

  constructor(
    private readonly points: readonly ReplayPoint[],
    private readonly key: string,
  ) {}

  /**
   * A source that answers as the SQL API would at `now` from the points
   * with index in [lo, hi) (the replayed minute's evidence) and inside each
   * query's look-back.
   */
  source(lo: number, hi: number, now: number): MetricsSource {
    return {
      read: (query) => readWindow(query, (q) => Promise.resolve(this.answer(q, lo, hi, now))),
    };
  }

  private answer(query: AnalysisQuery, lo: number, hi: number, now: number): SqlAnswer {
    const from = Math.max(lo, firstAfter(this.points, windowStart(query, now)));
    this.moveTo(from, Math.max(from, hi));
    return this.aggregate.answer(query);
  }

  /** Makes the sums those of points[from, to). */
  private moveTo(from: number, to: number): void {
    if (from < this.first || to < this.end) {
      // The range went backwards (not in a replay, whose minutes only advance): start over.
      this.aggregate = new WindowAggregate();
      this.first = from;
      this.end = from;
    }
    for (; this.first < from; this.first++) {
      if (this.first < this.end) {
        this.apply(this.first, -1);
      }
    }
    this.end = Math.max(this.end, this.first);
    for (; this.end < to; this.end++) {
      this.apply(this.end, 1);
    }
  }

  private apply(index: number, sign: 1 | -1): void {
    const p = this.points[index];
    if (p !== undefined && analysedFor(p, this.key)) {
      this.aggregate.add(p, p.weight, sign);
    }
  }
}

/** Index of the first point written after `since` (ms). */
function firstAfter(points: readonly ReplayPoint[], since: number): number {
  return firstIndex(
    points.length,
    (i) => points[i]?.at,
    (at) => at > since,
  );
}

/** Index of the first point written at or after `at` (ms), in points oldest first. */
export function lowerBound(points: readonly { readonly at: number }[], at: number): number {
  return firstIndex(
    points.length,
    (i) => points[i]?.at,
    (t) => t >= at,
  );
}

/**
 * The first index in [0, length) whose time passes `test`, by bisection:
 * times ascend with the index and `test` holds from some index on.
 */
export function firstIndex(
  length: number,
  timeAt: (index: number) => number | undefined,
  test: (at: number) => boolean,
): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(timeAt(mid) ?? Number.POSITIVE_INFINITY)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}
