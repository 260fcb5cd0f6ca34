import { createApp } from "./app";
import type { AppEnv } from "./env";
import { analyticsEngineSink } from "./edge/metrics";
import { RolloutStore } from "./edge/rollout-store";
import { randomVisitorId } from "./core/visitor";

// One store per isolate: it holds the isolate cache and the last valid rollouts.
const app = createApp({
  store: new RolloutStore(),
  rollouts: (env) => env.ROLLOUTS,
  metrics: (env) => analyticsEngineSink(env.METRICS),
  newVisitorId: randomVisitorId,
  now: Date.now,
  log: (message) => console.warn(message),
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<AppEnv>;
