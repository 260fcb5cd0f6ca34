import { RecordedMetricsSource } from "../../src/control/recorded-source";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { parseHistory } from "../../src/control/history";
import type { HistoryEntry } from "../../src/control/history";
import type { PositionalPoint } from "../../src/core/metrics";
import { revisionOf } from "../../src/core/rollout";
import type { Project } from "./harness";
import { rollout } from "./harness";
import { positionalPoint, postPoints } from "./points";

/**
 * The recorded rollout's analysis: 10 -> 25 -> 50 -> 100 %, a minute per
 * step, without the evidence gate (which would hold its small traffic at 10 %).
 */
export const RECORDED_ANALYSIS = {
  steps: [10, 25, 50, 100],
  interval: 60,
  minRequests: 100,
  failuresToRollback: 2,
  evidence: null,
};

/** What recordRollout left in the project. */
export interface Recorded {
  readonly start: number;
  readonly end: number;
  readonly entries: readonly HistoryEntry[];
  readonly points: number;
}

/**
 * Plays a rollout minute by minute through the real controller, ending
 * `minutesAgo` minutes before now... until now: 600 requests a minute, the
 * canary healthy (1 % errors, as stable) for its first minutes, then failing
 * (25 % errors, slower) from `failFrom` on, so the controller promotes, holds
 * and rolls back. Every data point goes to the project's collector with its
 * time; the controller reads the same points through the recorded-points
 * twin at the simulated time.
 */
export async function recordRollout(
  project: Project,
  options: { readonly minutes: number; readonly failFrom: number; readonly perMinute?: number },
): Promise<Recorded> {
  const perMinute = options.perMinute ?? 600;
  const start = Math.floor(Date.now() / 60_000) * 60_000 - options.minutes * 60_000;
  const all: RecordedPoint[] = [];
  let now = start;
  const metrics = new RecordedMetricsSource(
    () => all,
    () => now,
  );
  await project.kv.put("default", rollout(10, { analysis: RECORDED_ANALYSIS }));
  await project.runController(now, metrics);
  for (let minute = 0; minute < options.minutes; minute++) {
    const text = (await project.kv.get("default", { type: "text" })) ?? "";
    const weight = (JSON.parse(text) as { weights: { canary: number } }).weights.canary;
    const revision = revisionOf(text);
    const failing = minute >= options.failFrom;
    const batch: { at: number; point: PositionalPoint }[] = [];
    for (let i = 0; i < perMinute; i++) {
      const canary = (i * 37) % 100 < weight;
      const errorEvery = canary && failing ? 4 : 100;
      const point = positionalPoint({
        revision,
        cohort: canary ? "canary" : "stable",
        status: (i * 13) % errorEvery === 7 % errorEvery ? 500 : 200,
        durationMs: 20 + ((i * 7) % 30) + (canary && failing ? 25 : 0),
        visitor: i % 2 === 0 ? "new" : "returning",
        weightPercent: canary ? weight : 100 - weight,
      });
      batch.push({ at: start + minute * 60_000 + Math.floor((i * 60_000) / perMinute), point });
    }
    all.push(...batch);
    await postPoints(project.collector.url, batch);
    now = start + (minute + 1) * 60_000;
    await project.runController(now, metrics);
  }
  const history = parseHistory(await project.kv.get("default::history", { type: "text" }));
  return { start, end: now, entries: history.record.entries, points: all.length };
}
