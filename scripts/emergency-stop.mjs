// @ts-check
/**
 * `node scripts/emergency-stop.mjs rollout.json > stopped.json` (or `-` for
 * stdin): the same rollout document with every non-stable cohort at 0 and
 * nothing else changed, for the emergency stop recipe (docs/operations.md). Everything else in
 * the document (salt, rules, stickiness, failover, analysis, ...) stays, so
 * putting the result back only moves visitors to `stable`:
 *
 * - `weights`, and the `weights` of every rule: every cohort 0, `stable` 100;
 * - a rule that pins a non-stable cohort (`"cohort": "canary"`) keeps its
 *   match but excludes instead (`"exclude": true`: the request stays on
 *   `stable`).
 *
 * Both the document read and the one written are checked with the router's
 * own parser; a broken input is refused with its errors (put the controller's
 * copy, `<key>::last-valid`, back instead). QA override tokens still force
 * their cohort: they are meant for testing a stopped canary.
 */
import { readFileSync } from "node:fs";
import { coreCode } from "./core-code.mjs";

const STABLE = "stable";

/**
 * Print a one-line error and exit 2.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`emergency-stop: ${message}`);
  process.exit(2);
}

/**
 * Weights with every cohort at 0 but `stable` at 100, in the original order.
 * @param {unknown} weights
 */
function stopped(weights) {
  /** @type {Record<string, number>} */
  const result = {};
  for (const cohort of Object.keys(
    typeof weights === "object" && weights !== null ? weights : {},
  )) {
    result[cohort] = cohort === STABLE ? 100 : 0;
  }
  result[STABLE] = 100;
  return result;
}

/**
 * The rule with no way left to a non-stable cohort.
 * @param {unknown} rule
 */
function stoppedRule(rule) {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    return rule;
  }
  /** @type {Record<string, unknown>} */
  const copy = { ...rule };
  if ("weights" in copy) {
    copy["weights"] = stopped(copy["weights"]);
  }
  if ("cohort" in copy && copy["cohort"] !== STABLE) {
    delete copy["cohort"];
    copy["exclude"] = true;
  }
  return copy;
}

const source = process.argv[2];
if (source === undefined || source === "--help" || process.argv.length > 3) {
  fail("usage: node scripts/emergency-stop.mjs <rollout.json | -> > stopped.json");
}
let text = "";
try {
  text = readFileSync(source === "-" ? 0 : source, "utf8");
} catch (error) {
  fail(
    `${source}: cannot be read (${error instanceof Error && "code" in error ? String(error.code) : String(error)})`,
  );
}
const { parseRollout } = await coreCode();
const before = parseRollout(text, "default");
if (!before.ok) {
  fail(
    `${source} is not a valid rollout (${before.errors.join("; ")}); put the last valid copy back instead (wrangler kv key get ... "<key>::last-valid")`,
  );
}
/** @type {Record<string, unknown>} */
const doc = JSON.parse(text);
doc["weights"] = stopped(doc["weights"]);
if (Array.isArray(doc["rules"])) {
  doc["rules"] = doc["rules"].map(stoppedRule);
}
const output = `${JSON.stringify(doc, null, 2)}\n`;
const after = parseRollout(output, "default");
if (!after.ok) {
  fail(`the stopped document would not be valid: ${after.errors.join("; ")}`);
}
process.stdout.write(output);
