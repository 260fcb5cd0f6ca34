import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { runController } from "../../../src/control/controller";
import type { ControllerDeps, RolloutKv } from "../../../src/control/controller";
import { parseHistory } from "../../../src/control/history";
import type { HistoryEntry } from "../../../src/control/history";
import { SqlMetricsSource } from "../../../src/control/sql-source";
import type { AppEnv } from "../../../src/env";
import worker from "../../../src/index";
import {
  hookBodies,
  hookUrl,
  received,
  script,
  sqlApiBase,
  windowAnswers,
} from "../../unit/control/sql-api";
import type { Answer } from "../../unit/control/sql-api";
import { revisionOf } from "../../../src/core/rollout";

// The controller against real local KV and the local SQL-API stand-in.

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };

/** The real namespace, with listing limited to one test's keys (tests share the namespace). */
function scoped(prefix: string): RolloutKv {
  return {
    get: (key, options) => env.ROLLOUTS.get(key, options),
    put: (key, value) => env.ROLLOUTS.put(key, value),
    list: (options) =>
      env.ROLLOUTS.list(
        options?.cursor === undefined ? { prefix } : { prefix, cursor: options.cursor },
      ),
  };
}

/** Answers to one window read: a canary at `canaryPercent` with the given error rate, in the document's revision. */
function figures(canaryPercent: number, canaryErrors: number, total = 30_000) {
  const canary = Math.round((total * canaryPercent) / 100);
  return (revision: string): Answer[] =>
    windowAnswers(revision, [
      { cohort: "stable", rows: total - canary, errorRate: 0.01 },
      { cohort: "canary", rows: canary, errorRate: canaryErrors },
    ]);
}

async function setup(
  name: string,
  analysis: Record<string, unknown>,
  canaryPercent: number,
  answers: readonly (Answer | ((revision: string) => Answer[]))[],
) {
  const key = `${name}.control.test`;
  const text = JSON.stringify({
    origins: ORIGINS,
    weights: { stable: 100 - canaryPercent, canary: canaryPercent },
    analysis: { interval: 60, ...analysis },
  });
  await env.ROLLOUTS.put(key, text);
  const revision = revisionOf(text);
  await script(name, {
    token: "token",
    answers: answers.flatMap((a) => (typeof a === "function" ? a(revision) : [a])),
  });
  let now = T0;
  const logs: string[] = [];
  const deps: ControllerDeps = {
    now: () => now,
    fetch: (url, init) => fetch(url, init),
    metrics: new SqlMetricsSource({
      accountId: name,
      apiToken: "token",
      baseUrl: sqlApiBase(),
      timeoutMs: 2_000,
    }),
    log: (m) => logs.push(m),
  };
  const kv = scoped(key);
  return {
    key,
    logs,
    deps,
    run: async (minutes = 1, d: ControllerDeps = deps) => {
      now += minutes * MINUTE;
      return runController({ ROLLOUTS: kv }, d);
    },
    weights: async (): Promise<unknown> =>
      JSON.parse((await env.ROLLOUTS.get(key)) ?? "null").weights,
    entries: async (): Promise<HistoryEntry[]> =>
      parseHistory(await env.ROLLOUTS.get(`${key}::history`)).record.entries,
  };
}

describe("canary controller with real KV and the SQL API", () => {
  it("promotes when the canary has enough data and nothing fails", async () => {
    const t = await setup("promote", { steps: [1, 50, 100] }, 1, [figures(1, 0.01, 300_000)]);
    await t.run();
    await t.run(2);
    expect(await t.weights()).toEqual({ stable: 50, canary: 50 });
    const [start, promote] = await t.entries();
    expect(start).toMatchObject({ action: "start", code: "started" });
    expect(promote).toMatchObject({
      action: "promote",
      code: "no_failure",
      written: true,
      from: 1,
      to: 50,
    });
    const [query] = await received("promote");
    expect(query?.authorization).toBe("Bearer token");
    expect(query?.sql).toContain(`WHERE index1 = '${t.key}'`);
    expect(query?.sql).toContain(`AND blob5 IN ('${promote?.revision ?? ""}')`);
  });

  it("holds while the canary has too few requests", async () => {
    const t = await setup("hold", {}, 1, [figures(1, 0.01, 5_000)]);
    await t.run();
    await t.run(2);
    expect(await t.weights()).toEqual({ stable: 99, canary: 1 });
    expect((await t.entries()).at(-1)).toMatchObject({
      action: "hold",
      code: "not_enough_data",
      written: false,
    });
  });

  it("rolls back a canary whose error rate fails twice in a row", async () => {
    const t = await setup("rollback", {}, 10, [figures(10, 0.1), figures(10, 0.1)]);
    await t.run();
    await t.run();
    expect(await t.weights()).toEqual({ stable: 90, canary: 10 });
    await t.run();
    expect(await t.weights()).toEqual({ stable: 100, canary: 0 });
    expect((await t.entries()).at(-1)).toMatchObject({
      action: "rollback",
      code: "checks_failed",
      written: true,
      failures: 2,
    });
  });

  it("never overwrites a human edit made between the read and the write", async () => {
    const t = await setup("conflict", { steps: [1, 50, 100] }, 1, [figures(1, 0.01, 300_000)]);
    await t.run();
    const human = JSON.stringify({
      origins: ORIGINS,
      weights: { stable: 97, canary: 3 },
      analysis: { interval: 60 },
    });
    const editing: ControllerDeps = {
      ...t.deps,
      metrics: {
        read: async (q) => {
          // The human's write lands while the controller is reading figures.
          await env.ROLLOUTS.put(t.key, human);
          return t.deps.metrics.read(q);
        },
      },
    };
    await t.run(2, editing);
    expect(await env.ROLLOUTS.get(t.key)).toBe(human);
    expect((await t.entries()).at(-1)).toMatchObject({
      action: "conflict",
      code: "document_changed",
      written: false,
    });
    await t.run();
    expect((await t.entries()).at(-1)).toMatchObject({
      action: "start",
      code: "restarted",
      from: 3,
    });
  });

  it("decides even when the webhook cannot be reached, and posts to a working one", async () => {
    const down = `https://127.0.0.1:${inject("downPort")}/hook`;
    const t = await setup("webhook", { failuresToRollback: 1, webhook: down }, 10, [
      figures(10, 0.1),
    ]);
    await t.run();
    await t.run();
    expect(await t.weights()).toEqual({ stable: 100, canary: 0 });
    expect(t.logs.filter((l) => l.includes("webhook failed"))).toHaveLength(2);

    const ok = await setup(
      "webhook-ok",
      { failuresToRollback: 1, webhook: hookUrl("webhook-ok") },
      10,
      [figures(10, 0.1)],
    );
    await ok.run();
    await ok.run();
    const bodies = await hookBodies("webhook-ok");
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toMatchObject({
      rollout: ok.key,
      canary: "canary",
      decision: { action: "rollback", from: 10, to: 0 },
    });
    expect(JSON.stringify(bodies[1])).toMatch(
      /"text":"gray-router webhook-ok\.control\.test: rollback canary 10% -> 0%: rolled back/,
    );
  });

  it("holds and records the reason when the SQL API fails or refuses the token", async () => {
    const t = await setup("api-errors", {}, 10, [
      { status: 500, body: "internal error" },
      { delayMs: 3_000 },
    ]);
    await t.run();
    await t.run(5);
    expect((await t.entries()).at(-1)).toMatchObject({
      action: "error",
      code: "metrics_unavailable",
    });
    expect((await t.entries()).at(-1)?.reason).toMatch(
      /http: SQL API answered 500: internal error/,
    );
    await t.run(5);
    expect((await t.entries()).at(-1)?.reason).toMatch(
      /timeout: SQL API did not answer within 2000 ms/,
    );
    await script("api-errors", { token: "another" });
    await t.run(5);
    expect((await t.entries()).at(-1)?.reason).toMatch(
      /http: SQL API answered 403: Authentication error/,
    );
    expect(await t.weights()).toEqual({ stable: 90, canary: 10 });
  });

  // src/index.ts wires `scheduled` to the controller; the cron trigger is in wrangler.toml.
  const handler: ExportedHandler<AppEnv> = worker;
  it("runs from the Worker's scheduled handler with the real bindings", async () => {
    const key = "scheduled.control.test";
    await env.ROLLOUTS.put(
      key,
      JSON.stringify({ origins: ORIGINS, weights: { stable: 99, canary: 1 }, analysis: {} }),
    );
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext();
      await handler.scheduled?.(
        createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
    }
    const entries = parseHistory(await env.ROLLOUTS.get(`${key}::history`)).record.entries;
    // Without the CF_ACCOUNT_ID / CF_API_TOKEN secrets the controller holds and says why.
    expect(entries.map((e) => e.action)).toEqual(["start", "error"]);
    expect(entries[1]?.reason).toMatch(/not_configured/);
  });
});
