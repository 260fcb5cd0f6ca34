import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCloudflareApi } from "../node/cloudflare-api";
import type { CloudflareApi } from "../node/cloudflare-api";
import { grayIn, rollout } from "./harness";

// `gray report --remote` against the local stand-in of Cloudflare's KV REST
// API and Analytics Engine SQL API (test/node/cloudflare-api.ts).

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const NAMESPACE = "fedcba9876543210fedcba9876543210";
const TOKEN = "test-token";

let api: CloudflareApi;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gray-report-remote-"));
  const toml = await readFile(
    path.resolve(import.meta.dirname, "..", "..", "wrangler.toml"),
    "utf8",
  );
  await writeFile(
    path.join(dir, "wrangler.toml"),
    toml.replace(/id = "0{32}"/, `id = "${NAMESPACE}"`),
  );
  api = await startCloudflareApi({ accountId: ACCOUNT, namespaceId: NAMESPACE, token: TOKEN });
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `gray <argv> --remote` in-process. */
function gray(argv: string[]) {
  return grayIn(dir, [...argv, "--remote"], {
    env: { CF_ACCOUNT_ID: ACCOUNT, CF_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: api.base },
    user: "ci-bot",
  });
}

/** A history entry as the controller stores it. */
function entry(at: number, action: string, from: number, to: number, checks: unknown[] = []) {
  return {
    at: new Date(at).toISOString(),
    until: new Date(at).toISOString(),
    repeated: 1,
    action,
    code: action === "rollback" ? "checks_failed" : "no_failure",
    reason: `${action} from ${from}% to ${to}%`,
    dryRun: false,
    written: true,
    revision: "r1",
    from,
    to,
    failures: 0,
    verdict: null,
    checks,
    cohorts: [
      { cohort: "canary", requests: 300, errors: 30, stepRequests: 300, rows: 30, latencyMs: null },
    ],
  };
}

describe("gray report --remote", () => {
  it("draws the per-minute series of the SQL API (sample-weighted) and the recorded decisions", async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const relative = (difference: number) => ({
      check: "error_rate_relative",
      status: difference > 0.01 ? "fail" : "inconclusive",
      code: "x",
      summary: {
        label: "canary − stable error rate",
        unit: "rate",
        estimate: difference,
        lower: difference - 0.003,
        upper: difference + 0.003,
        limit: 0.005,
        failAbove: true,
        samples: [],
      },
    });
    api.values.set("default", rollout(0, { analysis: { steps: [10, 50, 100] } }));
    api.values.set(
      "default::history",
      JSON.stringify({
        state: null,
        entries: [
          entry(minute - 20 * 60_000, "start", 10, 10),
          entry(minute - 15 * 60_000, "promote", 10, 50, [relative(0.001)]),
          entry(minute - 5 * 60_000, "rollback", 50, 0, [relative(0.09)]),
        ],
      }),
    );
    api.sql = (sql) => {
      const rows = sql.includes("AS bucket")
        ? Array.from({ length: 20 }, (_, i) =>
            ["stable", "canary"].map((cohort) => ({
              bucket: String(Math.floor((minute - (20 - i) * 60_000) / 1000)),
              cohort,
              outcome: "ok",
              requests: cohort === "stable" ? "540" : "60",
              status_errors: cohort === "canary" && i > 12 ? "9" : "1",
              assigned: cohort === "stable" ? "540" : "60",
              new_visitors: "0",
              p50_ms: 20,
              p95_ms: 40,
              p99_ms: 80,
              rows_read: "60",
            })),
          ).flat()
        : [];
      return { status: 200, body: { meta: [], data: rows, rows: rows.length } };
    };
    const out = path.join(dir, "remote.html");
    const run = await gray(["report", "--out", out, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ markers: 3, checks: 1 });
    const sql = api.log.filter((r) => r.operation === "sql").map((r) => r.body);
    const series = sql.find((s) => s.includes("AS bucket")) ?? "";
    expect(series).toContain("_sample_interval");
    expect(series).toContain("WHERE index1 = 'default'");
    const html = await readFile(out, "utf8");
    const model = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ??
        "null",
    );
    const stable = model.cohorts.find((c: { cohort: string }) => c.cohort === "stable");
    expect(stable.requests.filter((r: number | null) => r === 540)).toHaveLength(20);
    expect(model.markers.map((m: { action: string }) => m.action)).toEqual([
      "start",
      "promote",
      "rollback",
    ]);
    expect(model.weight.slice(-3)).toEqual([0, 0, 0]);
    expect(model.checks[0]).toMatchObject({
      check: "error_rate_relative",
      status: ["inconclusive", "fail"],
      estimate: [0.001, 0.09],
      limit: [0.005, 0.005],
    });
    expect(model.checksSource).toMatch(/as the controller recorded them/);
  });
});
