/**
 * Reads what a report page inlines: uPlot's minified script and style (the
 * `uplot` package) and the page script next to this file. Node only.
 */

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ReportAssets } from "./html";

let cached: Promise<ReportAssets> | null = null;

/** The assets, read once per process. */
export function loadAssets(): Promise<ReportAssets> {
  cached ??= read();
  return cached;
}

async function read(): Promise<ReportAssets> {
  const require = createRequire(import.meta.url);
  const [uplotJs, uplotCss, pageJs] = await Promise.all([
    readFile(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    readFile(pageScript(), "utf8"),
  ]);
  return { uplotJs, uplotCss, pageJs };
}

/** src/report/page.js, from this source file or from the bundle in .wrangler/gray. */
function pageScript(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "src", "report", "page.js");
    if (existsSync(candidate)) {
      return candidate;
    }
    const here = path.join(dir, "page.js");
    if (path.basename(dir) === "report" && existsSync(here)) {
      return here;
    }
    const up = path.dirname(dir);
    if (up === dir) {
      throw new Error("report: src/report/page.js not found");
    }
    dir = up;
  }
}
