/**
 * Real traffic for the demo and the validation: the simulation's Worker
 * (worker.mts) in workerd via miniflare, local origins, and a driver that
 * sends one simulated minute of requests at a time as fast as it can.
 */

import { Miniflare } from "miniflare";
import * as v from "valibot";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { recordedPointsSchema } from "../../src/report/read";
import type { CohortModel } from "./model";
import { startSimOrigin } from "./origins";
import type { SimOrigin } from "./origins";

/** Requests in flight at once: enough to keep workerd busy on two cores. */
const CONCURRENCY = 16;

const figuresSchema = v.record(
  v.string(),
  v.object({ requests: v.number(), errors: v.number(), p95: v.nullable(v.number()) }),
);

const recordSchema = v.object({ points: recordedPointsSchema, history: v.nullable(v.string()) });

/** Per-cohort figures of one stretch of simulated time. */
export type Figures = v.InferOutput<typeof figuresSchema>;

/** The running simulation: worker, origins and helpers. */
export interface SimWorld {
  readonly origins: { readonly stable: string; readonly canary: string };
  /** Sets the simulated clock that stamps data points and drives the controller. */
  setClock(ms: number): Promise<void>;
  put(key: string, text: string): Promise<void>;
  /** Sends `count` requests for new visitors; resolves to the cohorts that answered. */
  send(count: number): Promise<Map<string, number>>;
  /** One controller run. */
  control(): Promise<unknown>;
  figures(from: number, to: number): Promise<Figures>;
  /** Every recorded data point (with its simulated time) and the history's raw value, for the report. */
  record(): Promise<{ points: RecordedPoint[]; history: string | null }>;
  close(): Promise<void>;
}

/** Starts the origins and the Worker. */
export async function startWorld(
  workerModule: string,
  stable: CohortModel,
  canary: CohortModel,
  seed: number,
): Promise<SimWorld> {
  const origins: SimOrigin[] = [
    await startSimOrigin("stable", stable, seed),
    await startSimOrigin("canary", canary, seed + 1),
  ];
  const mf = new Miniflare({
    modules: true,
    scriptPath: workerModule,
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["ROLLOUTS"],
    bindings: { CONFIG_CACHE_SECONDS: "0", ORIGIN_TIMEOUT_SECONDS: "30" },
  });
  const base = await mf.ready;
  const call = async (path: string, init?: { method: string; body: string }): Promise<string> => {
    const response = await mf.dispatchFetch(`http://sim.test${path}`, init);
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`simulation worker answered ${response.status} to ${path}: ${text}`);
    }
    return text;
  };
  return {
    origins: { stable: origins[0]?.url ?? "", canary: origins[1]?.url ?? "" },
    setClock: async (ms) => {
      await call(`/__sim/clock?t=${ms}`);
    },
    put: async (key, text) => {
      await call(`/__sim/put?key=${encodeURIComponent(key)}`, { method: "PUT", body: text });
    },
    send: async (count) => {
      const cohorts = new Map<string, number>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          next += 1;
          const response = await fetch(new URL("/item", base));
          await response.arrayBuffer();
          const cohort = response.headers.get("X-Gray-Cohort") ?? "";
          cohorts.set(cohort, (cohorts.get(cohort) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
      return cohorts;
    },
    control: async () => JSON.parse(await call("/__sim/control")),
    figures: async (from, to) =>
      v.parse(figuresSchema, JSON.parse(await call(`/__sim/figures?from=${from}&to=${to}`))),
    record: async () => v.parse(recordSchema, JSON.parse(await call("/__sim/record"))),
    close: async () => {
      await mf.dispose();
      await Promise.all(origins.map((o) => o.close()));
    },
  };
}
