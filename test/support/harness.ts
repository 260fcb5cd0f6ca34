import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { createApp } from "../../src/app";
import type { AppDeps } from "../../src/app";
import type { AppEnv } from "../../src/env";
import { analyticsEngineSink } from "../../src/edge/metrics";
import { Breakers } from "../../src/edge/breaker";
import { RolloutStore } from "../../src/edge/rollout-store";
import type { KvReader } from "../../src/edge/rollout-store";
import { randomVisitorId } from "../../src/core/visitor";

/** An Analytics Engine dataset that keeps what is written, for assertions. */
export class RecordingDataset implements AnalyticsEngineDataset {
  readonly points: AnalyticsEngineDataPoint[] = [];
  writeDataPoint(point?: AnalyticsEngineDataPoint): void {
    if (point !== undefined) {
      this.points.push(point);
    }
  }
}

/** Base URLs of the local origins started by the global setup. */
export function origins(): { stable: string; canary: string; down: string } {
  return {
    stable: `http://127.0.0.1:${inject("stablePort")}`,
    canary: `http://127.0.0.1:${inject("canaryPort")}`,
    down: `http://127.0.0.1:${inject("downPort")}`,
  };
}

/** A rollout document with the local origins and the given canary weight. */
export function rolloutDoc(canaryPercent: number, extra: Record<string, unknown> = {}): string {
  const o = origins();
  return JSON.stringify({
    origins: { stable: o.stable, canary: o.canary },
    weights: { stable: Math.round((100 - canaryPercent) * 100) / 100, canary: canaryPercent },
    ...extra,
  });
}

/** A KV reader that counts the reads it passes on to `kv`. */
export class CountingKv implements KvReader {
  reads = 0;
  constructor(private readonly kv: KvReader) {}

  get(key: string, options: { type: "text"; cacheTtl: number }): Promise<string | null> {
    this.reads++;
    return this.kv.get(key, options);
  }
}

/** Writes a document to the real local KV namespace. */
export async function putRollout(key: string, text: string): Promise<void> {
  await env.ROLLOUTS.put(key, text);
}

/** A router instance of its own (fresh isolate cache), talking to real KV and origins. */
export function router(
  options: {
    vars?: Partial<AppEnv>;
    now?: () => number;
    newId?: () => string;
    kv?: () => KvReader;
    kvTimeoutMs?: number;
  } = {},
) {
  const dataset = new RecordingDataset();
  const logs: string[] = [];
  const counted = new CountingKv(env.ROLLOUTS);
  const store = new RolloutStore({
    ...(options.now ? { now: options.now } : {}),
    ...(options.kvTimeoutMs === undefined ? {} : { kvTimeoutMs: options.kvTimeoutMs }),
    log: (m) => logs.push(m),
  });
  const deps: AppDeps = {
    store,
    breakers: new Breakers(options.now ?? Date.now),
    rollouts: () => (options.kv ? options.kv() : counted),
    metrics: (e) => analyticsEngineSink(e.METRICS),
    newVisitorId: options.newId ?? randomVisitorId,
    now: options.now ?? Date.now,
    log: (m) => logs.push(m),
  };
  const app = createApp(deps);
  const testEnv: AppEnv = { ...env, CONFIG_CACHE_SECONDS: "0", ...options.vars, METRICS: dataset };

  /** Sends a request and reads the whole body, then waits for waitUntil work (the data point). */
  async function send(
    url: string,
    init?: RequestInit,
  ): Promise<{ response: Response; body: string }> {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(url, init), testEnv, ctx);
    const body = await response.text();
    await waitOnExecutionContext(ctx);
    return { response, body };
  }

  /** Sends a request and returns the response unread (for streaming tests). */
  async function open(
    url: string,
    init?: RequestInit,
  ): Promise<{ response: Response; ctx: ExecutionContext }> {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(url, init), testEnv, ctx);
    return { response, ctx };
  }

  /** KV reads of the real namespace so far (not of an `options.kv`). */
  const kvReads = (): number => counted.reads;

  return { app, store, breakers: deps.breakers, dataset, logs, env: testEnv, send, open, kvReads };
}

/** The router's visitor cookie (`name=value`) from a response, if it set one. */
export function visitorCookie(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith("gray_vid="));
  return header?.split(";")[0];
}
