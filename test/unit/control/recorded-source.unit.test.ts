import { describe, expect, it } from "vitest";
import {
  answerQuery,
  decodeDataPoint,
  RecordedMetricsSource,
  WindowAggregate,
  weightedQuantile,
} from "../../../src/control/recorded-source";
import type { RecordedPoint } from "../../../src/control/recorded-source";
import type { AnalysisQuery, CellQuery } from "../../../src/control/analysis-query";
import { toDataPoint } from "../../../src/core/metrics";
import type { RequestMetrics } from "../../../src/core/metrics";
import { SlidingWindow } from "../../../scripts/simulate/window";
import { sfc32 } from "../../../scripts/simulate/random";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function metrics(fields: Partial<RequestMetrics> = {}): RequestMetrics {
  return {
    rolloutKey: "default",
    cohort: "canary",
    outcome: "ok",
    host: "www.example.com",
    method: "GET",
    revision: "aaaa0002",
    configState: "fresh",
    colo: "AMS",
    status: 200,
    ttfbMs: 5,
    durationMs: 100,
    bucket: 12,
    weightPercent: 10,
    bytes: 10,
    decidedBy: "weights",
    detail: "",
    visitor: "returning",
    breaker: "",
    ...fields,
  };
}

function point(
  fields: Partial<RequestMetrics> = {},
  secondsAgo = 10,
  sampleInterval?: number,
): RecordedPoint {
  return {
    at: NOW - secondsAgo * 1000,
    point: toDataPoint(metrics(fields)),
    ...(sampleInterval === undefined ? {} : { sampleInterval }),
  };
}

const WINDOW = { key: "default", revisions: ["aaaa0001", "aaaa0002"], lookbackSeconds: 600 };
const CELLS: CellQuery = { kind: "cells", ...WINDOW, thresholds: [] };

describe("decodeDataPoint", () => {
  it("reads the analysis fields back through the column map", () => {
    const m = metrics({ outcome: "timeout", status: 0, durationMs: 30_000, decidedBy: "rule" });
    expect(decodeDataPoint(toDataPoint(m))).toEqual({
      rolloutKey: "default",
      cohort: "canary",
      outcome: "timeout",
      revision: "aaaa0002",
      decidedBy: "rule",
      status: 0,
      durationMs: 30_000,
      bucket: 12,
      visitor: "returning",
    });
  });

  it("gives null for a point that lacks a field or has the wrong type", () => {
    expect(decodeDataPoint({})).toBeNull();
    expect(decodeDataPoint({ ...toDataPoint(metrics()), doubles: [200] })).toBeNull();
    expect(
      decodeDataPoint({ ...toDataPoint(metrics()), indexes: [new ArrayBuffer(4)] }),
    ).toBeNull();
  });

  it("reads a point written before blob11 existed as not a new visitor", () => {
    const old = toDataPoint(metrics({ visitor: "new" }));
    expect(decodeDataPoint({ ...old, blobs: old.blobs?.slice(0, 10) ?? [] })?.visitor).toBe("");
  });
});

describe("answerQuery (the JS twin of the analysis SQL)", () => {
  it("applies the WHERE clause: key, revisions, window, and no QA or breaker traffic", () => {
    const points = [
      point({ cohort: "canary" }),
      point({ cohort: "canary", revision: "aaaa0001" }),
      point({ cohort: "stable", decidedBy: "rule", bucket: 9000 }),
      point({ cohort: "canary", decidedBy: "override" }),
      point({ cohort: "stable", decidedBy: "breaker" }),
      point({ cohort: "canary", revision: "ffff0000" }),
      point({ cohort: "canary", rolloutKey: "other.example.com" }),
      point({ cohort: "canary" }, 600),
    ];
    const { data } = answerQuery(points, CELLS, NOW);
    expect(data.map((r) => [r["revision"], r["cohort"], r["cluster"], r["rows_read"]])).toEqual([
      ["aaaa0001", "canary", 12, 1],
      ["aaaa0002", "canary", 12, 1],
      ["aaaa0002", "stable", 9000 % 64, 1],
    ]);
  });

  it("sums per revision, cohort and bucket cluster: errors by the shared rule, new visitors decided by the weights", () => {
    const points = [
      point({ visitor: "new" }),
      point({ bucket: 12 + 64 }),
      point({ status: 503 }),
      point({ outcome: "timeout", status: 0 }),
      point({ outcome: "client_abort" }),
      point({ decidedBy: "rule", visitor: "new" }),
    ];
    const { data } = answerQuery(points, CELLS, NOW);
    expect(data).toEqual([
      {
        revision: "aaaa0002",
        cohort: "canary",
        cluster: 12,
        rows_read: 6,
        requests: 6,
        requests_sq: 6,
        errors: 2,
        ok_rows: 4,
        ok_requests: 4,
        ok_sq: 4,
        assigned: 5,
        new_rows: 1,
        new_visitors: 1,
        new_sq: 1,
      },
    ]);
  });

  it("weights sampled rows, and sums their squares for the effective size", () => {
    const points = [point({}, 10, 9), point({ status: 500 }, 10, 1)];
    const [row] = answerQuery(points, CELLS, NOW).data;
    expect(row).toMatchObject({ rows_read: 2, requests: 10, requests_sq: 82, errors: 1 });
  });

  it("counts ok latencies at or below each revision's thresholds", () => {
    const points = [10, 20, 30, 40, 50].map((durationMs) => point({ durationMs }));
    const query: CellQuery = {
      ...CELLS,
      thresholds: [{ revision: "aaaa0002", quantile: "p95", below: 30, within: 37.5 }],
    };
    const answer = answerQuery(
      [...points, point({ durationMs: 5, status: 500, outcome: "timeout" })],
      query,
      NOW,
    );
    expect(answer.data[0]).toMatchObject({ p95_below: 3, p95_within: 3, ok_rows: 5 });
    expect(answer.meta.map((m) => m.name).slice(-2)).toEqual(["p95_below", "p95_within"]);
  });

  it("gives each revision's and cohort's quantiles as quantileExactWeighted would, from ok rows", () => {
    const points = [
      ...[10, 20, 30, 40].map((durationMs) => point({ durationMs })),
      point({ status: 503, durationMs: 50 }),
      point({ outcome: "timeout", status: 0, durationMs: 30_000 }),
    ];
    const [row] = answerQuery(points, { kind: "quantiles", ...WINDOW }, NOW).data;
    expect(row).toMatchObject({
      revision: "aaaa0002",
      cohort: "canary",
      rows_read: 5,
      p50_ms: 30,
      p95_ms: 50,
      p99_ms: 50,
      p50_low_ms: 30,
      p50_high_ms: 30,
    });
  });
});

describe("WindowAggregate", () => {
  it("gives the same answer after points are removed as if they were never added", () => {
    const rng = sfc32(5);
    const points = Array.from({ length: 400 }, (_, i) =>
      point(
        {
          cohort: rng() < 0.3 ? "canary" : "stable",
          bucket: Math.floor(rng() * 10_000),
          durationMs: Math.round(50 + 200 * rng()),
          status: rng() < 0.05 ? 500 : 200,
          visitor: rng() < 0.2 ? "new" : "returning",
          revision: i < 200 ? "aaaa0001" : "aaaa0002",
        },
        500 - i,
        rng() < 0.5 ? 10 : 1,
      ),
    );
    const queries: AnalysisQuery[] = [
      { kind: "quantiles", ...WINDOW },
      {
        ...CELLS,
        thresholds: [{ revision: "aaaa0001", quantile: "p50", below: 150, within: 180 }],
      },
    ];
    const all = new WindowAggregate();
    const later = new WindowAggregate();
    points.forEach((p, i) => {
      const decoded = decodeDataPoint(p.point);
      if (decoded === null) {
        throw new Error("undecodable point");
      }
      all.add(decoded, p.sampleInterval ?? 1);
      if (i >= 100) {
        later.add(decoded, p.sampleInterval ?? 1);
      }
    });
    for (const [i, p] of points.slice(0, 100).entries()) {
      const decoded = decodeDataPoint(p.point);
      if (decoded !== null && i < 100) {
        all.add(decoded, p.sampleInterval ?? 1, -1);
      }
    }
    for (const q of queries) {
      expect(all.answer(q)).toEqual(later.answer(q));
    }
  });
});

describe("the simulation's sliding window", () => {
  it("answers as answerQuery does on the same points, minute after minute", () => {
    const rng = sfc32(9);
    let now = NOW;
    const window = new SlidingWindow("default", () => now);
    const points: RecordedPoint[] = [];
    for (let minute = 0; minute < 30; minute++) {
      const batch = Array.from({ length: 40 }, () => ({
        at: now + rng() * 60_000,
        point: toDataPoint(
          metrics({
            cohort: rng() < 0.2 ? "canary" : "stable",
            bucket: Math.floor(rng() * 10_000),
            durationMs: Math.round(20 + 100 * rng()),
            revision: minute < 15 ? "aaaa0001" : "aaaa0002",
          }),
        ),
      }));
      points.push(...batch);
      window.push(batch);
      now += 60_000;
      const lookbackSeconds = minute < 20 ? 3600 : 600;
      for (const q of [
        { kind: "quantiles" as const, ...WINDOW, lookbackSeconds },
        { ...CELLS, lookbackSeconds },
      ]) {
        expect(window.answer(q)).toEqual(answerQuery(points, q, now));
      }
    }
  });
});

describe("RecordedMetricsSource", () => {
  it("reads the window through the twin: cells per stratum and the latency thresholds from stable", async () => {
    const points = [
      ...Array.from({ length: 20 }, (_, i) =>
        point({ cohort: "stable", bucket: 100 + i, durationMs: 100 + i }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        point({ cohort: "canary", bucket: i, durationMs: 200 + i }),
      ),
    ];
    const source = new RecordedMetricsSource(
      () => points,
      () => NOW,
    );
    const window = await source.read({
      key: "default",
      revisions: ["aaaa0001", "aaaa0002"],
      currentRevision: "aaaa0002",
      lookbackSeconds: 600,
      latencyLimits: { p95: 1.25 },
      minLatencyDeltaMs: 0,
    });
    expect(window.current).toBe("aaaa0002");
    expect(window.quantiles.find((q) => q.cohort === "stable")?.quantiles.p95?.ms).toBe(118);
    const canaryCells = window.cells.filter((c) => c.cohort === "canary");
    expect(canaryCells).toHaveLength(20);
    // Every canary request (200..219 ms) is above the limit, 1.25 x stable's p95 (118 ms).
    expect(canaryCells.every((c) => c.latency.p95?.within === 0)).toBe(true);
    const stableBelow = window.cells
      .filter((c) => c.cohort === "stable")
      .reduce((sum, c) => sum + (c.latency.p95?.below ?? 0), 0);
    expect(stableBelow).toBe(19);
  });
});

describe("weightedQuantile (quantileExactWeighted)", () => {
  it("returns the smallest observed value whose cumulative weight reaches the level", () => {
    const values = [1, 2, 3, 4].map((value) => ({ value, weight: 1 }));
    expect(weightedQuantile(values, 0.5)).toBe(2);
    expect(weightedQuantile(values, 0.51)).toBe(3);
    expect(weightedQuantile(values, 0.99)).toBe(4);
    expect(
      weightedQuantile(
        [
          { value: 7, weight: 3 },
          { value: 1, weight: 1 },
        ],
        0.5,
      ),
    ).toBe(7);
    expect(weightedQuantile([], 0.5)).toBeNull();
    expect(weightedQuantile([{ value: 1, weight: 0 }], 0.5)).toBeNull();
  });
});
