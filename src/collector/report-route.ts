/**
 * The collector's report routes (GET): the live report page (`/report`,
 * `/report.json` for its refreshes; `?key=` picks the rollout, default
 * `default`) and the raw points the report replays the judge on
 * (`/points/export?key=&since=`). The page itself is built by whoever
 * started the collector (run.ts: from the local state), passed in as
 * `ReportPage`.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeDataPoint } from "../control/recorded-source";
import type { RecordedPoint } from "../control/recorded-source";
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
  page: ReportPage | undefined,
): Promise<boolean> {
  if (req.method !== "GET") {
    return false;
  }
  const url = new URL(req.url ?? "/", "http://collector.invalid");
  const key = url.searchParams.get("key") ?? "default";
  if (url.pathname === REPORT_PATHS.points) {
    const since = Number(url.searchParams.get("since") ?? "0");
    const points = exportPoints(store.all(), key, Number.isFinite(since) ? since : 0);
    reply(res, 200, "application/json", JSON.stringify({ points }));
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

/** The key's points at or after `since` (ms), oldest first. */
export function exportPoints(
  points: readonly RecordedPoint[],
  key: string,
  since: number,
): RecordedPoint[] {
  return points.filter((p) => p.at >= since && decodeDataPoint(p.point)?.rolloutKey === key);
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}
