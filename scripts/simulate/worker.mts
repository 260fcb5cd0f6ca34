/**
 * The simulation's Worker, run in workerd by miniflare: the real router
 * (createApp with the production pieces) whose data points go to a recording
 * dataset stamped with a simulated clock, and the real controller reading
 * them through RecordedMetricsSource. The Node driver (demo.ts) moves the
 * clock, sends the traffic and asks for a controller run each simulated
 * minute. Typechecked with the worker types by scripts/simulate/tsconfig.json
 * (`.mts`, so the Node config's `scripts/**\/*.ts` leaves it alone).
 *
 * - `/__sim/clock?t=MS`: set the clock that stamps data points and drives the controller
 * - `/__sim/put?key=K` (PUT body): write a KV document
 * - `/__sim/control`: one controller run; answers the reports, the logs and the document
 * - `/__sim/figures?from=MS&to=MS`: per-cohort requests, errors and latency of the points stamped in [from, to)
 * - `/__sim/record`: every recorded point and the history, for the report
 * - anything else: the router
 */

import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/env";
import { runController } from "../../src/control/controller";
import { isAnalysed, isError } from "../../src/core/error-rule";
import {
  decodeDataPoint,
  weightedQuantile,
  RecordedMetricsSource,
} from "../../src/control/recorded-source";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { randomVisitorId } from "../../src/core/visitor";
import { Breakers } from "../../src/edge/breaker";
import { analyticsEngineSink } from "../../src/edge/metrics";
import { RolloutStore } from "../../src/edge/rollout-store";

let clock = 0;
const points: RecordedPoint[] = [];

const recording: AnalyticsEngineDataset = {
  writeDataPoint(point) {
    if (point !== undefined) {
      points.push({ at: clock, point });
    }
  },
};

const app = createApp({
  store: new RolloutStore(),
  breakers: new Breakers(),
  rollouts: (env) => env.ROLLOUTS,
  metrics: () => analyticsEngineSink(recording),
  newVisitorId: randomVisitorId,
  now: Date.now,
  log: (message) => console.warn(message),
});

/** Per-cohort figures of the analysed data points stamped in [from, to). */
function figures(
  from: number,
  to: number,
): Record<string, { requests: number; errors: number; p95: number | null }> {
  const byCohort = new Map<
    string,
    { errors: number; durations: { value: number; weight: number }[] }
  >();
  for (const { at, point } of points) {
    const p = decodeDataPoint(point);
    if (p === null || at < from || at >= to || !isAnalysed(p.decidedBy)) {
      continue;
    }
    const c = byCohort.get(p.cohort) ?? { errors: 0, durations: [] };
    c.errors += isError(p.status, p.outcome) ? 1 : 0;
    c.durations.push({ value: p.durationMs, weight: 1 });
    byCohort.set(p.cohort, c);
  }
  const result: Record<string, { requests: number; errors: number; p95: number | null }> = {};
  for (const [cohort, c] of byCohort) {
    result[cohort] = {
      requests: c.durations.length,
      errors: c.errors,
      p95: weightedQuantile(c.durations, 0.95),
    };
  }
  return result;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__sim/clock") {
      clock = Number(url.searchParams.get("t"));
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/__sim/put") {
      await env.ROLLOUTS.put(url.searchParams.get("key") ?? "default", await request.text());
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/__sim/control") {
      const logs: string[] = [];
      const reports = await runController(env, {
        now: () => clock,
        fetch: (target, init) => fetch(target, init),
        metrics: new RecordedMetricsSource(
          () => points,
          () => clock,
        ),
        log: (message) => logs.push(message),
      });
      return Response.json({ reports, logs, doc: await env.ROLLOUTS.get("default") });
    }
    if (url.pathname === "/__sim/record") {
      return Response.json({ points, history: await env.ROLLOUTS.get("default::history") });
    }
    if (url.pathname === "/__sim/figures") {
      return Response.json(
        figures(Number(url.searchParams.get("from")), Number(url.searchParams.get("to"))),
      );
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<AppEnv>;
