import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { RuntimeNoiseReporter } from "./test/node/runtime-noise.ts";
import { testWorker } from "./test/node/worker-options.ts";

const root = path.dirname(fileURLToPath(import.meta.url));
// The Worker under test is wrangler.toml's alone: a developer's .dev.vars or
// .env (GRAY_SECRET, CF_API_TOKEN, ...) never reaches a test.
const worker = testWorker(path.join(root, "wrangler.toml"), path.join(root, "test", "setup"));

export default defineConfig({
  test: {
    // Console output of passing tests is not shown (a failing test's is), and
    // workerd's messages about the faults tests inject go to a log file: the
    // output is the results, ending with their summary.
    silent: "passed-only",
    reporters: [
      "default",
      new RuntimeNoiseReporter(path.join(root, ".wrangler", "test-runtime.log")),
    ],
    projects: [
      {
        // Every test of the Worker runs inside workerd (the Workers runtime)
        // through the Cloudflare plugin; the global setup starts real local
        // origin servers (and a real local collector) in Node.
        plugins: [cloudflareTest({ main: worker.main, miniflare: worker.miniflare })],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          // bench/out holds build output and scratch copies, never tests to
          // run; test/node and test/cli run in Node (the project below).
          exclude: [...configDefaults.exclude, "bench/**", "test/node/**", "test/cli/**"],
          globalSetup: ["./test/node/global-setup.ts"],
          setupFiles: ["./test/setup/fast-check.ts"],
        },
      },
      {
        // Node-only code, in plain Node: the test setup itself (it reads
        // wrangler.toml), and the gray CLI and the local collector (src/cli,
        // src/collector) end to end against a real local KV state and a real
        // collector.
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.node.test.ts", "test/cli/**/*.test.ts"],
          // Opening the local state (wrangler's getPlatformProxy starts workerd) takes seconds on a busy machine.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
