import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testWorker } from "./worker-options";

// The README tells users to put GRAY_SECRET in .dev.vars for local runs; a
// test Worker built from a checkout that has one must not see it.
describe("the tests' Worker", () => {
  let dir = "";
  let isolated = "";

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gray-router-config-"));
    isolated = await mkdtemp(path.join(os.tmpdir(), "gray-router-isolated-"));
    await writeFile(path.join(dir, "index.ts"), "export default {};\n");
    await writeFile(
      path.join(dir, "wrangler.toml"),
      [
        'name = "fixture"',
        'main = "index.ts"',
        'compatibility_date = "2026-04-01"',
        "[vars]",
        'CONFIG_CACHE_SECONDS = "10"',
        "[[kv_namespaces]]",
        'binding = "ROLLOUTS"',
        'id = "00000000000000000000000000000000"',
        "",
      ].join("\n"),
    );
    await writeFile(
      path.join(dir, ".dev.vars"),
      "GRAY_SECRET=from-dev-vars\nCONFIG_CACHE_SECONDS=0\n",
    );
    await writeFile(path.join(dir, ".env"), "CF_API_TOKEN=from-dot-env\n");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(isolated, { recursive: true, force: true });
  });

  it("has wrangler.toml's vars and bindings, and nothing from .dev.vars or .env", () => {
    const worker = testWorker(path.join(dir, "wrangler.toml"), isolated);
    expect(worker.miniflare["bindings"]).toEqual({ CONFIG_CACHE_SECONDS: "10" });
    expect(worker.miniflare["kvNamespaces"]).toEqual({
      ROLLOUTS: { id: "00000000000000000000000000000000" },
    });
    expect(worker.main).toBe(path.join(dir, "index.ts"));
  });
});
