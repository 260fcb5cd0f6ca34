import { describe, expect, it } from "vitest";
import doc from "../../docs/metrics.md?raw";
import { seriesSql } from "../../src/control/series";
import { ERROR_CONDITION, starterQueries } from "../../src/control/sql";
import { NON_ERROR_OUTCOMES } from "../../src/core/error-rule";
import { BLOB_FIELDS, COLUMNS, DOUBLE_FIELDS, column } from "../../src/core/metrics";

/** The page's SQL blocks. */
const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? "");

// The queries the page shows, written with the column map and the error rule:
// if either changes, the page must change with it.
const key = column("rolloutKey");
const cohort = column("cohort");
const weighted = "sum(_sample_interval)";
const errors = `sum(if(${ERROR_CONDITION}, _sample_interval, 0))`;
const p95 = (field: "durationMs" | "ttfbMs") =>
  `quantileWeighted(0.95, ${column(field)}, _sample_interval)`;
const QUERIES = [
  [
    "SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,",
    `       ${key} AS rollout_key, ${cohort} AS cohort,`,
    `       ${weighted} AS requests,`,
    `       ${errors} AS errors,`,
    "       count() AS rows_read",
    "FROM gray_router",
    "WHERE timestamp > NOW() - INTERVAL '1' HOUR",
    "GROUP BY minute, rollout_key, cohort",
    "ORDER BY minute, rollout_key, cohort",
  ],
  [
    `SELECT ${cohort} AS cohort,`,
    `       ${weighted} AS requests,`,
    `       ${errors} / ${weighted} AS error_rate,`,
    `       ${p95("durationMs")} AS p95_ms,`,
    "       count() AS rows_read",
    "FROM gray_router",
    `WHERE ${key} = 'default' AND timestamp > NOW() - INTERVAL '15' MINUTE`,
    "GROUP BY cohort",
    "ORDER BY cohort",
  ],
  [
    `SELECT ${key} AS rollout_key, ${cohort} AS cohort,`,
    `       ${p95("durationMs")} AS p95_ms,`,
    `       ${p95("ttfbMs")} AS p95_ttfb_ms,`,
    "       count() AS rows_read",
    "FROM gray_router",
    "WHERE timestamp > NOW() - INTERVAL '15' MINUTE",
    "GROUP BY rollout_key, cohort",
    "ORDER BY rollout_key, cohort",
  ],
].map((lines) => lines.join("\n"));
// The operator's series (src/control/series.ts), as `gray` sends it for a per-minute hour.
const SERIES = seriesSql({
  key: "default",
  lookbackSeconds: 3600,
  stepSeconds: 60,
  revision: null,
});

describe("docs/metrics.md is true to the code", () => {
  it("has the column map of src/core/metrics.ts, in order", () => {
    const rows = [...doc.matchAll(/^\| `(index1|blob\d+|double\d+)` \| `(\w+)` \|/gm)];
    expect(rows.map((m) => [m[1], m[2]])).toEqual(Object.entries(COLUMNS));
  });

  it("states how many blobs and doubles a data point uses", () => {
    expect(doc).toContain(
      `gray-router writes ${BLOB_FIELDS.length} blobs, ${DOUBLE_FIELDS.length} doubles and one index`,
    );
  });

  it("defines an error as src/core/error-rule.ts does, in words and in SQL", () => {
    const allowed = NON_ERROR_OUTCOMES.map((o) => `\`${o}\``).join(" or ");
    expect(doc.replace(/\s+/g, " ")).toContain(`whose outcome is anything but ${allowed}`);
    expect(doc).toContain(`In SQL:\n\`${ERROR_CONDITION}\`.`);
  });

  it("shows exactly the queries built from the column map and the error rule", () => {
    const starter = starterQueries();
    expect(blocks).toEqual([
      starter.requestRate,
      starter.errorRate,
      starter.latency,
      ...QUERIES,
      SERIES,
    ]);
  });
});
