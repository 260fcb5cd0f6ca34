// @ts-check
/**
 * `npm run report-timing [-- --runs N] [-- --keep] [-- --profile DIR]`: how
 * long `gray report` takes on a 6-hour rollout. Bundles main.ts (the real
 * collector and controller, TypeScript) through scripts/build-node.mjs, then
 * runs it; main.ts says what it records and measures, docs/report.md gives
 * the figures.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundle } from "../build-node.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** @type {{ main: (args: string[], root: string) => Promise<number> }} */
const timing = await import(pathToFileURL(await bundle("report-timing")).href);
process.exitCode = await timing.main(process.argv.slice(2), root);
