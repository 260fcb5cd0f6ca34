/**
 * `gray status [key]`: one snapshot of the rollout (src/cli/snapshot.ts),
 * printed as text or, with --json, as the documented StatusView.
 */

import type { Args } from "../args";
import type { Io } from "../io";
import { painter } from "../render/style";
import { renderStatus } from "../render/status";
import { nextRun } from "../schedule";
import { takeSnapshot } from "../snapshot";
import type { Snapshot } from "../snapshot";
import { statusView } from "../status-view";
import type { StatusView } from "../status-view";
import { openTarget } from "../target";
import type { Target } from "../target";

/** The window `status` summarises by default. */
export const DEFAULT_STATUS_WINDOW_MS = 5 * 60_000;

/** Reads one status of `key` from an open target. */
export async function readStatus(
  target: Target,
  key: string,
  windowMs: number,
  seriesMs: number,
  now: number,
): Promise<{
  view: StatusView;
  series: Snapshot["series"];
  entries: Snapshot["history"]["entries"];
}> {
  const snapshot = await takeSnapshot(target, {
    key,
    windowSeconds: Math.round(windowMs / 1000),
    seriesSeconds: Math.round(Math.max(windowMs, seriesMs) / 1000),
    now,
  });
  return {
    view: statusView(snapshot, target.name, nextRun(target.crons, now)),
    series: snapshot.series,
    entries: snapshot.history.entries,
  };
}

/** Runs `status`. */
export async function status(args: Args, io: Io): Promise<number> {
  const target = await openTarget(args, io);
  try {
    const now = io.now();
    const window = args.since ?? DEFAULT_STATUS_WINDOW_MS;
    const { view } = await readStatus(target, args.key, window, window, now);
    if (args.json) {
      io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    } else {
      const paint = painter(io.stdout, io.env);
      io.stdout.write(`${renderStatus(view, paint, now, target.description).join("\n")}\n`);
    }
    return 0;
  } finally {
    await target.close();
  }
}
