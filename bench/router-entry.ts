/**
 * Benchmark entry point: the production Worker (src/index.ts, unchanged wiring) with the
 * Analytics Engine binding replaced by a no-op dataset. Locally an `analyticsEngine`
 * binding posts every data point to a service, which production does not; the benchmark
 * measures that path separately, with the production bundle itself.
 *
 * Adds one bench-only route, `/__bench/decide?n=N&visitor=returning|new&rollout=plain|rules`:
 * N routing decisions in a loop (see decide-loop.ts), answering how many went to a
 * non-stable cohort. Time it from outside: workerd's clocks do not advance during pure
 * CPU work.
 */
import worker from "../src/index";
import type { AppEnv } from "../src/env";
import { decideMany } from "./decide-loop";
import type { DecisionRollout } from "./decide-loop";

const noDataset: AnalyticsEngineDataset = { writeDataPoint: () => undefined };

/** One wrapped env per env object the runtime passes (the same one, in practice). */
const wrapped = new WeakMap<AppEnv, AppEnv>();

function withoutMetrics(env: AppEnv): AppEnv {
  let result = wrapped.get(env);
  if (result === undefined) {
    result = { ...env, METRICS: noDataset };
    wrapped.set(env, result);
  }
  return result;
}

function decisionRoute(url: URL): Response {
  const n = Math.max(0, Math.min(10_000_000, Number(url.searchParams.get("n") ?? "0") || 0));
  const returning = url.searchParams.get("visitor") !== "new";
  const rollout: DecisionRollout = url.searchParams.get("rollout") === "rules" ? "rules" : "plain";
  return Response.json({ n, canary: decideMany(n, returning, rollout) });
}

/** The bench entry's fetch handler (exported for bench/ablation-entry.ts). */
export function benchFetch(
  request: Request,
  env: AppEnv,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Response | Promise<Response> {
  if (request.url.includes("/__bench/")) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/decide") {
      return decisionRoute(url);
    }
  }
  return worker.fetch(request, withoutMetrics(env), ctx);
}

export default {
  fetch: benchFetch,
} satisfies ExportedHandler<AppEnv>;
