/**
 * `gray watch [key]`: the status, redrawn in place every few seconds, with
 * the trend of every cohort and metric as sparklines and the latest
 * decisions. On a terminal it uses the alternate screen, so Ctrl-C leaves
 * the terminal as it was; piped, it prints one frame per refresh; with
 * --json, one JSON object per line.
 */

import { isJsonObject } from "../../core/issues";
import type { Args } from "../args";
import { CliError, EXIT } from "../errors";
import type { Io } from "../io";
import { entryLine } from "../render/history";
import { renderStatus } from "../render/status";
import { painter } from "../render/style";
import type { Paint } from "../render/style";
import { drawFrame, enterScreen, leaveScreen, screenActive } from "../render/terminal";
import { renderTrend } from "../render/trend";
import { JSON_VERSION } from "../status-view";
import { openTarget } from "../target";
import type { Target } from "../target";
import { DEFAULT_STATUS_WINDOW_MS, readStatus } from "./status";

/** Defaults: a refresh every 2 s, 30 minutes of trend. */
export const DEFAULT_WATCH_INTERVAL_MS = 2_000;
export const DEFAULT_TREND_MS = 30 * 60_000;

/** Runs `watch` until interrupted. */
export async function watch(args: Args, io: Io): Promise<number> {
  const interval = args.interval ?? DEFAULT_WATCH_INTERVAL_MS;
  const trendMs = Math.max(args.since ?? DEFAULT_TREND_MS, 60_000);
  const tty = io.stdout.isTTY === true && !args.json;
  const paint = painter(io.stdout, io.env);
  const target = await openTarget(args, io);
  if (tty) {
    enterScreen(io.stdout);
  }
  try {
    do {
      const lines = await frame(target, args, io, paint, trendMs, interval);
      if (lines === null) {
        continue;
      }
      if (tty) {
        drawFrame(io.stdout, lines);
      } else {
        io.stdout.write(`${lines.join("\n")}\n\n`);
      }
    } while (await io.sleep(interval));
    // Interrupted (Ctrl-C), the way to leave.
    return EXIT.interrupted;
  } finally {
    if (tty && screenActive()) {
      leaveScreen(io.stdout);
    }
    await target.close();
  }
}

/** One refresh: the lines to draw (text), or null after printing a JSON line. */
async function frame(
  target: Target,
  args: Args,
  io: Io,
  paint: Paint,
  trendMs: number,
  interval: number,
): Promise<string[] | null> {
  const now = io.now();
  const footer = paint(
    "dim",
    `${new Date(now).toLocaleTimeString("en-GB", { hour12: false })} · every ${interval / 1000} s · ${target.description} · Ctrl-C to leave`,
  );
  let read: Awaited<ReturnType<typeof readStatus>>;
  try {
    read = await readStatus(target, args.key, DEFAULT_STATUS_WINDOW_MS, trendMs, now);
  } catch (error) {
    // Keep watching: the key may appear, the state may become readable.
    if (!(error instanceof CliError)) {
      throw error;
    }
    if (args.json) {
      io.stdout.write(
        `${JSON.stringify({ version: JSON_VERSION, at: new Date(now).toISOString(), error: error.message })}\n`,
      );
      return null;
    }
    return [paint("warn", `gray: ${error.message}`), "", footer];
  }
  const { view, series, entries } = read;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({ version: JSON_VERSION, status: view, series: series ?? [] })}\n`,
    );
    return null;
  }
  const columns = io.stdout.columns ?? 100;
  const width = Math.max(10, Math.min(Math.round(trendMs / 60_000), columns - 32));
  const name = canaryName(view);
  const canary = name === null ? null : { name, weight: view.document.weights[name] ?? 0 };
  return [
    ...renderStatus(view, paint, now, target.description, false),
    "",
    ...renderTrend(series ?? [], entries, canary, now, width, paint),
    "",
    paint("bold", "recent decisions"),
    ...(view.recent.length === 0
      ? [paint("dim", "  none yet")]
      : view.recent.map((e) => `  ${entryLine(e, paint)}`)),
    "",
    footer,
  ];
}

/** The analysed canary (the controller's state says which cohort its weights are about). */
function canaryName(view: Awaited<ReturnType<typeof readStatus>>["view"]): string | null {
  const analysis = view.document.analysis;
  if (isJsonObject(analysis) && typeof analysis["canary"] === "string") {
    return analysis["canary"];
  }
  const others = Object.keys(view.document.weights).filter((c) => c !== "stable");
  return others.length === 1 ? (others[0] ?? null) : null;
}
