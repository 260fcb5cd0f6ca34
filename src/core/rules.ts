import * as v from "valibot";
import { compileMatch, matchSchema, newRuleScratch } from "./conditions";
import type { MatchTest } from "./conditions";
import type { RequestFacts } from "./facts";
import { parseInto, strictJsonObject } from "./issues";
import { buildLayout } from "./layout";
import type { Layout } from "./layout";
import { OVER_BUDGET_RULE_NAME } from "./step-budget";
import { readWeights } from "./weights";

export { MAX_MATCH_INPUT, MAX_REGEX_INPUT } from "./conditions";
export { OVER_BUDGET_RULE_NAME, RULE_STEP_BUDGET } from "./step-budget";

/** At most this many rules per rollout: rules run on every request. */
export const MAX_RULES = 50;

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
  /** Whether the request satisfies the rule's `match`; regexes and globs are paid from the scratch's budget. */
  readonly matches: MatchTest;
  readonly action: RuleAction;
}

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

/**
 * The rule a request falls under when its rules ran out of regex steps: it
 * goes to `stable`, where traffic goes when anything is in doubt.
 */
export const OVER_BUDGET_RULE: Rule = {
  name: OVER_BUDGET_RULE_NAME,
  matches: () => true,
  action: { kind: "exclude" },
};

/**
 * The first rule that matches, if any. Every regex and glob of the request
 * is paid from one budget of `steps` (RULE_STEP_BUDGET): once a condition
 * cannot be decided within it, no further rule is tried and the answer is
 * OVER_BUDGET_RULE, so no document makes one request cost more than that.
 */
export function firstMatch(
  rules: readonly Rule[],
  facts: RequestFacts,
  steps?: number,
): Rule | undefined {
  const scratch = newRuleScratch(steps);
  for (const rule of rules) {
    if (rule.matches(facts, scratch)) {
      return rule;
    }
    if (scratch.budget.exhausted) {
      return OVER_BUDGET_RULE;
    }
  }
  return undefined;
}

type RuleInput = v.InferOutput<typeof ruleSchema>;

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
