import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

// Two projects. "workers": every test of the Worker runs inside workerd (the
// Workers runtime) through the Cloudflare plugin; the global setup starts real
// local origin servers in Node. "node": the Node-only code (the gray CLI and
// the local collector, src/cli and src/collector), end to end against a real
// local KV state and a real collector, in plain Node.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          // bench/out holds build output and scratch copies, never tests to run.
          exclude: [...configDefaults.exclude, "bench/**", "test/cli/**"],
          globalSetup: ["./test/node/global-setup.ts"],
          setupFiles: ["./test/setup/fast-check.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/cli/**/*.test.ts"],
          // Opening the local state (wrangler's getPlatformProxy starts workerd) takes seconds on a busy machine.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
