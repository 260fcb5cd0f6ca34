import { describe, expect, it } from "vitest";
import metricsDoc from "../../../docs/metrics.md?raw";
import { parseSeriesAnswer, seriesApiRows, seriesSql } from "../../../src/control/series";
import type { SeriesQuery } from "../../../src/control/series";
import { RecordedMetricsSource } from "../../../src/control/recorded-source";
import type { RecordedPoint } from "../../../src/control/recorded-source";
import { cohortTotals } from "../../../src/control/metrics-source";
import { toDataPoint } from "../../../src/core/metrics";
import type { RequestMetrics } from "../../../src/core/metrics";
import { requestMetrics } from "../../support/request-metrics";

// The operator's series query (src/control/series.ts): its SQL text, its
// JavaScript twin on captured points, and the parser both answers go through.

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 1, 12, 0, 30);
const M0 = Date.UTC(2026, 0, 1, 11, 58); // three minute buckets: 11:58, 11:59, 12:00

function at(ms: number, fields: Partial<RequestMetrics>, sampleInterval?: number): RecordedPoint {
  return {
    at: ms,
    point: toDataPoint(
      requestMetrics({ revision: "rev00002", colo: "AMS", durationMs: 100, ...fields }),
    ),
    ...(sampleInterval === undefined ? {} : { sampleInterval }),
  };
}

const POINTS: RecordedPoint[] = [
  // 11:58: stable ok x2 (one new), canary 500 (status error), canary timeout (error outcome).
  at(M0 + 1_000, { durationMs: 10, visitor: "new" }),
  at(M0 + 2_000, { durationMs: 30 }),
  at(M0 + 3_000, { cohort: "canary", status: 500, durationMs: 5 }),
  at(M0 + 4_000, { cohort: "canary", outcome: "timeout", status: 0, durationMs: 30_000 }),
  // 11:59: an older revision, a rule-decided request, a sampled row standing for 10.
  at(M0 + MINUTE + 1_000, { revision: "rev00001", durationMs: 40, visitor: "new" }),
  at(M0 + MINUTE + 2_000, { decidedBy: "rule", durationMs: 50 }),
  at(M0 + MINUTE + 3_000, { cohort: "canary", durationMs: 20, visitor: "new" }, 10),
  // Left out: a QA override, a breaker diversion, another key, a config error, too old.
  at(M0 + MINUTE + 4_000, { cohort: "canary", decidedBy: "override" }),
  at(M0 + MINUTE + 5_000, { decidedBy: "breaker" }),
  at(M0 + MINUTE + 6_000, { rolloutKey: "other.example.com" }),
  at(M0 + MINUTE + 7_000, { cohort: "", outcome: "config_error", decidedBy: "" }),
  at(NOW - 3_700_000, {}),
  // 12:00: a client abort (not an error; its latency is not an ok latency).
  at(M0 + 2 * MINUTE + 1_000, { outcome: "client_abort", durationMs: 7 }),
];

const PER_MINUTE: SeriesQuery = {
  key: "default",
  lookbackSeconds: 3600,
  stepSeconds: 60,
  revision: "rev00002",
};

const bucket = (ms: number) => ms / 1000;

describe("the series query's SQL", () => {
  it("renders per-minute rows of one key, analysed traffic only, assignments of one revision", () => {
    expect(seriesSql(PER_MINUTE)).toBe(
      [
        "SELECT",
        "    intDiv(toUInt32(timestamp), 60) * 60 AS bucket,",
        "    blob1 AS cohort,",
        "    blob2 AS outcome,",
        "    sum(_sample_interval) AS requests,",
        "    sum(if(double1 >= 500, _sample_interval, 0)) AS status_errors,",
        "    sum(if(blob8 = 'weights' AND blob5 = 'rev00002', _sample_interval, 0)) AS assigned,",
        "    sum(if(blob8 = 'weights' AND blob5 = 'rev00002' AND blob11 = 'new', _sample_interval, 0)) AS new_visitors,",
        "    quantileExactWeighted(0.5)(double3, _sample_interval) AS p50_ms,",
        "    quantileExactWeighted(0.95)(double3, _sample_interval) AS p95_ms,",
        "    quantileExactWeighted(0.99)(double3, _sample_interval) AS p99_ms,",
        "    count() AS rows_read",
        "FROM gray_router",
        "WHERE index1 = 'default'",
        "  AND timestamp > NOW() - INTERVAL '3600' SECOND",
        "  AND blob8 IN ('weights', 'rule')",
        "GROUP BY bucket, cohort, outcome",
        "ORDER BY bucket, cohort, outcome",
      ].join("\n"),
    );
  });

  it("without a step, one row per cohort and outcome over the window; without a revision, every assignment", () => {
    const sql = seriesSql({
      key: "default",
      lookbackSeconds: 300,
      stepSeconds: null,
      revision: null,
    });
    expect(sql).not.toContain("bucket");
    expect(sql).toContain("GROUP BY cohort, outcome");
    expect(sql).toContain("sum(if(blob8 = 'weights', _sample_interval, 0)) AS assigned,");
    expect(sql).toContain("INTERVAL '300' SECOND");
  });

  it("refuses values it cannot put into SQL safely", () => {
    expect(() => seriesSql({ ...PER_MINUTE, key: "x' OR 1=1 --" })).toThrow(RangeError);
    expect(() => seriesSql({ ...PER_MINUTE, revision: "r'" })).toThrow(RangeError);
  });

  it("is the query docs/metrics.md shows", () => {
    const documented = seriesSql({
      key: "default",
      lookbackSeconds: 3600,
      stepSeconds: 60,
      revision: null,
    });
    expect(metricsDoc).toContain(documented);
  });
});

describe("its JavaScript twin (what the local collector answers)", () => {
  it("gives the rows the SQL describes: buckets, filters, error statuses, assignments, new visitors, sample weights, quantiles", () => {
    expect(seriesApiRows(POINTS, PER_MINUTE, NOW)).toEqual([
      {
        bucket: bucket(M0),
        cohort: "canary",
        outcome: "ok",
        requests: 1,
        status_errors: 1,
        assigned: 1,
        new_visitors: 0,
        p50_ms: 5,
        p95_ms: 5,
        p99_ms: 5,
        rows_read: 1,
      },
      {
        bucket: bucket(M0),
        cohort: "canary",
        outcome: "timeout",
        requests: 1,
        status_errors: 0,
        assigned: 1,
        new_visitors: 0,
        p50_ms: 30_000,
        p95_ms: 30_000,
        p99_ms: 30_000,
        rows_read: 1,
      },
      {
        bucket: bucket(M0),
        cohort: "stable",
        outcome: "ok",
        requests: 2,
        status_errors: 0,
        assigned: 2,
        new_visitors: 1,
        p50_ms: 10,
        p95_ms: 30,
        p99_ms: 30,
        rows_read: 2,
      },
      {
        bucket: bucket(M0 + MINUTE),
        cohort: "canary",
        outcome: "ok",
        requests: 10,
        status_errors: 0,
        assigned: 10,
        new_visitors: 10,
        p50_ms: 20,
        p95_ms: 20,
        p99_ms: 20,
        rows_read: 1,
      },
      // rev00001 counts as traffic, not as an assignment of rev00002; the rule-decided one is no assignment.
      {
        bucket: bucket(M0 + MINUTE),
        cohort: "stable",
        outcome: "ok",
        requests: 2,
        status_errors: 0,
        assigned: 0,
        new_visitors: 0,
        p50_ms: 40,
        p95_ms: 50,
        p99_ms: 50,
        rows_read: 2,
      },
      {
        bucket: bucket(M0 + 2 * MINUTE),
        cohort: "stable",
        outcome: "client_abort",
        requests: 1,
        status_errors: 0,
        assigned: 1,
        new_visitors: 0,
        p50_ms: 7,
        p95_ms: 7,
        p99_ms: 7,
        rows_read: 1,
      },
    ]);
  });

  it("without a step, one row per cohort and outcome; without a revision, assignments of every revision", () => {
    const rows = seriesApiRows(POINTS, { ...PER_MINUTE, stepSeconds: null, revision: null }, NOW);
    expect(rows.map((r) => [r.cohort, r.outcome, r.requests, r.assigned, r.new_visitors])).toEqual([
      ["canary", "ok", 11, 11, 10],
      ["canary", "timeout", 1, 1, 0],
      ["stable", "client_abort", 1, 1, 0],
      ["stable", "ok", 4, 3, 2],
    ]);
    expect(rows.every((r) => !("bucket" in r))).toBe(true);
  });

  it("looks back exactly lookbackSeconds, like timestamp > NOW() - INTERVAL", () => {
    const edge = [at(NOW - 60_000, {}), at(NOW - 59_999, {})];
    const rows = seriesApiRows(
      edge,
      { ...PER_MINUTE, lookbackSeconds: 60, stepSeconds: null },
      NOW,
    );
    expect(rows.map((r) => r.requests)).toEqual([1]);
  });
});

describe("the answer's parser (SQL API and collector alike)", () => {
  const answer = (data: unknown[]) => JSON.stringify({ meta: [], data, rows: data.length });

  it("folds outcomes into one point per bucket and cohort with the judge's error rule and ok-latency", () => {
    const points = parseSeriesAnswer(answer(seriesApiRows(POINTS, PER_MINUTE, NOW)), "test");
    expect(
      points.map((p) => [p.at, p.cohort, p.requests, p.errors, p.assigned, p.newVisitors]),
    ).toEqual([
      [M0, "canary", 2, 2, 2, 0],
      [M0, "stable", 2, 0, 2, 1],
      [M0 + MINUTE, "canary", 10, 0, 10, 10],
      [M0 + MINUTE, "stable", 2, 0, 0, 0],
      [M0 + 2 * MINUTE, "stable", 1, 0, 1, 0],
    ]);
    // The canary's latency in 11:58 comes from its ok row only, not the 30 s timeout.
    expect(points[0]?.latencyMs).toEqual({ p50: 5, p95: 5, p99: 5 });
    // A minute with only a client abort has no ok latency.
    expect(points[4]?.latencyMs).toBeNull();
  });

  it("counts errors and requests exactly as the controller's analysis does", async () => {
    const rows = seriesApiRows(POINTS, { ...PER_MINUTE, stepSeconds: null }, NOW);
    const series = parseSeriesAnswer(answer(rows), "test");
    const analysis = cohortTotals(
      await new RecordedMetricsSource(
        () => POINTS,
        () => NOW,
      ).read({
        key: "default",
        revisions: ["rev00001", "rev00002"],
        currentRevision: "rev00002",
        lookbackSeconds: 3600,
        latencyLimits: {},
        minLatencyDeltaMs: 0,
      }),
    );
    expect(series.map((p) => [p.cohort, p.requests, p.errors])).toEqual(
      analysis.map((c) => [c.cohort, c.requests, c.errors]),
    );
    expect(series.some((p) => p.errors > 0)).toBe(true);
  });

  it("reads the SQL API's quoted 64-bit integers and NaN quantiles", () => {
    const [point] = parseSeriesAnswer(
      answer([
        {
          bucket: "1767268680",
          cohort: "stable",
          outcome: "ok",
          requests: "12",
          status_errors: "1",
          assigned: "12",
          new_visitors: "3",
          p50_ms: "nan",
          p95_ms: null,
          p99_ms: 4,
          rows_read: "12",
        },
      ]),
      "SQL API",
    );
    expect(point).toMatchObject({
      at: 1767268680_000,
      requests: 12,
      errors: 1,
      newVisitors: 3,
      latencyMs: null,
    });
  });

  it("says where an answer differs from the documented form", () => {
    expect(() => parseSeriesAnswer("<html>", "SQL API")).toThrow(
      "SQL API answered with something other than JSON: <html>",
    );
    expect(() => parseSeriesAnswer(answer([{ cohort: "stable" }]), "local collector")).toThrow(
      /local collector answer is not in the expected \{meta, data, rows\} form at data\.0\.outcome/,
    );
  });
});
