import path from "node:path";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

/** What the Workers vitest plugin needs to run the Worker: its entry and its Miniflare options. */
export interface TestWorker {
  readonly main: string;
  readonly miniflare: ReturnType<typeof unstable_getMiniflareWorkerOptions>["workerOptions"];
}

/**
 * The Worker the tests run: exactly what `configPath` (wrangler.toml)
 * declares, and nothing from the developer's own files. Wrangler adds the
 * values of a `.dev.vars` or `.env` beside the config (the README tells users
 * to put `GRAY_SECRET` there), which would change what the tests see; so the
 * config is read as if it lived in `isolatedDir` (a directory without such
 * files), and the only vars kept are wrangler.toml's `[vars]`.
 */
export function testWorker(configPath: string, isolatedDir: string): TestWorker {
  const config = unstable_readConfig({ config: configPath });
  const elsewhere = path.join(isolatedDir, path.basename(configPath));
  const { main, workerOptions } = unstable_getMiniflareWorkerOptions({
    ...config,
    configPath: elsewhere,
    userConfigPath: elsewhere,
  });
  if (main === undefined) {
    throw new Error(`${configPath}: no "main" entry point`);
  }
  return { main, miniflare: { ...workerOptions, bindings: { ...config.vars } } };
}
