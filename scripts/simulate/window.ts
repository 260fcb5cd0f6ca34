/**
 * The simulation's metrics source: the JS twin of the analysis SQL
 * (recorded-source.ts `WindowAggregate`, the same sums and rows
 * `answerQuery` computes) kept up to date as simulated minutes add data
 * points and the query's look-back drops old ones, so a run costs time in
 * proportion to its traffic, not to its traffic times its minutes. A unit
 * test checks it against `answerQuery` on the same points.
 */

import { readWindow } from "../../src/control/metrics-source";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "../../src/control/metrics-source";
import type { AnalysisQuery } from "../../src/control/analysis-query";
import {
  analysedFor,
  decodeDataPoint,
  WindowAggregate,
  windowStart,
} from "../../src/control/recorded-source";
import type { DecodedPoint, RecordedPoint, SqlAnswer } from "../../src/control/recorded-source";

interface Kept {
  readonly at: number;
  readonly point: DecodedPoint;
  readonly weight: number;
}

/** Data points in time order, and the twin's sums over those inside the current look-back. */
export class SlidingWindow implements MetricsSource {
  private readonly kept: Kept[] = [];
  private aggregate = new WindowAggregate();
  /** Points before this index have left the window (or were never in it). */
  private first = 0;
  /** Points before this index have been added to the aggregate. */
  private added = 0;
  private since = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly key: string,
    private readonly now: () => number,
  ) {}

  /** Adds points stamped after every point added before (one simulated minute at a time). */
  push(points: RecordedPoint[]): void {
    points.sort((a, b) => a.at - b.at);
    for (const recorded of points) {
      const point = decodeDataPoint(recorded.point);
      if (point !== null && analysedFor(point, this.key)) {
        this.kept.push({ at: recorded.at, point, weight: recorded.sampleInterval ?? 1 });
      }
    }
  }

  /** The twin's answer at `now()`: the window moved to the query's look-back first. */
  answer(query: AnalysisQuery): SqlAnswer {
    this.moveTo(windowStart(query, this.now()));
    return this.aggregate.answer(query);
  }

  read(query: MetricsQuery): Promise<WindowMetrics> {
    return readWindow(query, (q) => Promise.resolve(this.answer(q)));
  }

  private moveTo(since: number): void {
    if (since < this.since) {
      // The window grew backwards (a longer look-back): start over.
      this.aggregate = new WindowAggregate();
      this.first = 0;
      this.added = 0;
    }
    this.since = since;
    while (this.first < this.added && (this.kept[this.first]?.at ?? Infinity) <= since) {
      const k = this.kept[this.first];
      if (k !== undefined) {
        this.aggregate.add(k.point, k.weight, -1);
      }
      this.first += 1;
    }
    if (this.first > this.added) {
      this.added = this.first;
    }
    while (this.added < this.kept.length) {
      const k = this.kept[this.added];
      this.added += 1;
      if (k === undefined) {
        continue;
      }
      if (k.at <= since) {
        this.first = this.added;
        continue;
      }
      this.aggregate.add(k.point, k.weight);
    }
  }
}
