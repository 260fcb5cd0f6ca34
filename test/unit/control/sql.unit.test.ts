import { describe, expect, it } from "vitest";
import metricsDoc from "../../../docs/metrics.md?raw";
import guide from "../../../docs/canary-analysis.md?raw";
import {
  ERROR_CONDITION,
  isAnalysed,
  isError,
  isSafeLiteral,
  analysisSql,
  starterQueries,
} from "../../../src/control/sql";
import type { AnalysisQuery, CellQuery } from "../../../src/control/analysis-query";
import { column } from "../../../src/core/metrics";

const WINDOW = { key: "default", revisions: ["aaaa0001", "aaaa0002"], lookbackSeconds: 3600 };
const QUANTILES: AnalysisQuery = { kind: "quantiles", ...WINDOW };
const CELLS: CellQuery = {
  kind: "cells",
  ...WINDOW,
  thresholds: [
    { revision: "aaaa0001", quantile: "p95", below: 228, within: 285 },
    { revision: "aaaa0002", quantile: "p95", below: 231, within: 288.75 },
  ],
};

describe("the analysis SQL", () => {
  it("takes column names from the column map", () => {
    expect(column("rolloutKey")).toBe("index1");
    expect(column("cohort")).toBe("blob1");
    expect(column("decidedBy")).toBe("blob8");
    expect(column("durationMs")).toBe("double3");
  });

  it("renders the quantile query", () => {
    expect(analysisSql(QUANTILES)).toBe(
      [
        "SELECT",
        "    blob5 AS revision,",
        "    blob1 AS cohort,",
        "    count() AS rows_read,",
        "    quantileExactWeighted(0.45)(double3, _sample_interval) AS p50_low_ms,",
        "    quantileExactWeighted(0.5)(double3, _sample_interval) AS p50_ms,",
        "    quantileExactWeighted(0.55)(double3, _sample_interval) AS p50_high_ms,",
        "    quantileExactWeighted(0.93)(double3, _sample_interval) AS p95_low_ms,",
        "    quantileExactWeighted(0.95)(double3, _sample_interval) AS p95_ms,",
        "    quantileExactWeighted(0.97)(double3, _sample_interval) AS p95_high_ms,",
        "    quantileExactWeighted(0.985)(double3, _sample_interval) AS p99_low_ms,",
        "    quantileExactWeighted(0.99)(double3, _sample_interval) AS p99_ms,",
        "    quantileExactWeighted(0.995)(double3, _sample_interval) AS p99_high_ms",
        "FROM gray_router",
        "WHERE index1 = 'default'",
        "  AND timestamp > NOW() - INTERVAL '3600' SECOND",
        "  AND blob8 IN ('weights', 'rule')",
        "  AND blob5 IN ('aaaa0001', 'aaaa0002')",
        "  AND blob2 = 'ok'",
        "GROUP BY revision, cohort",
        "ORDER BY revision, cohort",
      ].join("\n"),
    );
  });

  it("renders the cell query, with each revision's thresholds as nested ifs", () => {
    expect(analysisSql(CELLS)).toBe(
      [
        "SELECT",
        "    blob5 AS revision,",
        "    blob1 AS cohort,",
        "    double4 % 64 AS cluster,",
        "    count() AS rows_read,",
        "    sum(_sample_interval) AS requests,",
        "    sum(_sample_interval * _sample_interval) AS requests_sq,",
        "    sum(if(double1 >= 500 OR blob2 NOT IN ('ok', 'client_abort', 'client_timeout', 'bad_request'), _sample_interval, 0)) AS errors,",
        "    sum(if(blob2 = 'ok', 1, 0)) AS ok_rows,",
        "    sum(if(blob2 = 'ok', _sample_interval, 0)) AS ok_requests,",
        "    sum(if(blob2 = 'ok', _sample_interval * _sample_interval, 0)) AS ok_sq,",
        "    sum(if(blob8 = 'weights', _sample_interval, 0)) AS assigned,",
        "    sum(if(blob8 = 'weights' AND blob11 = 'new', 1, 0)) AS new_rows,",
        "    sum(if(blob8 = 'weights' AND blob11 = 'new', _sample_interval, 0)) AS new_visitors,",
        "    sum(if(blob8 = 'weights' AND blob11 = 'new', _sample_interval * _sample_interval, 0)) AS new_sq,",
        "    sum(if(blob2 = 'ok' AND double3 <= if(blob5 = 'aaaa0001', 228, if(blob5 = 'aaaa0002', 231, -1)), _sample_interval, 0)) AS p95_below,",
        "    sum(if(blob2 = 'ok' AND double3 <= if(blob5 = 'aaaa0001', 285, if(blob5 = 'aaaa0002', 288.75, -1)), _sample_interval, 0)) AS p95_within",
        "FROM gray_router",
        "WHERE index1 = 'default'",
        "  AND timestamp > NOW() - INTERVAL '3600' SECOND",
        "  AND blob8 IN ('weights', 'rule')",
        "  AND blob5 IN ('aaaa0001', 'aaaa0002')",
        "GROUP BY revision, cohort, cluster",
        "ORDER BY revision, cohort, cluster",
      ].join("\n"),
    );
  });

  it("refuses a threshold that is not a finite number", () => {
    const bad: CellQuery = {
      ...CELLS,
      thresholds: [{ revision: "aaaa0001", quantile: "p95", below: Number.NaN, within: 1 }],
    };
    expect(() => analysisSql(bad)).toThrow(RangeError);
  });

  it("rounds the look-back up to whole seconds and cuts the key like index1 (96 characters)", () => {
    const long = `${"a".repeat(90)}.example.com`;
    const sql = analysisSql({ ...QUANTILES, key: long, lookbackSeconds: 59.2 });
    expect(sql).toContain("INTERVAL '60' SECOND");
    expect(sql).toContain(`index1 = '${long.slice(0, 96)}'`);
  });

  it("refuses values that would need escaping instead of escaping them", () => {
    for (const ok of ["default", "www.example.com", "[::1]", "0badc0de", "canary_b-2"]) {
      expect(isSafeLiteral(ok)).toBe(true);
    }
    for (const bad of ["", "it's", "a\\b", "a b", "x'); DROP", "é.example"]) {
      expect(isSafeLiteral(bad)).toBe(false);
    }
    expect(() => analysisSql({ ...QUANTILES, revisions: ["' OR 1=1"] })).toThrow(RangeError);
  });

  it("has JS twins that agree with the SQL error condition and traffic filter", () => {
    expect(ERROR_CONDITION).toBe(
      "double1 >= 500 OR blob2 NOT IN ('ok', 'client_abort', 'client_timeout', 'bad_request')",
    );
    const table: [number, string, boolean][] = [
      [200, "ok", false],
      [404, "ok", false],
      [500, "ok", true],
      [503, "failover", true],
      [0, "origin_error", true],
      [0, "timeout", true],
      [200, "stream_error", true],
      [200, "client_abort", false],
      [502, "client_abort", true],
    ];
    for (const [status, outcome, error] of table) {
      expect(isError(status, outcome), `${status} ${outcome}`).toBe(error);
    }
    expect(["weights", "rule", "override", "breaker", ""].map(isAnalysed)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("is what docs/canary-analysis.md shows, query for query", () => {
    const q = starterQueries();
    for (const sql of [
      q.requestRate,
      q.errorRate,
      q.latency,
      analysisSql(QUANTILES),
      analysisSql(CELLS),
    ]) {
      expect(guide).toContain(`\`\`\`sql\n${sql}\n\`\`\``);
    }
  });

  it("renders the three starter queries of docs/metrics.md exactly", () => {
    const q = starterQueries();
    expect(metricsDoc).toContain(`\`\`\`sql\n${q.requestRate}\n\`\`\``);
    expect(metricsDoc).toContain(`\`\`\`sql\n${q.latency}\n\`\`\``);
    expect(metricsDoc).toContain(`\`\`\`sql\n${q.errorRate}\n\`\`\``);
  });
});
