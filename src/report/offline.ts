/**
 * A report from recorded data points and a history alone, with no KV and no
 * collector: the simulation's chart (`npm run simulate -- --html`). The
 * series is the collector's own twin of the series query, the checks the
 * same replay as `gray report`.
 */

import type { RecordedPoint } from "../control/recorded-source";
import { parseSeriesAnswer, seriesApiRows } from "../control/series";
import { headFromDocument } from "./head";
import { buildReportModel } from "./model";
import type { ReportModel } from "./model";
import { REPLAYED_SOURCE, replayChecks, replayPoints } from "./replay";
import type { ReplayInput } from "./replay";

/** What an offline report is built from. */
export interface OfflineInput extends Omit<ReplayInput, "points"> {
  /** The recorded points, oldest first. */
  readonly points: readonly RecordedPoint[];
  /** For the header's window line: what the data is. */
  readonly target: string;
}

/** Builds the model (render it with html.ts). */
export async function offlineReport(input: OfflineInput): Promise<ReportModel> {
  const { doc, entries, points, from, to } = input;
  const rows = seriesApiRows(
    points,
    {
      key: doc.key,
      lookbackSeconds: Math.ceil((to - from) / 1000),
      stepSeconds: 60,
      revision: null,
    },
    to,
  );
  const series = parseSeriesAnswer(
    JSON.stringify({ meta: [], data: rows, rows: rows.length }),
    "recorded points",
  );
  return buildReportModel({
    head: headFromDocument(doc, entries, to),
    series,
    entries,
    checks: await replayChecks({ doc, entries, points: replayPoints(points, doc.key), from, to }),
    checksSource: REPLAYED_SOURCE,
    from,
    to,
    live: null,
    target: input.target,
  });
}
