import * as v from "valibot";
import { isKnownBot } from "./bots";
import type { RequestFacts } from "./facts";
import { globToPattern } from "./glob";
import { parseInto, strictJsonObject } from "./issues";
import { buildLayout } from "./layout";
import type { Layout } from "./layout";
import { compileRegex } from "./regex";
import { readWeights } from "./weights";

/** At most this many rules per rollout: rules run on every request. */
export const MAX_RULES = 50;

/**
 * Header, cookie and path values longer than this never match `equals`,
 * `prefix` or `regex` (only `present`): it bounds the work per request.
 */
export const MAX_MATCH_INPUT = 8192;

/**
 * Values longer than this never match a `regex` or `glob`: regex matching is
 * linear but costs program size x input length (see src/core/regex/ast.ts).
 */
export const MAX_REGEX_INPUT = 2048;

/** What a matching rule does with the request. */
export type RuleAction =
  | { readonly kind: "cohort"; readonly cohort: string }
  | { readonly kind: "exclude" }
  | {
      readonly kind: "weights";
      readonly weights: ReadonlyMap<string, number>;
      readonly layout: Layout;
    };

/** A compiled rule: regexes and globs are compiled once, when the rollout is parsed. */
export interface Rule {
  readonly name: string;
  readonly matches: (facts: RequestFacts) => boolean;
  readonly action: RuleAction;
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

const matchSchema = v.pipe(
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
      path: v.optional(
        v.pipe(
          strictJsonObject({ prefix: v.optional(v.string()), glob: v.optional(v.string()) }, [
            "prefix",
            "glob",
          ]),
          v.check(
            (p) => (p.prefix === undefined) !== (p.glob === undefined),
            "expected exactly one of prefix, glob",
          ),
        ),
      ),
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

const RULE_FIELDS = ["name", "match", "cohort", "exclude", "weights"] as const;

const ruleSchema = v.pipe(
  strictJsonObject(
    {
      name: v.optional(
        v.pipe(
          v.string("expected a string"),
          v.regex(/^[\w.:-]{1,64}$/, "expected 1-64 letters, digits, _ . : -"),
        ),
      ),
      match: matchSchema,
      cohort: v.optional(v.string("expected a cohort name")),
      exclude: v.optional(v.literal(true, "expected true")),
      weights: v.optional(v.unknown()),
    },
    RULE_FIELDS,
  ),
  v.check(
    (r) => [r.cohort, r.exclude, r.weights].filter((x) => x !== undefined).length === 1,
    "expected exactly one action: cohort, exclude or weights",
  ),
);

const rulesSchema = v.pipe(
  v.array(v.unknown(), "expected a list of rules"),
  v.maxLength(MAX_RULES, `expected at most ${MAX_RULES} rules`),
);

/**
 * Validates and compiles the `rules` list. `cohorts` are the cohorts that
 * have an origin: a rule may only send traffic to those. Problems are
 * appended to `errors` as `rules[i].field: message`.
 */
export function compileRules(raw: unknown, cohorts: ReadonlySet<string>, errors: string[]): Rule[] {
  const list = parseInto(rulesSchema, raw, "rules", errors);
  if (list === undefined) {
    return [];
  }
  const rules: Rule[] = [];
  list.forEach((item, index) => {
    const field = `rules[${index}]`;
    const rule = parseInto(ruleSchema, item, field, errors);
    if (rule === undefined) {
      return;
    }
    const before = errors.length;
    const matches = compileMatch(rule.match, `${field}.match`, errors);
    const action = compileAction(rule, field, cohorts, errors);
    if (errors.length === before && matches !== undefined && action !== undefined) {
      rules.push({ name: rule.name ?? `rule-${index}`, matches, action });
    }
  });
  return rules;
}

/** The first rule that matches, if any. */
export function firstMatch(rules: readonly Rule[], facts: RequestFacts): Rule | undefined {
  return rules.find((rule) => rule.matches(facts));
}

type RuleInput = v.InferOutput<typeof ruleSchema>;
type MatchInput = v.InferOutput<typeof matchSchema>;
type TextInput = v.InferOutput<typeof textMatch>;
type Test = (facts: RequestFacts) => boolean;

function compileAction(
  rule: RuleInput,
  field: string,
  cohorts: ReadonlySet<string>,
  errors: string[],
): RuleAction | undefined {
  if (rule.cohort !== undefined) {
    if (!cohorts.has(rule.cohort)) {
      errors.push(`${field}.cohort: unknown cohort "${rule.cohort}" (it has no origin)`);
      return undefined;
    }
    return { kind: "cohort", cohort: rule.cohort };
  }
  if (rule.exclude === true) {
    return { kind: "exclude" };
  }
  const weights = readWeights(rule.weights, `${field}.weights`, cohorts, errors);
  if (weights === undefined) {
    return undefined;
  }
  return { kind: "weights", weights, layout: buildLayout(weights) };
}

function compileMatch(match: MatchInput, field: string, errors: string[]): Test | undefined {
  const tests: Test[] = [];
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
  if (match.header !== undefined) {
    const name = match.header.name.toLowerCase();
    const test = compileText(match.header, `${field}.header`, errors);
    if (test !== undefined) {
      tests.push((f) => test(f.header(name) ?? undefined));
    }
  }
  if (match.cookie !== undefined) {
    const name = match.cookie.name;
    const test = compileText(match.cookie, `${field}.cookie`, errors);
    if (test !== undefined) {
      tests.push((f) => test(f.cookie(name)));
    }
  }
  if (match.path?.prefix !== undefined) {
    const prefix = match.path.prefix;
    tests.push((f) => f.path.length <= MAX_MATCH_INPUT && f.path.startsWith(prefix));
  } else if (match.path?.glob !== undefined) {
    const compiled = compileRegex(globToPattern(match.path.glob));
    if (!compiled.ok) {
      errors.push(`${field}.path.glob: ${compiled.error}`);
      return undefined;
    }
    const regex = compiled.regex;
    tests.push((f) => f.path.length <= MAX_REGEX_INPUT && regex.test(f.path));
  }
  return (facts) => tests.every((test) => test(facts));
}

function compileText(
  m: TextInput,
  field: string,
  errors: string[],
): ((value: string | undefined) => boolean) | undefined {
  if (m.present !== undefined) {
    const wanted = m.present;
    return (value) => (value !== undefined) === wanted;
  }
  const fold = m.ignoreCase === true;
  if (m.regex !== undefined) {
    const compiled = compileRegex(m.regex, { ignoreCase: fold });
    if (!compiled.ok) {
      errors.push(`${field}.regex: ${compiled.error}`);
      return undefined;
    }
    const regex = compiled.regex;
    return (value) => value !== undefined && value.length <= MAX_REGEX_INPUT && regex.test(value);
  }
  const expected = fold ? (m.equals ?? m.prefix ?? "").toLowerCase() : (m.equals ?? m.prefix ?? "");
  const prefix = m.prefix !== undefined;
  return (value) => {
    if (value === undefined || value.length > MAX_MATCH_INPUT) {
      return false;
    }
    const actual = fold ? value.toLowerCase() : value;
    return prefix ? actual.startsWith(expected) : actual === expected;
  };
}
