import { createApp } from "./app";
import { runController } from "./control/controller";
import { productionControllerDeps } from "./control/production";
import type { AppEnv } from "./env";
import { analyticsEngineSink } from "./edge/metrics";
import { Breakers } from "./edge/breaker";
import { RolloutStore } from "./edge/rollout-store";
import { randomVisitorId } from "./core/visitor";

// Per isolate: the store holds the isolate cache and the last valid rollouts,
// the breakers hold this isolate's view of each canary's health.
const app = createApp({
  store: new RolloutStore(),
  breakers: new Breakers(),
  rollouts: (env) => env.ROLLOUTS,
  metrics: (env) => analyticsEngineSink(env.METRICS),
  newVisitorId: randomVisitorId,
  now: Date.now,
  log: (message) => console.warn(message),
});

export default {
  fetch: app.fetch,
  // Canary analysis (docs/canary-analysis.md): the cron trigger in wrangler.toml runs this every minute.
  async scheduled(_controller, env) {
    await runController(env, productionControllerDeps(env));
  },
} satisfies ExportedHandler<AppEnv>;
