import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { revisionOf } from "../../src/core/rollout";
import { envelope, startCloudflareApi } from "../node/cloudflare-api";
import type { CloudflareApi } from "../node/cloudflare-api";
import { grayIn, rollout } from "./harness";

// `gray --remote` against a local stand-in of Cloudflare's KV REST API and
// Analytics Engine SQL API (test/node/cloudflare-api.ts), answering in their
// documented formats, errors included.

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const NAMESPACE = "fedcba9876543210fedcba9876543210";
const TOKEN = "test-token";
const REPO_TOML = path.resolve(import.meta.dirname, "..", "..", "wrangler.toml");

let api: CloudflareApi;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gray-remote-"));
  // The repository's wrangler.toml with a real-looking namespace id in place of the local placeholder.
  const toml = await readFile(REPO_TOML, "utf8");
  await writeFile(
    path.join(dir, "wrangler.toml"),
    toml.replace(/id = "0{32}"/, `id = "${NAMESPACE}"`),
  );
  await writeFile(path.join(dir, "placeholder.toml"), toml);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startCloudflareApi({ accountId: ACCOUNT, namespaceId: NAMESPACE, token: TOKEN });
});
afterEach(async () => {
  await api.close();
});

const ENV = () => ({
  CF_ACCOUNT_ID: ACCOUNT,
  CF_API_TOKEN: TOKEN,
  CLOUDFLARE_API_BASE_URL: api.base,
  NO_COLOR: "1",
});

/** Runs `gray <argv> --remote` in-process. */
function gray(argv: string[], env: Record<string, string> = ENV(), sleeps: number[] = []) {
  return grayIn(dir, [...argv, "--remote"], {
    env,
    user: "ci-bot",
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve(true);
    },
  });
}

/** Rows of the series query, as the SQL API sends them (64-bit integers quoted). */
function seriesAnswer(
  rows: { cohort: string; requests: number; errors: number; bucket?: number }[],
) {
  return {
    status: 200,
    body: {
      meta: [{ name: "cohort", type: "String" }],
      data: rows.map((r) => ({
        ...(r.bucket === undefined ? {} : { bucket: String(r.bucket) }),
        cohort: r.cohort,
        outcome: "ok",
        requests: String(r.requests),
        status_errors: String(r.errors),
        assigned: String(r.requests),
        new_visitors: "0",
        p50_ms: 20,
        p95_ms: 40,
        p99_ms: 80,
        rows_read: String(r.requests),
      })),
      rows: rows.length,
    },
  };
}

describe("reading", () => {
  it("status: the document from KV, per-cohort figures from the SQL API", async () => {
    api.values.set("default", rollout(10));
    api.sql = (sql) =>
      sql.includes("AS bucket")
        ? seriesAnswer([])
        : seriesAnswer([
            { cohort: "stable", requests: 9000, errors: 90 },
            { cohort: "canary", requests: 1000, errors: 50 },
          ]);
    const run = await gray(["status", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.target).toBe("remote");
    expect(view.document.revision).toBe(revisionOf(rollout(10)));
    expect(view.cohorts).toEqual([
      expect.objectContaining({
        cohort: "stable",
        weight: 90,
        requests: 9000,
        errors: 90,
        share: 0.9,
        p95Ms: 40,
      }),
      expect.objectContaining({
        cohort: "canary",
        weight: 10,
        requests: 1000,
        errors: 50,
        errorRate: 0.05,
      }),
    ]);
    const sql = api.log.filter((r) => r.operation === "sql").map((r) => r.body);
    expect(sql).toHaveLength(2);
    expect(
      sql.every((s) => s.includes("FROM gray_router") && s.includes("WHERE index1 = 'default'")),
    ).toBe(true);
  });

  it("status shows the document and the SQL API's own error when figures cannot be read", async () => {
    api.values.set("default", rollout(10));
    api.sql = () => ({ status: 422, body: "Unknown function quantileWeighted" });
    const run = await gray(["status", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).metricsError).toBe(
      "SQL API answered 422: Unknown function quantileWeighted",
    );
  });

  it("history: the controller's record from KV", async () => {
    api.values.set("default", rollout(0));
    api.values.set("default::history", JSON.stringify({ state: null, entries: [] }));
    const run = await gray(["history", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      key: "default",
      target: "remote",
      total: 0,
      entries: [],
    });
  });

  it("an unknown key names the rollouts that exist, reading every page of the key list", async () => {
    api.pageSize = 2;
    for (const key of [
      "a.example.com",
      "b.example.com",
      "c.example.com",
      "c.example.com::history",
      "d.example.com",
    ]) {
      api.values.set(key, rollout(0));
    }
    const run = await gray(["status", "default"]);
    expect(run).toEqual({
      code: 66,
      stdout: "",
      stderr:
        'gray: no rollout at KV key "default" (rollouts: a.example.com, b.example.com, c.example.com, d.example.com)\n',
    });
    expect(api.log.filter((r) => r.operation === "list")).toHaveLength(3);
  });
});

describe("writing", () => {
  it("set: reads, re-reads, writes the raw document, reads it back", async () => {
    api.values.set("default", rollout(10));
    const run = await gray(["set", "canary=25", "-y", "--reason", "ship it"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const written = JSON.parse(api.values.get("default") ?? "null");
    expect(written.weights).toEqual({ stable: 75, canary: 25 });
    expect(written.change).toMatchObject({ action: "set", by: "ci-bot", reason: "ship it" });
    expect(api.log.map((r) => r.operation)).toEqual(["get", "get", "put", "get"]);
  });

  it("a write KV rate-limits (one write per second per key) is retried once, a second later", async () => {
    api.values.set("default", rollout(10));
    api.fail("put", { status: 429, body: envelope(10048, "KV PUT failed: 429 Too Many Requests") });
    const sleeps: number[] = [];
    const run = await gray(["rollback", "-y"], ENV(), sleeps);
    expect(run.code).toBe(0);
    expect(sleeps).toEqual([1100]);
    expect(JSON.parse(api.values.get("default") ?? "null").weights).toEqual({
      stable: 100,
      canary: 0,
    });
  });

  it("a write rate-limited twice fails in one line, nothing written", async () => {
    api.values.set("default", rollout(10));
    const answer = { status: 429, body: envelope(10048, "KV PUT failed: 429 Too Many Requests") };
    api.fail("put", answer);
    api.fail("put", answer);
    const run = await gray(["rollback", "-y"]);
    expect(run.code).toBe(69);
    expect(run.stderr).toBe(
      'gray: Cloudflare API rate-limited the KV write of "default" (429: KV PUT failed: 429 Too Many Requests (code 10048)); KV takes one write per second per key\n',
    );
    expect(api.values.get("default")).toBe(rollout(10));
  });

  it("another writer between gray's read and its write: nothing written, exit 3", async () => {
    api.values.set("default", rollout(10));
    const theirs = rollout(40);
    api.on("get", (count) => {
      if (count === 2) {
        api.values.set("default", theirs);
      }
    });
    const run = await gray(["set", "canary=20", "-y"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `gray: the document changed while gray was working (revision ${revisionOf(rollout(10))} -> ${revisionOf(theirs)}); nothing written: run the command again\n`,
    );
    expect(api.log.some((r) => r.operation === "put")).toBe(false);
    expect(api.values.get("default")).toBe(theirs);
  });

  it("another writer right after gray's write: the read-back says so, exit 3", async () => {
    api.values.set("default", rollout(10));
    const theirs = rollout(40);
    api.on("get", (count) => {
      if (count === 3) {
        api.values.set("default", theirs);
      }
    });
    const run = await gray(["set", "canary=20", "-y", "--json"]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      version: 1,
      command: "set",
      target: "remote",
      result: "overwritten",
    });
    expect(report.revision.now).toBe(revisionOf(theirs));
  });
});

describe("failures: one line, the documented exit code, nothing written", () => {
  it.each([
    [
      { CF_API_TOKEN: TOKEN },
      77,
      "--remote needs CF_ACCOUNT_ID in the environment (a token with Workers KV Storage: Edit and Account Analytics: Read)",
    ],
    [
      {},
      77,
      "--remote needs CF_ACCOUNT_ID and CF_API_TOKEN in the environment (a token with Workers KV Storage: Edit and Account Analytics: Read)",
    ],
  ])("missing credentials %j", async (env, code, message) => {
    const run = await gray(["status"], { ...env, CLOUDFLARE_API_BASE_URL: api.base });
    expect(run).toEqual({ code, stdout: "", stderr: `gray: ${message}\n` });
    expect(api.log).toHaveLength(0);
  });

  it("a refused token", async () => {
    api.values.set("default", rollout(10));
    const run = await gray(["set", "canary=20", "-y"], { ...ENV(), CF_API_TOKEN: "wrong" });
    expect(run.code).toBe(77);
    expect(run.stderr).toBe(
      'gray: Cloudflare API refused the KV read of "default" (403: Authentication error (code 10000)); check CF_API_TOKEN (Workers KV Storage: Edit) and CF_ACCOUNT_ID\n',
    );
    expect(api.values.get("default")).toBe(rollout(10));
  });

  it("the local placeholder namespace id in wrangler.toml", async () => {
    const run = await gray(["status", "--config", "placeholder.toml"]);
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      "gray: wrangler.toml: the ROLLOUTS namespace has the local placeholder id; put your namespace's id there (npx wrangler kv namespace create ROLLOUTS)\n",
    );
  });

  it("a namespace the account does not have", async () => {
    const toml = await readFile(path.join(dir, "wrangler.toml"), "utf8");
    await writeFile(
      path.join(dir, "other.toml"),
      toml.replace(NAMESPACE, "11111111111111111111111111111111"),
    );
    const run = await gray(["status", "--config", "other.toml"]);
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      `gray: Cloudflare API: KV namespace 11111111111111111111111111111111 not found in account ${ACCOUNT} (namespace not found (code 10013)); check wrangler.toml and CF_ACCOUNT_ID\n`,
    );
  });

  it("an API error", async () => {
    api.values.set("default", rollout(10));
    api.fail("get", { status: 500, body: envelope(10001, "Internal error") });
    const run = await gray(["rollback", "-y"]);
    expect(run.code).toBe(69);
    expect(run.stderr).toBe(
      'gray: Cloudflare API answered 500 to the KV read of "default": Internal error (code 10001)\n',
    );
    expect(api.values.get("default")).toBe(rollout(10));
  });

  it("an unreachable API", async () => {
    const base = api.base;
    await api.close();
    const run = await gray(["status"], { ...ENV(), CLOUDFLARE_API_BASE_URL: base });
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(
      new RegExp(
        `^gray: Cloudflare API could not be reached \\(${base.replace(/[./]/g, "\\$&")}\\): .+\\n$`,
      ),
    );
    api = await startCloudflareApi({ accountId: ACCOUNT, namespaceId: NAMESPACE, token: TOKEN });
  });
});
