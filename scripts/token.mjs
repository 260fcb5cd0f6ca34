// @ts-check
/**
 * `npm run token -- --cohort canary --rollout rollout.json --ttl 1h`: mints a
 * signed QA override token (or `--debug` for the debug view) with the same
 * code the worker uses to verify it (src/core/token.ts, bundled on the fly:
 * scripts/core-code.mjs). `--help` prints the usage.
 *
 * A cohort is only accepted if the rollout names it: the script cannot see
 * the KV namespace, so it reads the rollout document from `--rollout` (the
 * file you put, or `-` for stdin, e.g. piped from `wrangler kv key get`) and
 * checks it with the router's own parser (src/core/rollout.ts). A token for a
 * cohort the rollout lacks would be ignored by the router.
 *
 * The secret comes from the environment variable GRAY_SECRET, else from
 * GRAY_SECRET=... in .dev.vars (what `wrangler dev` reads). It must be the
 * value you gave `wrangler secret put GRAY_SECRET`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { coreCode } from "./core-code.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Mints a signed token for gray-router (docs/operations.md "QA overrides").

  npm run token -- --cohort <name> --rollout <file|-> [--ttl 1h]
      a QA override: forces <name>, which the rollout document must have an
      origin for (--rollout: the document as put in KV, or - to read it from
      stdin, e.g. npx wrangler kv key get --binding ROLLOUTS default --remote |
      npm run token -- --cohort canary --rollout -)
  npm run token -- --debug [--ttl 15m]
      a token for the debug view

  --ttl     lifetime: a number and s, m, h or d (default 1h, at most 7d)
  --help    this text

The secret is GRAY_SECRET from the environment, else from .dev.vars; it must
be the value given to \`npx wrangler secret put GRAY_SECRET\`.`;

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

/** The command line, or a one-line error (parseArgs throws with a stack otherwise). */
function readArgs() {
  try {
    return parseArgs({
      options: {
        cohort: { type: "string" },
        rollout: { type: "string" },
        debug: { type: "boolean", default: false },
        ttl: { type: "string", default: "1h" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

/**
 * The rollout document named by --rollout, as text.
 * @param {string} source a file name, or "-" for stdin
 */
function readRollout(source) {
  try {
    return readFileSync(source === "-" ? 0 : source, "utf8");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    return fail(`--rollout ${source}: cannot be read (${reason})`);
  }
}

const values = readArgs();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.debug === (values.cohort !== undefined)) {
  fail("give exactly one of --cohort <name> (QA override) or --debug (debug view); see --help");
}
const worker = await coreCode();
if (values.cohort !== undefined && !worker.COHORT_NAME.test(values.cohort)) {
  fail(`--cohort ${values.cohort}: cohort names match ${worker.COHORT_NAME.source}`);
}
if (values.cohort !== undefined && values.rollout === undefined) {
  fail(
    `--cohort ${values.cohort}: give --rollout <file> (or - for stdin) with the rollout document, so the cohort can be checked`,
  );
}
const ttl = parseTtl(values.ttl ?? "");
if (ttl === undefined || ttl < 1 || ttl > worker.MAX_TOKEN_TTL_SECONDS) {
  fail(
    `--ttl ${values.ttl}: expected a duration like 30m, 1h or 2d, at most ${worker.MAX_TOKEN_TTL_SECONDS / 86_400}d`,
  );
}
const secret = process.env["GRAY_SECRET"] ?? secretFromDevVars();
if (secret === undefined || secret === "") {
  fail("no secret: set GRAY_SECRET in the environment or in .dev.vars");
}

if (values.cohort !== undefined && values.rollout !== undefined) {
  const parsed = worker.parseRollout(readRollout(values.rollout), "default");
  if (!parsed.ok) {
    fail(`--rollout ${values.rollout}: not a valid rollout: ${parsed.errors.join("; ")}`);
  }
  const cohorts = [...parsed.rollout.origins.keys()];
  if (!cohorts.includes(values.cohort)) {
    fail(
      `--cohort ${values.cohort}: the rollout has no such cohort (it has ${cohorts.join(", ")})`,
    );
  }
}
const expiresAt = Math.floor(Date.now() / 1000) + ttl;
const token = await worker.mintToken(
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
