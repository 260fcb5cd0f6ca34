/**
 * The `match` part of a targeting rule: its schema, and its compilation into
 * one test per request. Regexes and globs are compiled once per document and
 * run on the linear-time engine (./regex), paid from the request's step
 * budget (./step-budget).
 */
import * as v from "valibot";
import { isKnownBot } from "./bots";
import type { RequestFacts } from "./facts";
import { strictJsonObject } from "./issues";
import { compilePath, pathSchema } from "./path-condition";
import type { RuleScratch } from "./path-condition";
import { compileRegex } from "./regex";
import { MAX_MATCH_INPUT, MAX_REGEX_INPUT } from "./match-limits";
import { newStepBudget, testWithinBudget } from "./step-budget";
import type { StepBudget } from "./step-budget";

export { MAX_MATCH_INPUT, MAX_REGEX_INPUT } from "./match-limits";
export type { RuleScratch } from "./path-condition";

/** A compiled `match`: whether the request satisfies every condition. */
export type MatchTest = (facts: RequestFacts, scratch: RuleScratch) => boolean;

/** Fresh scratch for one request's rules: a full step budget (`steps`, default RULE_STEP_BUDGET). */
export function newRuleScratch(steps?: number): RuleScratch {
  return { budget: newStepBudget(steps), normalizedPath: undefined };
}

const nonEmpty = (what: string) =>
  v.pipe(
    v.string(`expected ${what}`),
    v.minLength(1, `expected ${what}`),
    v.maxLength(512, "expected at most 512 characters"),
  );

const TEXT_FIELDS = ["name", "equals", "prefix", "regex", "present", "ignoreCase"] as const;

const textMatch = v.pipe(
  strictJsonObject(
    {
      name: nonEmpty("a non-empty name"),
      equals: v.optional(v.string("expected a string")),
      prefix: v.optional(v.string("expected a string")),
      regex: v.optional(v.string("expected a string")),
      present: v.optional(v.boolean("expected true or false")),
      ignoreCase: v.optional(v.boolean("expected true or false")),
    },
    TEXT_FIELDS,
  ),
  v.check(
    (m) => [m.equals, m.prefix, m.regex, m.present].filter((x) => x !== undefined).length === 1,
    "expected exactly one of equals, prefix, regex, present",
  ),
);

const MATCH_FIELDS = ["country", "continent", "header", "cookie", "path", "method", "bot"] as const;

export const matchSchema = v.pipe(
  strictJsonObject(
    {
      country: v.optional(
        v.pipe(
          v.array(
            v.pipe(
              v.string(),
              v.regex(/^[A-Z]{2}$/, 'expected ISO 3166-1 alpha-2 codes such as "DE"'),
            ),
            "expected a list of country codes",
          ),
          v.minLength(1, "expected at least one country code"),
        ),
      ),
      continent: v.optional(
        v.pipe(
          v.array(
            v.picklist(
              ["AF", "AN", "AS", "EU", "NA", "OC", "SA"],
              "expected one of AF, AN, AS, EU, NA, OC, SA",
            ),
            "expected a list of continent codes",
          ),
          v.minLength(1, "expected at least one continent code"),
        ),
      ),
      header: v.optional(textMatch),
      cookie: v.optional(textMatch),
      path: v.optional(pathSchema),
      method: v.optional(
        v.pipe(
          v.array(
            v.pipe(v.string(), v.regex(/^[A-Z]+$/, 'expected upper-case methods such as "GET"')),
            "expected a list of methods",
          ),
          v.minLength(1, "expected at least one method"),
        ),
      ),
      bot: v.optional(v.boolean("expected true or false")),
    },
    MATCH_FIELDS,
  ),
  v.check(
    (m) => Object.values(m).some((x) => x !== undefined),
    `expected at least one of ${MATCH_FIELDS.join(", ")}`,
  ),
);

/** A rule's `match`, as validated. */
export type MatchInput = v.InferOutput<typeof matchSchema>;
type TextInput = v.InferOutput<typeof textMatch>;

/**
 * Compiles a validated `match` into one test; a pattern the regex engine
 * refuses is appended to `errors` as `<field>.<condition>: <message>`.
 * Cheap conditions run first, so a request that fails one never pays for a
 * regex or glob.
 */
export function compileMatch(
  match: MatchInput,
  field: string,
  errors: string[],
): MatchTest | undefined {
  const tests: MatchTest[] = [];
  if (match.country !== undefined) {
    const set = new Set(match.country);
    tests.push((f) => f.country !== null && set.has(f.country));
  }
  if (match.continent !== undefined) {
    const set = new Set<string>(match.continent);
    tests.push((f) => f.continent !== null && set.has(f.continent));
  }
  if (match.method !== undefined) {
    const set = new Set(match.method);
    tests.push((f) => set.has(f.method));
  }
  if (match.bot !== undefined) {
    const wanted = match.bot;
    tests.push((f) => isKnownBot(f.bot) === wanted);
  }
  const costly: MatchTest[] = [];
  if (match.header !== undefined) {
    const name = match.header.name.toLowerCase();
    const test = compileText(match.header, `${field}.header`, errors);
    if (test !== undefined) {
      (test.costly ? costly : tests).push((f, scratch) =>
        test.run(f.header(name) ?? undefined, scratch.budget),
      );
    }
  }
  if (match.cookie !== undefined) {
    const name = match.cookie.name;
    const test = compileText(match.cookie, `${field}.cookie`, errors);
    if (test !== undefined) {
      (test.costly ? costly : tests).push((f, scratch) => test.run(f.cookie(name), scratch.budget));
    }
  }
  if (match.path !== undefined) {
    const test = compilePath(match.path, `${field}.path`, errors);
    if (test === undefined) {
      return undefined;
    }
    (test.costly ? costly : tests).push(test.run);
  }
  const all = [...tests, ...costly];
  return (facts, scratch) => all.every((test) => test(facts, scratch));
}

/** A compiled header or cookie condition; `costly` when it runs a regex. */
interface TextTest {
  readonly costly: boolean;
  readonly run: (value: string | undefined, budget: StepBudget) => boolean;
}

function compileText(m: TextInput, field: string, errors: string[]): TextTest | undefined {
  if (m.present !== undefined) {
    const wanted = m.present;
    return { costly: false, run: (value) => (value !== undefined) === wanted };
  }
  const fold = m.ignoreCase === true;
  if (m.regex !== undefined) {
    const compiled = compileRegex(m.regex, { ignoreCase: fold });
    if (!compiled.ok) {
      errors.push(`${field}.regex: ${compiled.error}`);
      return undefined;
    }
    const regex = compiled.regex;
    return {
      costly: true,
      run: (value, budget) =>
        value !== undefined &&
        value.length <= MAX_REGEX_INPUT &&
        testWithinBudget(regex, value, budget),
    };
  }
  const expected = fold ? (m.equals ?? m.prefix ?? "").toLowerCase() : (m.equals ?? m.prefix ?? "");
  const prefix = m.prefix !== undefined;
  return {
    costly: false,
    run: (value) => {
      if (value === undefined || value.length > MAX_MATCH_INPUT) {
        return false;
      }
      const actual = fold ? value.toLowerCase() : value;
      return prefix ? actual.startsWith(expected) : actual === expected;
    },
  };
}
