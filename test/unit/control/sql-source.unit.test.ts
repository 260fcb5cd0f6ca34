import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { MetricsError } from "../../../src/control/metrics-source";
import type { MetricsQuery } from "../../../src/control/metrics-source";
import { SqlMetricsSource } from "../../../src/control/sql-source";
import { received, script, sqlApiBase, summaryAnswer } from "./sql-api";

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
};

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
  it("POSTs the summary SQL as the body with the bearer token, to the account's endpoint", async () => {
    const id = account();
    await script(id, { token: "secret-token" });
    await source(id).read(QUERY);
    const [request] = await received(id);
    expect(request?.authorization).toBe("Bearer secret-token");
    expect(request?.sql).toMatch(/^SELECT\n/);
    expect(request?.sql).toContain("WHERE index1 = 'shop.example.com'");
    expect(request?.sql).toContain("AND timestamp > NOW() - INTERVAL '900' SECOND");
    expect(request?.sql).toContain("AND blob5 IN ('0badc0de', 'cafef00d')");
    expect(request?.sql).toContain("blob5 = 'cafef00d' AND blob8 = 'weights'");
  });

  it("folds rows per cohort: errors by the shared rule, latency from ok rows, quoted integers", async () => {
    const id = account();
    await script(id, {
      answers: [
        {
          body: summaryAnswer([
            {
              cohort: "canary",
              outcome: "ok",
              requests: "980",
              status_errors: "12",
              step_requests: "600",
              p95_ms: 250,
            },
            {
              cohort: "canary",
              outcome: "client_abort",
              requests: "10",
              status_errors: "1",
              p50_ms: 9,
              p95_ms: 9,
              p99_ms: 9,
            },
            {
              cohort: "canary",
              outcome: "timeout",
              requests: "10",
              step_requests: "5",
              p50_ms: 30000,
              p95_ms: 30000,
              p99_ms: 30000,
            },
            { cohort: "stable", requests: 9000, status_errors: 90 },
          ]),
        },
      ],
    });
    const { cohorts } = await source(id).read(QUERY);
    expect(cohorts).toEqual([
      {
        cohort: "canary",
        requests: 1000,
        errors: 12 + 1 + 10,
        stepRequests: 600 + 10 + 5,
        rows: 1000,
        latencyMs: { p50: 100, p95: 250, p99: 400 },
      },
      {
        cohort: "stable",
        requests: 9000,
        errors: 90,
        stepRequests: 9000,
        rows: 9000,
        latencyMs: { p50: 100, p95: 200, p99: 400 },
      },
    ]);
  });

  it("keeps sampled counts weighted and reports the rows behind them", async () => {
    const id = account();
    await script(id, {
      answers: [
        {
          body: summaryAnswer([
            { cohort: "canary", requests: 5000, rows_read: 50, status_errors: 400 },
          ]),
        },
      ],
    });
    const [canary] = (await source(id).read(QUERY)).cohorts;
    expect(canary).toMatchObject({ requests: 5000, errors: 400, rows: 50 });
  });

  it("answers no cohorts for an empty result", async () => {
    const id = account();
    await script(id, { answers: [{ body: summaryAnswer([]) }] });
    expect(await source(id).read(QUERY)).toEqual({ cohorts: [] });
  });

  it("treats a NaN quantile (null, or quoted) as no latency", async () => {
    const id = account();
    await script(id, {
      answers: [
        {
          body: summaryAnswer([
            { cohort: "canary", requests: 3, p50_ms: null, p95_ms: null, p99_ms: null },
          ]),
        },
      ],
    });
    expect((await source(id).read(QUERY)).cohorts[0]?.latencyMs).toBeNull();
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
      { body: summaryAnswer([{ cohort: "canary", requests: -5 }]) },
      "bad_response",
      /at data\.0\.requests/,
    ],
    [
      { body: summaryAnswer([{ cohort: "canary", requests: "12abc" }]) },
      "bad_response",
      /at data\.0\.requests/,
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
        { delayMs: 1_000, body: summaryAnswer([]) },
        { stallBodyMs: 1_000, body: summaryAnswer([]) },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const error = await failure(source(id, 150).read(QUERY));
      expect(error.code).toBe("timeout");
      expect(error.message).toBe("SQL API did not answer within 150 ms");
      expect(Date.now() - started).toBeLessThan(900);
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
