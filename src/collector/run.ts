/**
 * The collector as `npm start` and `npm run dev` run it (bundled by
 * scripts/build-node.mjs): on COLLECTOR_PORT (default 8703), state in
 * `.wrangler/state/gray-collector`, announced there for the CLI to find,
 * with the live report page at /report (src/report/live.ts).
 */

import { localReportPage } from "../report/live";
import { DEFAULT_COLLECTOR_PORT, announce, collectorDir, withdraw } from "./location";
import type { ReportPage } from "./report-route";
import { startCollector } from "./server";
import type { Collector } from "./server";

/** Starts the project's collector; `stop` withdraws the announcement and closes it. */
export async function runCollector(options: {
  readonly projectDir: string;
  readonly port?: number;
}): Promise<{ readonly collector: Collector; stop(): Promise<void> }> {
  // The page needs the collector's own URL, known once it listens.
  const pages: { live: ReturnType<typeof localReportPage> | null } = { live: null };
  const page: ReportPage = (key, format) =>
    pages.live === null
      ? Promise.reject(new Error("the collector is starting"))
      : pages.live.page(key, format);
  const collector = await startCollector({
    stateDir: collectorDir(options.projectDir),
    port: options.port ?? DEFAULT_COLLECTOR_PORT,
    page,
  });
  pages.live = localReportPage(options.projectDir, collector.url);
  await announce(options.projectDir, collector.url);
  return {
    collector,
    stop: async () => {
      await withdraw(options.projectDir);
      await pages.live?.close();
      await collector.close();
    },
  };
}
