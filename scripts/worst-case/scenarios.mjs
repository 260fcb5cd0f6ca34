// @ts-check
/**
 * The documents and requests `npm run bench:worst` measures. Each scenario is
 * one rollout (under its own host key) and one request: the heaviest rules we
 * know of, 50 of them (the most a document may hold), against inputs just
 * under the 2 KiB regex/glob cap, plus a reference without rules.
 */

/** Longest value a regex or glob still runs on (src/core/conditions.ts MAX_REGEX_INPUT - 1). */
const LONG = 2047;
const RULES = 50;

/**
 * @typedef {{ path: string, headers: Record<string, string> }} WorstRequest
 * @typedef {{ name: string, what: string, rules: unknown[], request: WorstRequest }} Scenario
 */

/**
 * `count` rules matching header `X-Probe` with `regex` (pinning to canary if they matched).
 * @param {string} regex
 * @param {{ ignoreCase?: boolean, count?: number }} [options]
 */
function headerRules(regex, { ignoreCase = false, count = RULES } = {}) {
  return Array.from({ length: count }, (_, i) => ({
    name: `r${i}`,
    match: { header: { name: "X-Probe", regex, ...(ignoreCase ? { ignoreCase } : {}) } },
    cohort: "canary",
  }));
}

/** @param {string} text */
const long = (text) => text.repeat(Math.ceil(LONG / text.length)).slice(0, LONG);
const alphabet = ".*a.*b.*c.*d.*e.*f.*g.*h.*i.*j.*k.*l.*m.*n.*o.*p.*q.*r.*s.*t.*u.*v.*w.*x.*y.*z";
/**
 * A Cookie header of about 16 KiB (what workerd accepts locally): `probe`, then 225 fillers.
 * @param {string} probe
 */
const bigCookieHeader = (probe) =>
  [
    `probe=${probe}`,
    ...Array.from({ length: 225 }, (_, i) => `f${i}=${long("v").slice(0, 56)}`),
  ].join("; ");
/** A glob whose translation nearly fills the 512-character pattern limit (25 repeats of a double star, a slash, then x between two stars). */
const heavyGlob = `/${"**/*x*".repeat(25)}`;

/** @type {readonly Scenario[]} */
export const SCENARIOS = [
  {
    name: "no-rules",
    what: "reference: weights only",
    rules: [],
    request: { path: "/", headers: {} },
  },
  {
    name: "dense",
    what: "50 × `.{998}!` (1,000 states alive per character)",
    rules: headerRules(".{998}!"),
    request: { path: "/", headers: { "X-Probe": long("x") } },
  },
  {
    name: "alphabet-i",
    what: "50 × `.*a.*b…z`, ignoreCase",
    rules: headerRules(alphabet, { ignoreCase: true }),
    request: { path: "/", headers: { "X-Probe": long("abcdefghijklmnopqrstuvwxy") } },
  },
  {
    name: "non-ascii-class",
    what: "50 × `[é-ü]{300}!`, ignoreCase, on non-ASCII input (binary-searched classes)",
    rules: headerRules("[é-ü]{300}!", { ignoreCase: true }),
    request: { path: "/", headers: { "X-Probe": long("é") } },
  },
  {
    name: "closures",
    what: "50 × `(?:x?x?){200}!` (long chains of optional states)",
    rules: headerRules("(?:x?x?){200}!"),
    request: { path: "/", headers: { "X-Probe": long("x") } },
  },
  {
    name: "assertions",
    what: "50 × `(?:\\b.){200}!` (a word-boundary test per state)",
    rules: headerRules("(?:\\b.){200}!"),
    request: { path: "/", headers: { "X-Probe": long("ab ") } },
  },
  {
    name: "few-states",
    what: "50 × `(?:a|b)(?:a|b)q` (little work per character, many characters)",
    rules: headerRules("(?:a|b)(?:a|b)q"),
    request: { path: "/", headers: { "X-Probe": long("ab") } },
  },
  {
    name: "globs",
    what: `50 × a glob of 25 \`**/*x*\` steps (near the pattern length limit), on a ${LONG}-character path`,
    rules: Array.from({ length: RULES }, (_, i) => ({
      name: `g${i}`,
      match: { path: { glob: heavyGlob } },
      cohort: "canary",
    })),
    request: { path: long("/x"), headers: {} },
  },
  {
    name: "cookies",
    what: "50 × `.{998}!` on a cookie, in a 16 KiB Cookie header",
    rules: Array.from({ length: RULES }, (_, i) => ({
      name: `c${i}`,
      match: { cookie: { name: "probe", regex: ".{998}!" } },
      cohort: "canary",
    })),
    request: {
      path: "/",
      headers: {
        Cookie: bigCookieHeader(long("x")),
      },
    },
  },
  {
    name: "cookie-lookups",
    what: "50 × `cookie` `equals` (no regex: no steps), each parsing a 16 KiB Cookie header",
    rules: Array.from({ length: RULES }, (_, i) => ({
      name: `k${i}`,
      match: { cookie: { name: `wanted${i}`, equals: "yes" } },
      cohort: "canary",
    })),
    request: { path: "/", headers: { Cookie: bigCookieHeader(long("x")) } },
  },
];

/**
 * The rollout document of a scenario, with the given origin for every cohort.
 * @param {Scenario} scenario
 * @param {string} origin
 */
export function documentOf(scenario, origin) {
  return JSON.stringify({
    origins: { stable: origin, canary: `${origin}/canary` },
    weights: { stable: 90, canary: 10 },
    ...(scenario.rules.length > 0 ? { rules: scenario.rules } : {}),
  });
}
