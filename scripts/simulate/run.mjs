// @ts-check
/**
 * `npm run simulate [-- <command> [options]]`: bundles the simulation (TypeScript, with the
 * real controller, judge and, for the demo, the real router) with esbuild, then runs it.
 * Commands and options: `npm run simulate -- --help`; docs/canary-analysis.md explains them.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
// .wrangler/ is git-ignored and already holds local build state.
const out = path.join(root, ".wrangler", "simulate");
await mkdir(out, { recursive: true });

const main = path.join(out, "main.mjs");
await esbuild.build({
  entryPoints: [path.join(here, "main.ts")],
  outfile: main,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
// The demo's Worker: the real router and controller, bundled for workerd (miniflare).
await esbuild.build({
  entryPoints: [path.join(here, "worker.mts")],
  outfile: path.join(out, "worker.mjs"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2024",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  logLevel: "warning",
});
await esbuild.stop();

/** @type {{ main: (args: string[], context: { root: string, out: string }) => Promise<number> }} */
const simulation = await import(pathToFileURL(main).href);
process.exitCode = await simulation.main(process.argv.slice(2), { root, out });
