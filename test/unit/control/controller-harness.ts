import { runController } from "../../../src/control/controller";
import type { ControllerDeps } from "../../../src/control/controller";
import { canaryWeight, readDocument } from "../../../src/control/document";
import { parseHistory } from "../../../src/control/history";
import { MemoryKv } from "../../../src/control/memory-kv";
import type {
  CohortMetrics,
  MetricsQuery,
  WindowMetrics,
} from "../../../src/control/metrics-source";

/**
 * The controller on an in-memory KV with a fake clock and a scripted metrics
 * source, for the controller's unit tests.
 */

export const MINUTE = 60_000;
export const T0 = Date.UTC(2026, 0, 1);
export const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };

/** A cohort's figures at an error rate. */
export function cohort(
  name: string,
  requests: number,
  errorRate: number,
  p95 = 200,
): CohortMetrics {
  return {
    cohort: name,
    requests,
    errors: requests * errorRate,
    stepRequests: requests,
    rows: requests,
    latencyMs: { p50: p95 / 2, p95, p99: p95 * 2 },
  };
}

/** Traffic in proportion to the current canary weight: `perMinute` requests a minute over the window. */
export function traffic(kv: MemoryKv, canaryErrorRate: number, perMinute = 20_000) {
  return (q: MetricsQuery): WindowMetrics => {
    const read = readDocument(q.key, kv.values.get(q.key) ?? "");
    const weight = read.kind === "managed" ? canaryWeight(read.doc) / 100 : 0;
    const total = (perMinute * Math.min(q.lookbackSeconds, 3600)) / 60;
    return {
      cohorts: [
        cohort("stable", total * (1 - weight / 100), 0.01),
        cohort("canary", (total * weight) / 100, canaryErrorRate),
      ],
    };
  };
}

/** A controller over one document at key `default`; `run` advances the clock and runs it. */
export function setup(
  doc: Record<string, unknown>,
  read: (q: MetricsQuery) => WindowMetrics | Promise<WindowMetrics>,
) {
  const kv = new MemoryKv();
  kv.values.set("default", JSON.stringify(doc));
  let now = T0;
  const logs: string[] = [];
  const posts: { url: string; body: { text: string; decision: { action: string } } }[] = [];
  const queries: MetricsQuery[] = [];
  let webhookFails = false;
  const deps: ControllerDeps = {
    now: () => now,
    fetch: (url, init) => {
      if (webhookFails) {
        return Promise.reject(new Error("connection refused"));
      }
      posts.push({ url, body: JSON.parse(String(init.body)) });
      return Promise.resolve(new Response("ok"));
    },
    metrics: {
      read: async (q) => {
        queries.push(q);
        return read(q);
      },
    },
    log: (m) => logs.push(m),
  };
  return {
    kv,
    logs,
    posts,
    queries,
    failWebhook: () => {
      webhookFails = true;
    },
    run: async (minutes = 1) => {
      now += minutes * MINUTE;
      return runController({ ROLLOUTS: kv }, deps);
    },
    doc: () => JSON.parse(kv.values.get("default") ?? "null"),
    history: () => parseHistory(kv.values.get("default::history") ?? null).record,
    actions: () =>
      parseHistory(kv.values.get("default::history") ?? null).record.entries.map(
        (e) => `${e.action}:${e.from}->${e.to}`,
      ),
  };
}

/** A document with an `analysis` block (interval 300 s unless given) and the canary at `canary` %. */
export const analysed = (analysis: Record<string, unknown> = {}, canary = 1) => ({
  origins: ORIGINS,
  weights: { stable: 100 - canary, canary },
  analysis: { interval: 300, ...analysis },
});
