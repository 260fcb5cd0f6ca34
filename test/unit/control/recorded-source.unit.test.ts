import { describe, expect, it } from "vitest";
import {
  decodeDataPoint,
  RecordedMetricsSource,
  weightedQuantile,
} from "../../../src/control/recorded-source";
import type { RecordedPoint } from "../../../src/control/recorded-source";
import { toDataPoint } from "../../../src/core/metrics";
import type { RequestMetrics } from "../../../src/core/metrics";

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

const QUERY = {
  key: "default",
  revisions: ["aaaa0001", "aaaa0002"],
  currentRevision: "aaaa0002",
  lookbackSeconds: 600,
};

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
    });
  });

  it("gives null for a point that lacks a field or has the wrong type", () => {
    expect(decodeDataPoint({})).toBeNull();
    expect(decodeDataPoint({ ...toDataPoint(metrics()), doubles: [200] })).toBeNull();
    expect(
      decodeDataPoint({ ...toDataPoint(metrics()), indexes: [new ArrayBuffer(4)] }),
    ).toBeNull();
  });
});

describe("RecordedMetricsSource", () => {
  it("applies the query's filters: key, revisions, window, and no QA or breaker traffic", async () => {
    const points = [
      point({ cohort: "canary" }),
      point({ cohort: "canary", revision: "aaaa0001" }),
      point({ cohort: "stable", decidedBy: "rule" }),
      point({ cohort: "canary", decidedBy: "override" }),
      point({ cohort: "stable", decidedBy: "breaker" }),
      point({ cohort: "canary", revision: "ffff0000" }),
      point({ cohort: "canary", rolloutKey: "other.example.com" }),
      point({ cohort: "canary" }, 601),
    ];
    const source = new RecordedMetricsSource(
      () => points,
      () => NOW,
    );
    const { cohorts } = await source.read(QUERY);
    expect(cohorts.map((c) => [c.cohort, c.requests, c.stepRequests])).toEqual([
      ["canary", 2, 1],
      ["stable", 1, 0],
    ]);
  });

  it("counts errors by the shared rule and takes latency from ok requests only", async () => {
    const points = [
      ...[10, 20, 30, 40].map((durationMs) => point({ durationMs })),
      point({ status: 503, durationMs: 50 }),
      point({ outcome: "timeout", status: 0, durationMs: 30_000 }),
      point({ outcome: "client_abort", status: 200, durationMs: 1 }),
      point({ outcome: "failover", status: 200, durationMs: 60 }),
    ];
    const source = new RecordedMetricsSource(
      () => points,
      () => NOW,
    );
    const [canary] = (await source.read(QUERY)).cohorts;
    expect(canary).toEqual({
      cohort: "canary",
      requests: 8,
      errors: 3,
      stepRequests: 8,
      rows: 8,
      latencyMs: { p50: 30, p95: 50, p99: 50 },
    });
  });

  it("weights sampled rows by their sample interval", async () => {
    const points = [
      point({ durationMs: 10 }, 10, 9),
      point({ durationMs: 1000, status: 500 }, 10, 1),
    ];
    const source = new RecordedMetricsSource(
      () => points,
      () => NOW,
    );
    const [canary] = (await source.read(QUERY)).cohorts;
    expect(canary).toMatchObject({
      requests: 10,
      errors: 1,
      rows: 2,
      latencyMs: { p50: 10, p95: 1000, p99: 1000 },
    });
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
