/**
 * One simulated rollout on a fast clock: the real controller (runController,
 * with the real judge and policy) runs once per simulated minute against an
 * in-memory KV, reading the simulated visitors' data points through the JS
 * twin of its SQL; the visitors' cohorts follow the weights the controller
 * writes.
 */

import { runController } from "../../src/control/controller";
import type { ControllerDeps } from "../../src/control/controller";
import { readDocument } from "../../src/control/document";
import { canaryWeight } from "../../src/control/document";
import { parseHistory } from "../../src/control/history";
import type { HistoryEntry } from "../../src/control/history";
import { MemoryKv } from "../../test/support/memory-kv";
import { SIM_KEY, VisitorTraffic } from "./model";
import type { TrafficModel } from "./model";
import { sfc32 } from "./random";
import { SlidingWindow } from "./window";

/** Start of simulated time (any fixed instant: runs are reproducible). */
export const SIM_START = Date.UTC(2026, 0, 1);
const KEY = SIM_KEY;

/** How one simulated rollout went. */
export interface RampResult {
  readonly outcome: "complete" | "rollback" | "timeout";
  /** Simulated minutes until the outcome (or the limit). */
  readonly minutes: number;
  /** Canary weight (percent) when the rollback was decided. */
  readonly rollbackFrom: number | null;
  readonly everPromoted: boolean;
  /** Canary weight (percent) in effect during each minute. */
  readonly weights: readonly number[];
  readonly entries: readonly HistoryEntry[];
}

/** Options of one rollout. */
export interface RampOptions {
  readonly model: TrafficModel;
  /** The document's `analysis` block. */
  readonly analysis: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly maxMinutes: number;
  /** Canary weight (percent) the rollout starts at. */
  readonly startPercent: number;
  /** Called after each minute's controller run with the entries it recorded. */
  readonly onMinute?: (minute: number, entries: readonly HistoryEntry[]) => void;
}

/** Runs one rollout until it completes, rolls back, or `maxMinutes` pass. */
export async function simulateRamp(options: RampOptions): Promise<RampResult> {
  const kv = new MemoryKv();
  const doc = {
    origins: { stable: "https://stable.sim.invalid", canary: "https://canary.sim.invalid" },
    weights: { stable: 100 - options.startPercent, canary: options.startPercent },
    analysis: options.analysis,
  };
  kv.values.set(KEY, JSON.stringify(doc));
  let now = SIM_START;
  const traffic = new VisitorTraffic(options.model, sfc32(options.seed), SIM_START);
  const window = new SlidingWindow(KEY, () => now);
  const logs: string[] = [];
  const deps: ControllerDeps = {
    now: () => now,
    fetch: () => Promise.reject(new Error("no webhook in the simulation")),
    metrics: window,
    log: (message) => logs.push(message),
  };
  await runController({ ROLLOUTS: kv }, deps);
  const weights: number[] = [];
  let outcome: RampResult["outcome"] = "timeout";
  let rollbackFrom: number | null = null;
  let everPromoted = false;
  for (let minute = 0; minute < options.maxMinutes; minute++) {
    const read = readDocument(KEY, kv.values.get(KEY) ?? "");
    if (read.kind !== "managed") {
      throw new Error(`simulation document became unusable: ${JSON.stringify(read)}`);
    }
    weights.push(canaryWeight(read.doc) / 100);
    window.push(traffic.minute(minute, canaryWeight(read.doc), read.doc.revision));
    now = SIM_START + (minute + 1) * 60_000;
    const reports = await runController({ ROLLOUTS: kv }, deps);
    const entries = reports.flatMap((r) => (r.entry === null ? [] : [r.entry]));
    options.onMinute?.(minute, entries);
    for (const entry of entries) {
      everPromoted ||= entry.action === "promote" || entry.action === "complete";
      if (entry.action === "rollback") {
        rollbackFrom = entry.from;
        outcome = "rollback";
      } else if (entry.action === "complete") {
        outcome = "complete";
      }
    }
    if (outcome !== "timeout") {
      break;
    }
  }
  const error = logs.find((l) => !l.includes("webhook"));
  if (error !== undefined) {
    throw new Error(`controller logged during the simulation: ${error}`);
  }
  return {
    outcome,
    minutes: weights.length,
    rollbackFrom,
    everPromoted,
    weights,
    entries: parseHistory(kv.values.get(`${KEY}::history`) ?? null).record.entries,
  };
}
