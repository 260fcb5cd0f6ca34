// @ts-check
/**
 * The router's own pure code (src/core), bundled on the fly with esbuild for
 * the command-line scripts, so that they check and sign exactly as the worker
 * does.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * @typedef {{ ok: true, rollout: { origins: ReadonlyMap<string, unknown> } }
 *   | { ok: false, errors: readonly string[] }} ParseResult
 * @typedef {{
 *   mintToken: (secret: string, kind: "override" | "debug", subject: string, expiresAt: number) => Promise<string>,
 *   parseRollout: (text: string, key: string) => ParseResult,
 *   MAX_TOKEN_TTL_SECONDS: number,
 *   COHORT_NAME: RegExp,
 * }} CoreCode
 */

/**
 * Bundles and imports `mintToken` and its lifetime cap (src/core/token.ts),
 * `parseRollout` (src/core/rollout.ts) and the cohort name pattern.
 * @returns {Promise<CoreCode>}
 */
export async function coreCode() {
  const bundle = await build({
    stdin: {
      contents: [
        'export { mintToken, MAX_TOKEN_TTL_SECONDS } from "./src/core/token.ts";',
        'export { COHORT_NAME } from "./src/core/cohort.ts";',
        'export { parseRollout } from "./src/core/rollout.ts";',
      ].join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]?.text;
  if (code === undefined) {
    throw new Error("esbuild produced no output for src/core");
  }
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}
