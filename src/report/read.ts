/**
 * Reads everything a report shows from a target (the local state and
 * collector, or Cloudflare) and builds the model: the status (header), the
 * per-minute series, the history, and the judge's checks over time,
 * replayed minute by minute on the raw points where the local collector has
 * them, else as the controller recorded them at each decision.
 */

import * as v from "valibot";
import { REPORT_PATHS } from "../collector/report-route";
import { readDocument } from "../control/document";
import type { HistoryEntry } from "../control/history";
import { MetricsError } from "../control/metrics-source";
import { nextRun } from "../cli/schedule";
import { takeSnapshot } from "../cli/snapshot";
import { statusView } from "../cli/status-view";
import type { Target } from "../cli/target";
import { headFromStatus } from "./head";
import { buildReportModel } from "./model";
import type { CheckFrame, ReportModel } from "./model";
import { importColumns, pointColumnsSchema } from "./point-columns";
import { REPLAYED_SOURCE, replayChecks } from "./replay";
import type { ReplayPoint } from "./replay";

/** The window the header's live verdict and per-cohort figures cover (as `gray status`). */
const STATUS_WINDOW_SECONDS = 300;

/** What to read. */
export interface ReportRequest {
  readonly key: string;
  /** How far back the charts go, ms. */
  readonly sinceMs: number;
  readonly now: number;
  /** Refresh period of the live page, seconds; null for a file. */
  readonly live: number | null;
}

/** Reads and builds the report model; rejects only when the rollout itself cannot be read. */
export async function readReport(target: Target, request: ReportRequest): Promise<ReportModel> {
  const { key, sinceMs, now } = request;
  const snapshot = await takeSnapshot(target, {
    key,
    windowSeconds: STATUS_WINDOW_SECONDS,
    seriesSeconds: Math.round(sinceMs / 1000),
    now,
  });
  const from = now - sinceMs;
  const entries = snapshot.history.entries.filter((e) => Date.parse(e.at) >= from);
  const read = readDocument(key, snapshot.rollout.text);
  let checks: CheckFrame[] = recordedFrames(entries);
  let checksSource =
    "The judge's checks as the controller recorded them at each decision (the raw points are not available to replay them minute by minute).";
  if (read.kind === "managed" && target.collector !== undefined) {
    try {
      const points = await collectorPoints(
        target.collector,
        key,
        from - read.doc.analysis.windowSeconds * 1000,
      );
      checks = await replayChecks({ doc: read.doc, entries, points, from, to: now });
      checksSource = REPLAYED_SOURCE;
    } catch (error) {
      if (!(error instanceof MetricsError)) {
        throw error;
      }
      checksSource = `${checksSource} (${error.message})`;
    }
  }
  return buildReportModel({
    head: headFromStatus(statusView(snapshot, target.name, nextRun(target.crons, now)), entries),
    series: snapshot.series ?? [],
    entries,
    checks,
    checksSource,
    from,
    to: now,
    live: request.live,
    target: target.description,
  });
}

function recordedFrames(entries: readonly HistoryEntry[]): CheckFrame[] {
  return entries
    .filter((e) => e.checks.length > 0)
    .map((e) => ({ at: Date.parse(e.until), results: e.checks }));
}

/** Recorded points as JSON carries them (the collector's export, the simulation's record). */
export const recordedPointsSchema = v.array(
  v.object({
    at: v.number(),
    point: v.object({
      indexes: v.array(v.nullable(v.string())),
      blobs: v.array(v.nullable(v.string())),
      doubles: v.array(v.number()),
    }),
  }),
);

/** The rollout's points since `since` (ms), from the local collector, decoded. */
export async function collectorPoints(
  collector: string,
  key: string,
  since: number,
): Promise<ReplayPoint[]> {
  const url = `${collector.replace(/\/+$/, "")}${REPORT_PATHS.points}?key=${encodeURIComponent(key)}&since=${Math.floor(since)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new MetricsError(
      "network",
      `local collector ${collector} unreachable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!response.ok) {
    throw new MetricsError("http", `local collector answered ${response.status}`, response.status);
  }
  const parsed = v.safeParse(pointColumnsSchema, await response.json());
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new MetricsError(
      "bad_response",
      `local collector: points export: ${v.getDotPath(issue) ?? "body"}: ${issue.message}`,
    );
  }
  const points = importColumns(parsed.output);
  if ("error" in points) {
    throw new MetricsError("bad_response", `local collector: points export: ${points.error}`);
  }
  return points;
}
