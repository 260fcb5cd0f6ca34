// @ts-check
/**
 * Builds what the benchmark runs and measures:
 * - the bench workers (bench/router-entry.ts, bench/bare-worker.js), bundled with esbuild
 *   to one ES module each, with the options wrangler uses;
 * - the real production build, `wrangler deploy --dry-run`, whose size is reported and
 *   which is served as-is for the Analytics Engine run.
 */
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const run = promisify(execFile);

/**
 * Bundles `entry` to `outfile` (ESM, for workerd).
 * @param {string} entry
 * @param {string} outfile
 * @param {{ keepNames?: boolean }} [options] `keepNames`: wrangler's default, true
 */
export async function bundleWorker(entry, outfile, { keepNames = true } = {}) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    target: "es2024",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    // The runtime's own modules (src/index.ts takes waitUntil from cloudflare:workers),
    // provided by workerd as wrangler leaves them.
    external: ["cloudflare:*"],
    keepNames,
    logLevel: "warning",
  });
  return outfile;
}

/** Stops esbuild's service process (started by the first build). */
export function stopBundler() {
  return esbuild.stop();
}

/**
 * @typedef {{ file: string, rawBytes: number, gzipDefaultBytes: number, gzip9Bytes: number }} BundleSize
 */

/**
 * Runs `wrangler deploy --dry-run --outdir <outdir>` (no network, no upload) in `sourceDir`
 * (where wrangler.toml is) and measures the worker module it writes.
 * @param {string} root repository root (node_modules)
 * @param {string} sourceDir
 * @param {string} outdir
 * @returns {Promise<BundleSize>}
 */
export async function productionBuild(root, sourceDir, outdir) {
  await rm(outdir, { recursive: true, force: true });
  const wrangler = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: sourceDir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const file = path.join(outdir, "index.js");
  const code = await readFile(file);
  return {
    file: path.relative(root, file),
    rawBytes: code.length,
    gzipDefaultBytes: gzipSync(code).length,
    gzip9Bytes: gzipSync(code, { level: constants.Z_BEST_COMPRESSION }).length,
  };
}
