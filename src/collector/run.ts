/**
 * The collector as `npm start` and `npm run dev` run it (bundled by
 * scripts/build-node.mjs): on COLLECTOR_PORT (default 8703), state in
 * `.wrangler/state/gray-collector`, announced there for the CLI to find.
 */

import { DEFAULT_COLLECTOR_PORT, announce, collectorDir, withdraw } from "./location";
import { startCollector } from "./server";
import type { Collector } from "./server";

/** Starts the project's collector; `stop` withdraws the announcement and closes it. */
export async function runCollector(options: {
  readonly projectDir: string;
  readonly port?: number;
}): Promise<{ readonly collector: Collector; stop(): Promise<void> }> {
  const collector = await startCollector({
    stateDir: collectorDir(options.projectDir),
    port: options.port ?? DEFAULT_COLLECTOR_PORT,
  });
  await announce(options.projectDir, collector.url);
  return {
    collector,
    stop: async () => {
      await withdraw(options.projectDir);
      await collector.close();
    },
  };
}
