import { describe, expect, it } from "vitest";
import readme from "../../../README.md?raw";
import guide from "../../../docs/canary-analysis.md?raw";
import {
  ERROR_CONDITION,
  isAnalysed,
  isError,
  isSafeLiteral,
  readmeQueries,
  summarySql,
} from "../../../src/control/sql";
import { column } from "../../../src/core/metrics";

const FILTER = {
  key: "default",
  revisions: ["aaaa0001", "aaaa0002"],
  currentRevision: "aaaa0002",
  lookbackSeconds: 3600,
};

describe("the analysis SQL", () => {
  it("takes column names from the column map", () => {
    expect(column("rolloutKey")).toBe("index1");
    expect(column("cohort")).toBe("blob1");
    expect(column("decidedBy")).toBe("blob8");
    expect(column("durationMs")).toBe("double3");
  });

  it("renders the controller's summary query", () => {
    expect(summarySql(FILTER)).toBe(
      [
        "SELECT",
        "    blob1 AS cohort,",
        "    blob2 AS outcome,",
        "    sum(_sample_interval) AS requests,",
        "    sum(if(double1 >= 500, _sample_interval, 0)) AS status_errors,",
        "    sum(if(blob5 = 'aaaa0002' AND blob8 = 'weights', _sample_interval, 0)) AS step_requests,",
        "    quantileWeighted(0.5, double3, _sample_interval) AS p50_ms,",
        "    quantileWeighted(0.95, double3, _sample_interval) AS p95_ms,",
        "    quantileWeighted(0.99, double3, _sample_interval) AS p99_ms,",
        "    count() AS rows_read",
        "FROM gray_router",
        "WHERE index1 = 'default'",
        "  AND timestamp > NOW() - INTERVAL '3600' SECOND",
        "  AND blob8 IN ('weights', 'rule')",
        "  AND blob5 IN ('aaaa0001', 'aaaa0002')",
        "GROUP BY cohort, outcome",
        "ORDER BY cohort, outcome",
      ].join("\n"),
    );
  });

  it("rounds the look-back up to whole seconds and cuts the key like index1 (96 characters)", () => {
    const long = `${"a".repeat(90)}.example.com`;
    const sql = summarySql({ ...FILTER, key: long, lookbackSeconds: 59.2 });
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
    expect(() => summarySql({ ...FILTER, currentRevision: "' OR 1=1" })).toThrow(RangeError);
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
    const q = readmeQueries();
    for (const sql of [q.requestRate, q.errorRate, q.latency, summarySql(FILTER)]) {
      expect(guide).toContain(`\`\`\`sql\n${sql}\n\`\`\``);
    }
  });

  it("renders the README's request-rate and latency queries exactly", () => {
    const q = readmeQueries();
    expect(readme).toContain(`\`\`\`sql\n${q.requestRate}\n\`\`\``);
    expect(readme).toContain(`\`\`\`sql\n${q.latency}\n\`\`\``);
    expect(readme).toContain(`\`\`\`sql\n${q.errorRate}\n\`\`\``);
  });
});
