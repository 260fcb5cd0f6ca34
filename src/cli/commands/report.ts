/**
 * `gray report [key] --out report.html [--since 6h]`: the rollout report
 * (src/report/) as one self-contained HTML file.
 */

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { loadAssets } from "../../report/assets";
import { renderReportHtml } from "../../report/html";
import { readReport } from "../../report/read";
import type { Args } from "../args";
import { CliError, EXIT } from "../errors";
import type { Io } from "../io";
import { openTarget } from "../target";

/** How far back a report goes by default. */
export const DEFAULT_REPORT_SINCE_MS = 6 * 3600_000;

/** Runs `report`. */
export async function report(args: Args, io: Io): Promise<number> {
  if (args.out === null) {
    throw new CliError(EXIT.usage, "report: --out FILE is required (e.g. --out report.html)");
  }
  const out = path.resolve(io.cwd, args.out);
  const target = await openTarget(args, io);
  try {
    const started = io.now();
    const model = await readReport(target, {
      key: args.key,
      sinceMs: args.since ?? DEFAULT_REPORT_SINCE_MS,
      now: started,
      live: null,
    });
    const html = renderReportHtml(model, await loadAssets());
    try {
      await writeFile(out, html);
    } catch (error) {
      throw new CliError(
        EXIT.notFound,
        `report: cannot write ${args.out}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const summary = {
      file: out,
      bytes: Buffer.byteLength(html),
      markers: model.markers.length,
      checks: model.checks.length,
      minutes: model.minutes.length,
      /** Reading the figures, replaying the judge and rendering, ms (the local state opened before). */
      buildMs: io.now() - started,
    };
    io.stdout.write(
      args.json
        ? `${JSON.stringify(summary)}\n`
        : `report written to ${args.out} (${(summary.bytes / 1024).toFixed(0)} KiB, ${summary.minutes} minutes, ${summary.markers} decisions, ${summary.checks} check panels) in ${(summary.buildMs / 1000).toFixed(1)} s\n`,
    );
    return EXIT.ok;
  } finally {
    await target.close();
  }
}
