import { runController } from "../../../src/control/controller";
import type { ControllerDeps } from "../../../src/control/controller";
import { canaryWeight, readDocument } from "../../../src/control/document";
import { parseHistory } from "../../../src/control/history";
import { MemoryKv } from "../../support/memory-kv";
import type { MetricsQuery, WindowMetrics } from "../../../src/control/metrics-source";
import type { Cell, StratumQuantiles } from "../../../src/core/judge";
import { spread } from "../judge/cells";

/**
 * The controller on an in-memory KV with a fake clock and a scripted metrics
 * source, for the controller's unit tests.
 */

export const MINUTE = 60_000;
export const T0 = Date.UTC(2026, 0, 1);
export const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };

/** One cohort's traffic in a window: stored rows (every one a new visitor), errors, p95 latency. */
export interface CohortTraffic {
  readonly cohort: string;
  readonly rows: number;
  readonly errorRate: number;
  readonly p95?: number;
}

/**
 * A window's figures in one stratum (the current revision): cells spread
 * over bucket clusters, and latency quantiles with the counts the cell
 * query would give (a canary p95 above stable's by more than 1.25x counts
 * as slow).
 */
export function windowOf(q: MetricsQuery, cohorts: readonly CohortTraffic[]): WindowMetrics {
  const stableP95 = cohorts.find((c) => c.cohort === "stable")?.p95 ?? 200;
  const cells: Cell[] = [];
  const quantiles: StratumQuantiles[] = [];
  for (const c of cohorts) {
    const rows = Math.round(c.rows);
    if (rows === 0) {
      continue;
    }
    const errors = Math.round(rows * c.errorRate);
    const ok = rows - errors;
    const p95 = c.p95 ?? 200;
    const slow = p95 > 1.25 * stableP95;
    const counts = (level: number) => ({
      below: Math.round(ok * level),
      within: Math.round(
        ok * (c.cohort === "stable" ? 1 : slow ? level - 0.2 : 1 - (1 - level) / 4),
      ),
    });
    cells.push(
      ...spread({
        cohort: c.cohort,
        stratum: q.currentRevision,
        rows,
        errors,
        newRows: rows,
        latency: { p50: counts(0.5), p95: counts(0.95), p99: counts(0.99) },
      }),
    );
    const set = (ms: number) => ({ lowMs: ms * 0.9, ms, highMs: ms * 1.1 });
    quantiles.push({
      stratum: q.currentRevision,
      cohort: c.cohort,
      rows: ok,
      quantiles: { p50: set(p95 / 2), p95: set(p95), p99: set(p95 * 2) },
    });
  }
  return { strata: q.revisions, current: q.currentRevision, cells, quantiles };
}

/** Traffic in proportion to the current canary weight: `perMinute` requests a minute over the window. */
export function traffic(kv: MemoryKv, canaryErrorRate: number, perMinute = 20_000) {
  return (q: MetricsQuery): WindowMetrics => {
    const read = readDocument(q.key, kv.values.get(q.key) ?? "");
    const weight = read.kind === "managed" ? canaryWeight(read.doc) / 100 : 0;
    const total = (perMinute * Math.min(q.lookbackSeconds, 3600)) / 60;
    return windowOf(q, [
      { cohort: "stable", rows: total * (1 - weight / 100), errorRate: 0.01 },
      { cohort: "canary", rows: (total * weight) / 100, errorRate: canaryErrorRate },
    ]);
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
