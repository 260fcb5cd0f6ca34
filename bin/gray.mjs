#!/usr/bin/env node
// @ts-check
/**
 * `npx gray <command>`: the gray CLI (src/cli/, TypeScript), bundled on first
 * use and after a change by scripts/build-node.mjs, then run. docs/cli.md is
 * the reference.
 */
import { pathToFileURL } from "node:url";
import { bundle } from "../scripts/build-node.mjs";

let cli;
try {
  cli = await bundle("cli");
} catch (error) {
  console.error(
    `gray: could not build the CLI (is npm ci done?): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
  );
  process.exit(70);
}
/** @type {{ run: (argv: readonly string[]) => Promise<number> }} */
const { run } = await import(pathToFileURL(cli).href);
const code = await run(process.argv.slice(2));
process.exitCode = code;
// gray closes what it opens; should a library leave a handle open, do not hang a CI job on it.
setTimeout(() => process.exit(code), 5000).unref();
