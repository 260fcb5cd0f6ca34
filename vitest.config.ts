import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

// Every test runs inside workerd (the Workers runtime) through the Cloudflare
// plugin; the global setup starts real local origin servers in Node.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    include: ["test/**/*.test.ts"],
    // bench/out holds build output and scratch copies, never tests to run.
    exclude: [...configDefaults.exclude, "bench/**"],
    globalSetup: ["./test/node/global-setup.ts"],
    setupFiles: ["./test/setup/fast-check.ts"],
  },
});
