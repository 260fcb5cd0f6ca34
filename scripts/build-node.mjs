// @ts-check
/**
 * Bundles the Node-side TypeScript (the gray CLI, the local collector, the
 * report's timing) with esbuild into .wrangler/gray/ (git-ignored), on first
 * use and again whenever one of its source files is newer than the bundle.
 * npm packages stay external (resolved from node_modules at run time). Used by bin/gray.mjs,
 * scripts/start.mjs, scripts/dev.mjs and scripts/report-timing/run.mjs;
 * nothing needs Node 22.
 */
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, ".wrangler", "gray");

/** Entry points by name. */
const ENTRIES = {
  cli: "src/cli/run.ts",
  collector: "src/collector/run.ts",
  "report-timing": "scripts/report-timing/main.ts",
};

/**
 * The bundle of `name`, rebuilt if stale; resolves to its path.
 * @param {keyof typeof ENTRIES} name
 * @returns {Promise<string>}
 */
export async function bundle(name) {
  const outfile = path.join(OUT, `${name}.mjs`);
  const metafile = path.join(OUT, `${name}.inputs.json`);
  if (await isFresh(outfile, metafile)) {
    return outfile;
  }
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, ENTRIES[name])],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    write: false,
    metafile: true,
    outfile,
    logLevel: "error",
    absWorkingDir: ROOT,
  });
  const [output] = result.outputFiles;
  if (output === undefined) {
    throw new Error(`esbuild produced no output for ${ENTRIES[name]}`);
  }
  await mkdir(OUT, { recursive: true });
  // Write then rename: a second gray starting meanwhile never imports half a file.
  const temporary = `${outfile}.${process.pid}.tmp`;
  await writeFile(temporary, output.contents);
  await rename(temporary, outfile);
  await writeFile(metafile, JSON.stringify(Object.keys(result.metafile.inputs)));
  return outfile;
}

/**
 * Whether the bundle exists and no input is newer.
 * @param {string} outfile
 * @param {string} metafile
 */
async function isFresh(outfile, metafile) {
  try {
    const built = (await stat(outfile)).mtimeMs;
    const inputs = /** @type {unknown} */ (JSON.parse(await readFile(metafile, "utf8")));
    if (!Array.isArray(inputs)) {
      return false;
    }
    for (const input of inputs) {
      if ((await stat(path.join(ROOT, String(input)))).mtimeMs > built) {
        return false;
      }
    }
    return true;
  } catch {
    // Missing bundle, missing list, or an input that is gone: rebuild.
    return false;
  }
}
