import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { MetricsError, readWindow } from "../../../src/control/metrics-source";
import type { MetricsQuery } from "../../../src/control/metrics-source";
import { answerQuery, RecordedMetricsSource } from "../../../src/control/recorded-source";
import type { RecordedPoint } from "../../../src/control/recorded-source";
import { SqlMetricsSource } from "../../../src/control/sql-source";
import { toDataPoint } from "../../../src/core/metrics";
import { sfc32 } from "../../../scripts/simulate/random";
import { answer, received, script, sqlApiBase, windowAnswers } from "./sql-api";
import type { Answer } from "./sql-api";

// Against the local SQL-API stand-in (test/node/sql-api-server.ts): one account per test.
let accounts = 0;
function account(): string {
  accounts += 1;
  return `sql-source-${accounts}`;
}

const QUERY: MetricsQuery = {
  key: "shop.example.com",
  revisions: ["0badc0de", "cafef00d"],
  currentRevision: "cafef00d",
  lookbackSeconds: 900,
  latencyLimits: { p50: 1.2, p95: 1.25, p99: 1.5 },
  minLatencyDeltaMs: 0,
};

const NOW = Date.UTC(2026, 0, 1, 12);

/** Data points of a small ramp: two revisions, both cohorts, sampled rows, errors and new visitors. */
function recorded(): RecordedPoint[] {
  const rng = sfc32(3);
  const points: RecordedPoint[] = [];
  for (let i = 0; i < 3000; i++) {
    const revision = i < 1500 ? "0badc0de" : "cafef00d";
    const bucket = Math.floor(rng() * 10_000);
    const cohort = bucket < (revision === "0badc0de" ? 500 : 1000) ? "canary" : "stable";
    const failed = rng() < (cohort === "canary" ? 0.03 : 0.01);
    points.push({
      at: NOW - 800_000 + i * 250,
      sampleInterval: rng() < 0.3 ? 10 : 1,
      point: toDataPoint({
        rolloutKey: QUERY.key,
        cohort,
        outcome: rng() < 0.01 ? "client_abort" : "ok",
        host: QUERY.key,
        method: "GET",
        revision,
        configState: "fresh",
        colo: "AMS",
        status: failed ? 502 : 200,
        ttfbMs: 1,
        durationMs: Math.round(80 * Math.exp(0.5 * (rng() + rng() + rng() - 1.5))),
        bucket,
        weightPercent: 10,
        bytes: 1,
        decidedBy: rng() < 0.05 ? "rule" : "weights",
        detail: "",
        breaker: "",
        visitor: rng() < 0.3 ? "new" : "returning",
      }),
    });
  }
  return points;
}

/** The answers the twin gives to the queries a read asks, in order. */
async function twinAnswers(points: readonly RecordedPoint[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  await readWindow(QUERY, (q) => {
    const body = answerQuery(points, q, NOW);
    answers.push({ body });
    return Promise.resolve(body);
  });
  return answers;
}

function source(accountId: string, timeoutMs = 2_000): SqlMetricsSource {
  return new SqlMetricsSource({
    accountId,
    apiToken: "secret-token",
    baseUrl: sqlApiBase(),
    timeoutMs,
  });
}

async function failure(promise: Promise<unknown>): Promise<MetricsError> {
  const error: unknown = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!(error instanceof MetricsError)) {
    throw error;
  }
  return error;
}

describe("SqlMetricsSource", () => {
  it("POSTs each analysis query's SQL with the bearer token, to the account's endpoint", async () => {
    const id = account();
    await script(id, { token: "secret-token", answers: await twinAnswers(recorded()) });
    await source(id).read(QUERY);
    const requests = await received(id);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.authorization).toBe("Bearer secret-token");
      expect(request.sql).toMatch(/^SELECT\n/);
      expect(request.sql).toContain("WHERE index1 = 'shop.example.com'");
      expect(request.sql).toContain("AND timestamp > NOW() - INTERVAL '900' SECOND");
      expect(request.sql).toContain("AND blob5 IN ('0badc0de', 'cafef00d')");
    }
    expect(requests[0]?.sql).toContain("GROUP BY revision, cohort\n");
    expect(requests[1]?.sql).toContain("GROUP BY revision, cohort, cluster");
    expect(requests[1]?.sql).toContain("double4 % 64 AS cluster");
    expect(requests[1]?.sql).toMatch(/double3 <= if\(blob5 = '0badc0de', \d+/);
  });

  it("reads exactly what the twin reads from the same data points", async () => {
    const points = recorded();
    const id = account();
    await script(id, { answers: await twinAnswers(points) });
    const viaSql = await source(id).read(QUERY);
    const viaTwin = await new RecordedMetricsSource(
      () => points,
      () => NOW,
    ).read(QUERY);
    expect(viaSql).toEqual(viaTwin);
    expect(viaSql.cells.length).toBeGreaterThan(64);
    expect(viaSql.cells.some((c) => c.requests > c.rows)).toBe(true);
  });

  it("reads the counts ClickHouse quotes as 64-bit integers", async () => {
    const id = account();
    await script(id, {
      answers: windowAnswers("cafef00d", [
        { cohort: "stable", rows: 9000, errorRate: 0.01 },
        { cohort: "canary", rows: 1000, errorRate: 0.03, weight: 10 },
      ]),
    });
    const window = await source(id).read(QUERY);
    const canary = window.cells.filter((c) => c.cohort === "canary");
    expect(canary.reduce((sum, c) => sum + c.rows, 0)).toBe(1000);
    expect(canary.reduce((sum, c) => sum + c.requests, 0)).toBe(10_000);
    expect(canary[0]?.latency.p95).toBeDefined();
  });

  it("answers no cells for an empty result, and asks no latency when every quantile is off", async () => {
    const id = account();
    await script(id, {});
    const off = { ...QUERY, latencyLimits: {} };
    expect(await source(id).read(off)).toEqual({
      strata: QUERY.revisions,
      current: "cafef00d",
      cells: [],
      quantiles: [],
    });
    expect(await received(id)).toHaveLength(1);
  });

  it("treats a NaN quantile (null, or quoted) as no latency threshold", async () => {
    const id = account();
    const [, cells] = windowAnswers("cafef00d", [{ cohort: "stable", rows: 100, errorRate: 0 }]);
    await script(id, {
      answers: [
        answer([
          {
            revision: "cafef00d",
            cohort: "stable",
            rows_read: 0,
            p50_low_ms: null,
            p50_ms: "nan",
            p50_high_ms: null,
            p95_low_ms: null,
            p95_ms: null,
            p95_high_ms: null,
            p99_low_ms: null,
            p99_ms: null,
            p99_high_ms: null,
          },
        ]),
        cells ?? answer([]),
      ],
    });
    const window = await source(id).read(QUERY);
    expect(window.quantiles[0]?.quantiles).toEqual({});
    expect(window.cells.every((c) => Object.keys(c.latency).length === 0)).toBe(true);
  });

  it.each([
    [
      {
        status: 403,
        body: { success: false, errors: [{ code: 10000, message: "Authentication error" }] },
      },
      "http",
      /answered 403: Authentication error$/,
    ],
    [
      { status: 422, body: "error in query: unknown column blob99" },
      "http",
      /answered 422: error in query: unknown column blob99$/,
    ],
    [{ status: 500, body: "" }, "http", /answered 500: \(empty body\)$/],
    [
      { status: 503, body: { errors: [{ message: "data store unavailable" }] } },
      "http",
      /answered 503: data store unavailable$/,
    ],
    [{ body: "<html>gateway</html>", contentType: "text/html" }, "bad_response", /other than JSON/],
    [{ body: { data: [] } }, "bad_response", /\{meta, data, rows\} form at meta/],
    [
      answer([{ revision: "cafef00d", cohort: "canary", rows_read: -5 }]),
      "bad_response",
      /at data\.0\.rows_read/,
    ],
    [
      answer([{ revision: "cafef00d", cohort: "canary", rows_read: "12abc" }]),
      "bad_response",
      /at data\.0\.rows_read/,
    ],
  ])("rejects %j with a MetricsError", async (answer, code, message) => {
    const id = account();
    await script(id, { answers: [answer] });
    const error = await failure(source(id).read(QUERY));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("reports the API gateway's 403 for a wrong token, without echoing the token", async () => {
    const id = account();
    await script(id, { token: "the-right-one" });
    const error = await failure(source(id).read(QUERY));
    expect(error).toMatchObject({ code: "http", status: 403 });
    expect(error.message).not.toContain("secret-token");
  });

  it("times out when the headers do not come, and when the body stalls", async () => {
    const id = account();
    await script(id, {
      answers: [
        { delayMs: 1_000, body: answer([]).body },
        { stallBodyMs: 1_000, body: answer([]).body },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const error = await failure(source(id, 150).read(QUERY));
      expect(error.code).toBe("timeout");
      expect(error.message).toBe("SQL API did not answer within 150 ms");
    }
  });

  it("reports an unreachable API as a network error", async () => {
    const closed = new SqlMetricsSource({
      accountId: "x",
      apiToken: "t",
      baseUrl: `http://127.0.0.1:${inject("downPort")}/client/v4`,
    });
    expect((await failure(closed.read(QUERY))).code).toBe("network");
  });

  it("refuses keys and revisions it cannot put into SQL, without a request", async () => {
    const id = account();
    await script(id, {});
    const error = await failure(source(id).read({ ...QUERY, key: "x' OR '1'='1" }));
    expect(error.code).toBe("bad_query");
    expect(await received(id)).toEqual([]);
  });
});
