/**
 * The collector's report routes (GET): the live report page (`/report`,
 * `/report.json` for its refreshes; `?key=` picks the rollout, default
 * `default`) and a rollout's points, a column per field, that the report
 * replays the judge on (`/points/export?key=&since=`, report/point-columns.ts). The page itself is built by whoever
 * started the collector (run.ts: from the local state), passed in as
 * `ReportPage`.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { ColumnsBuilder } from "../report/point-columns";
import type { PointColumns } from "../report/point-columns";
import type { PointStore } from "./store";

/** Builds the live page (`html`) or its model (`json`) for a key; rejects with a one-line Error. */
export type ReportPage = (key: string, format: "html" | "json") => Promise<string>;

/** Paths of the report routes. */
export const REPORT_PATHS = {
  page: "/report",
  model: "/report.json",
  points: "/points/export",
} as const;

/** Answers a report route; false when the request is not one. */
export async function handleReportRoute(
  req: IncomingMessage,
  res: ServerResponse,
  store: PointStore,
  columns: ColumnsCache,
  page: ReportPage | undefined,
): Promise<boolean> {
  if (req.method !== "GET") {
    return false;
  }
  const url = new URL(req.url ?? "/", "http://collector.invalid");
  const key = url.searchParams.get("key") ?? "default";
  if (url.pathname === REPORT_PATHS.points) {
    const since = Number(url.searchParams.get("since") ?? "0");
    const body = JSON.stringify(columns.since(store, key, Number.isFinite(since) ? since : 0));
    reply(res, 200, "application/json", body);
    return true;
  }
  const format =
    url.pathname === REPORT_PATHS.page || url.pathname === `${REPORT_PATHS.page}/`
      ? "html"
      : url.pathname === REPORT_PATHS.model
        ? "json"
        : null;
  if (format === null) {
    return false;
  }
  if (page === undefined) {
    reply(
      res,
      404,
      "text/plain; charset=utf-8",
      "collector: no report page here (run by npm start)",
    );
    return true;
  }
  try {
    const body = await page(key, format);
    reply(res, 200, format === "html" ? "text/html; charset=utf-8" : "application/json", body);
  } catch (error) {
    reply(
      res,
      503,
      "text/plain; charset=utf-8",
      `report: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return true;
}

/** Rollouts whose columns are kept at most; past that, the cache starts over. */
const MAX_KEYS = 8;

/**
 * The export's columns per rollout, kept from one export to the next: only
 * the points that arrived since are decoded (the live page exports every
 * refresh), and all again when the store changed otherwise than by
 * appending (a point stamped in the past, old points dropped).
 */
export class ColumnsCache {
  private readonly keys = new Map<string, { builder: ColumnsBuilder; scanned: number }>();
  private generation = -1;

  /** The rollout's points written at or after `since` (ms), as columns. */
  since(store: PointStore, key: string, since: number): PointColumns {
    if (store.generation() !== this.generation) {
      this.keys.clear();
      this.generation = store.generation();
    }
    let kept = this.keys.get(key);
    if (kept === undefined) {
      if (this.keys.size >= MAX_KEYS) {
        this.keys.clear();
      }
      kept = { builder: new ColumnsBuilder(key), scanned: 0 };
      this.keys.set(key, kept);
    }
    const points = store.all();
    for (; kept.scanned < points.length; kept.scanned++) {
      const recorded = points[kept.scanned];
      if (recorded !== undefined) {
        kept.builder.add(recorded);
      }
    }
    return kept.builder.since(since);
  }
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}
