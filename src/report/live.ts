/**
 * The live report the local collector serves (GET /report): the same page
 * as `gray report`, read from the local state (opened once, on the first
 * request, and kept) and refreshed by the page itself every LIVE_SECONDS.
 */

import { userInfo } from "node:os";
import type { ReportPage } from "../collector/report-route";
import { openLocal } from "../cli/local";
import type { Io } from "../cli/io";
import type { Target } from "../cli/target";
import { CliError } from "../cli/errors";
import { loadAssets } from "./assets";
import { renderReportHtml, scriptJson } from "./html";
import { readReport } from "./read";

/** How often the live page fetches a fresh model. */
export const LIVE_SECONDS = 10;
/** How far back the live page goes. */
export const LIVE_SINCE_MS = 3600_000;

/** The page builder and what closes the local state it opened. */
export function localReportPage(
  projectDir: string,
  collectorUrl: string,
): { readonly page: ReportPage; close(): Promise<void> } {
  let opening: Promise<Target> | null = null;
  const target = (): Promise<Target> => {
    opening ??= openLocal(
      { config: null, env: null, collector: collectorUrl },
      quietIo(projectDir),
    );
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
  return {
    page: async (key, format) => {
      try {
        const model = await readReport(await target(), {
          key,
          sinceMs: LIVE_SINCE_MS,
          now: Date.now(),
          live: LIVE_SECONDS,
        });
        return format === "json" ? scriptJson(model) : renderReportHtml(model, await loadAssets());
      } catch (error) {
        throw new Error(error instanceof CliError ? error.message : String(error));
      }
    },
    close: async () => {
      const open = opening;
      opening = null;
      if (open !== null) {
        await (await open).close();
      }
    },
  };
}

/** An Io for reading only: no terminal, no prompts. */
function quietIo(projectDir: string): Io {
  const discard = { write: (): boolean => true };
  return {
    stdout: discard,
    stderr: discard,
    confirm: null,
    env: process.env,
    cwd: projectDir,
    now: Date.now,
    user: safeUser(),
    sleep: () => Promise.resolve(true),
    interrupted: () => false,
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
