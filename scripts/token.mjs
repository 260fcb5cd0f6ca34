// @ts-check
/**
 * `npm run token -- --cohort canary --ttl 1h`: mints a signed QA override
 * token (or `--debug` for the debug view) with the same code the worker uses
 * to verify it (src/core/token.ts, bundled on the fly with esbuild).
 *
 * The secret comes from the environment variable GRAY_SECRET, else from
 * GRAY_SECRET=... in .dev.vars (what `wrangler dev` reads). It must be the
 * value you gave `wrangler secret put GRAY_SECRET`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MAX_TTL_SECONDS = 7 * 86_400;

/**
 * Print a one-line error and exit 2.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`npm run token: ${message}`);
  process.exit(2);
}

/**
 * "90s", "30m", "1h", "2d" -> seconds.
 * @param {string} text
 */
export function parseTtl(text) {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    return undefined;
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** @returns {string | undefined} */
function secretFromDevVars() {
  try {
    const text = readFileSync(path.join(ROOT, ".dev.vars"), "utf8");
    const line = text.split(/\r?\n/).find((l) => /^\s*GRAY_SECRET\s*=/.test(l));
    return line?.replace(/^\s*GRAY_SECRET\s*=\s*/, "").replace(/^"(.*)"$/, "$1");
  } catch {
    return undefined;
  }
}

const { values } = parseArgs({
  options: {
    cohort: { type: "string" },
    debug: { type: "boolean", default: false },
    ttl: { type: "string", default: "1h" },
  },
});
if (values.debug === (values.cohort !== undefined)) {
  fail("give exactly one of --cohort <name> (QA override) or --debug (debug view)");
}
if (values.cohort !== undefined && !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(values.cohort)) {
  fail(`--cohort ${values.cohort}: cohort names match ^[a-z0-9][a-z0-9_-]{0,31}$`);
}
const ttl = parseTtl(values.ttl ?? "");
if (ttl === undefined || ttl < 1 || ttl > MAX_TTL_SECONDS) {
  fail(`--ttl ${values.ttl}: expected a duration like 30m, 1h or 2d, at most 7d`);
}
const secret = process.env["GRAY_SECRET"] ?? secretFromDevVars();
if (secret === undefined || secret === "") {
  fail("no secret: set GRAY_SECRET in the environment or in .dev.vars");
}

const bundle = await build({
  entryPoints: [path.join(ROOT, "src/core/token.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "silent",
});
const code = bundle.outputFiles[0]?.text ?? fail("could not bundle src/core/token.ts");
/** @type {{ mintToken: (secret: string, kind: "override" | "debug", subject: string, expiresAt: number) => Promise<string> }} */
const tokens = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
const expiresAt = Math.floor(Date.now() / 1000) + ttl;
const token = await tokens.mintToken(
  secret,
  values.debug ? "debug" : "override",
  values.cohort ?? "-",
  expiresAt,
);

console.log(token);
console.error(
  [
    `# ${values.debug ? "debug" : `override to "${values.cohort}"`} token, valid until ${new Date(expiresAt * 1000).toISOString()}`,
    `#   curl -H "X-Gray-Token: ${token}" https://your.site/${values.debug ? "__gray" : ""}`,
    values.debug
      ? ""
      : `#   browser: https://your.site/?gray_token=${token}  (sets a cookie until the token expires)`,
  ]
    .filter((line) => line !== "")
    .join("\n"),
);
