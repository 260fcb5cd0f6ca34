/**
 * The router as the raw-HTTP tests reach it: the production app (src/app.ts) in a real
 * workerd process listening on 127.0.0.1 (started by test/node/raw-router.ts), so tests
 * can send requests no `Request` object can hold (two Host headers, a GET with a body).
 *
 * Test-only wiring: rollouts come from the `RAW_ROLLOUTS` var (JSON, KV key ->
 * document), and each data point is kept in memory under the request's `X-Raw-Tag`
 * header; a request with `X-Raw-Control: points` and a tag answers that tag's points.
 */
import { createApp } from "../../src/app";
import type { RequestMetrics } from "../../src/core/metrics";
import { randomVisitorId } from "../../src/core/visitor";
import { Breakers } from "../../src/edge/breaker";
import type { MetricsSink } from "../../src/edge/metrics";
import { RolloutStore } from "../../src/edge/rollout-store";
import type { KvReader } from "../../src/edge/rollout-store";
import type { AppEnv } from "../../src/env";

/** The env of one raw request: the app's, plus the request's tag. */
interface RawEnv extends AppEnv {
  readonly RAW_TAG?: string;
}

/** Data points by tag. */
const points = new Map<string, RequestMetrics[]>();

function sinkFor(tag: string): MetricsSink {
  return {
    record(point) {
      const list = points.get(tag) ?? [];
      list.push(point);
      points.set(tag, list);
    },
  };
}

/** The documents of the `RAW_ROLLOUTS` var, as a KV namespace. */
function rollouts(env: AppEnv): KvReader {
  const raw: unknown = JSON.parse(String(Reflect.get(env, "RAW_ROLLOUTS") ?? "{}"));
  return {
    get: (key) => {
      const doc = typeof raw === "object" && raw !== null ? Reflect.get(raw, key) : undefined;
      return Promise.resolve(doc === undefined ? null : JSON.stringify(doc));
    },
  };
}

const app = createApp({
  store: new RolloutStore({ log: () => undefined }),
  breakers: new Breakers(),
  rollouts,
  metrics: (env: RawEnv) => sinkFor(env.RAW_TAG ?? ""),
  newVisitorId: randomVisitorId,
  now: Date.now,
  log: () => undefined,
});

export default {
  fetch(request, env, ctx) {
    const tag = request.headers.get("x-raw-tag") ?? "";
    if (request.headers.get("x-raw-control") === "points") {
      return Response.json(points.get(tag) ?? []);
    }
    const tagged: RawEnv = { ...env, RAW_TAG: tag };
    return app.fetch(request, tagged, ctx);
  },
} satisfies ExportedHandler<AppEnv>;
