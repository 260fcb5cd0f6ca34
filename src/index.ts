import { waitUntil } from "cloudflare:workers";
import { createApp } from "./app";
import { runController } from "./control/controller";
import { productionControllerDeps } from "./control/production";
import type { AppEnv } from "./env";
import { routerSink } from "./edge/metrics";
import type { MetricsSink } from "./edge/metrics";
import { Breakers } from "./edge/breaker";
import { RolloutStore } from "./edge/rollout-store";
import { randomVisitorId } from "./core/visitor";

// Per isolate: the store holds the isolate cache and the last valid rollouts,
// the breakers hold this isolate's view of each canary's health.
const app = createApp({
  store: new RolloutStore(),
  breakers: new Breakers(),
  rollouts: (env) => env.ROLLOUTS,
  // Local runs also copy each point to the local collector (LOCAL_COLLECTOR_URL,
  // docs/metrics.md "Local analytics"). One sink per env: built once per isolate.
  metrics: (env) => sinkFor(env),
  newVisitorId: randomVisitorId,
  now: Date.now,
  log: (message) => console.warn(message),
});

const sinks = new WeakMap<AppEnv, MetricsSink>();

/** The metrics sink for `env`, built on first use and kept while the env lives. */
function sinkFor(env: AppEnv): MetricsSink {
  let sink = sinks.get(env);
  if (sink === undefined) {
    sink = routerSink(env.METRICS, env.LOCAL_COLLECTOR_URL, waitUntil);
    sinks.set(env, sink);
  }
  return sink;
}

export default {
  fetch: app.fetch,
  // Canary analysis (docs/canary-analysis.md): the cron trigger in wrangler.toml runs this every minute.
  async scheduled(_controller, env) {
    await runController(env, productionControllerDeps(env));
  },
} satisfies ExportedHandler<AppEnv>;
