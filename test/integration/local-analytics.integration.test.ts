import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/env";
import { Breakers } from "../../src/edge/breaker";
import { routerSink } from "../../src/edge/metrics";
import { RolloutStore } from "../../src/edge/rollout-store";
import { randomVisitorId } from "../../src/core/visitor";
import { RecordingDataset, putRollout, rolloutDoc } from "../support/harness";

// The local sink (src/edge/metrics.ts routerSink) inside workerd: with
// LOCAL_COLLECTOR_URL set, each data point also goes to the local collector
// (the real one, started by the global setup); unset, nothing extra happens;
// a dead or hung collector costs the request nothing.

const collector = `http://127.0.0.1:${inject("collectorPort")}`;

/** A router whose sink is the production one, with the given var; `pending` collects its waitUntil work. */
function router(localCollector: string | undefined) {
  const dataset = new RecordingDataset();
  const pending: Promise<unknown>[] = [];
  const app = createApp({
    store: new RolloutStore(),
    breakers: new Breakers(),
    rollouts: (e) => e.ROLLOUTS,
    metrics: (e) => routerSink(e.METRICS, e.LOCAL_COLLECTOR_URL, (p) => pending.push(p)),
    newVisitorId: randomVisitorId,
    now: Date.now,
    log: () => undefined,
  });
  const testEnv: AppEnv = {
    ...env,
    CONFIG_CACHE_SECONDS: "0",
    METRICS: dataset,
    ...(localCollector === undefined ? {} : { LOCAL_COLLECTOR_URL: localCollector }),
  };
  async function send(url: string): Promise<{ status: number; body: string }> {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(url), testEnv, ctx);
    const body = await response.text();
    await waitOnExecutionContext(ctx);
    return { status: response.status, body };
  }
  return { dataset, pending, send };
}

/** What the collector holds for a key: requests per cohort over the last hour. */
async function collected(key: string): Promise<Record<string, number>> {
  const response = await fetch(`${collector}/query/series`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      query: { key, lookbackSeconds: 3600, stepSeconds: null, revision: null },
    }),
  });
  const answer: unknown = await response.json();
  const rows =
    typeof answer === "object" && answer !== null && "data" in answer && Array.isArray(answer.data)
      ? answer.data
      : [];
  const counts: Record<string, number> = {};
  for (const row of rows) {
    if (typeof row === "object" && row !== null && "cohort" in row && "requests" in row) {
      counts[String(row.cohort)] = (counts[String(row.cohort)] ?? 0) + Number(row.requests);
    }
  }
  return counts;
}

describe("local analytics: the sink's copy to the local collector", () => {
  it("sends every data point to the collector when LOCAL_COLLECTOR_URL is set, and still writes Analytics Engine", async () => {
    await putRollout("local-sink.test", rolloutDoc(0));
    const r = router(collector);
    for (let i = 0; i < 3; i += 1) {
      expect((await r.send("http://local-sink.test/ok")).status).toBe(200);
    }
    await Promise.all(r.pending);
    expect(r.pending).toHaveLength(3);
    expect(r.dataset.points).toHaveLength(3);
    expect(await collected("local-sink.test")).toEqual({ stable: 3 });
  });

  it("does nothing extra when the var is unset or empty: no send, no waitUntil, only Analytics Engine", async () => {
    await putRollout("no-sink.test", rolloutDoc(0));
    for (const value of [undefined, ""]) {
      const r = router(value);
      await r.send("http://no-sink.test/ok");
      expect(r.pending).toHaveLength(0);
      expect(r.dataset.points).toHaveLength(1);
    }
    expect(await collected("no-sink.test")).toEqual({});
  });

  it("ignores a URL that is not plain http on this machine (a var copied into a deployment sends nothing)", async () => {
    await putRollout("remote-sink.test", rolloutDoc(0));
    for (const value of ["https://collector.example.com", "http://10.0.0.1:8703", "not a url"]) {
      const r = router(value);
      await r.send("http://remote-sink.test/ok");
      expect(r.pending, value).toHaveLength(0);
      expect(r.dataset.points).toHaveLength(1);
    }
  });

  it("a dead collector (connection refused) does not break the request, and the point still reaches Analytics Engine", async () => {
    await putRollout("dead-sink.test", rolloutDoc(0));
    const r = router(`http://127.0.0.1:${inject("downPort")}`);
    const { status, body } = await r.send("http://dead-sink.test/ok");
    expect(status).toBe(200);
    expect(body).toContain("stable");
    await expect(Promise.all(r.pending)).resolves.toBeDefined();
    expect(r.dataset.points).toHaveLength(1);
  });

  it("a hung collector does not hold the response: the body is complete while the collector has not answered, and the send is abandoned", async () => {
    await putRollout("hung-sink.test", rolloutDoc(0));
    const silent = `http://127.0.0.1:${inject("silentPort")}`;
    const before = await received(silent);
    const r = router(silent);
    const { status, body } = await r.send("http://hung-sink.test/ok");
    expect(status).toBe(200);
    expect(body).toContain("stable");
    // The collector never answers; the send gives up after its timeout and never rejects.
    await expect(Promise.all(r.pending)).resolves.toBeDefined();
    expect(await received(silent)).toBe(before + 1);
    expect(r.dataset.points).toHaveLength(1);
  });
});

async function received(silent: string): Promise<number> {
  const answer: unknown = await (await fetch(`${silent}/__received`)).json();
  return typeof answer === "object" && answer !== null && "received" in answer
    ? Number(answer.received)
    : -1;
}
