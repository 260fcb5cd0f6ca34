import type { SafeRegex } from "./regex";

/**
 * Regex-engine steps one request may spend on the regex and glob conditions
 * of all its rules together. A step is one NFA state at one input position
 * (see src/core/regex/match.ts); the slowest step measured costs about 13 ns
 * (a class of non-ASCII letters), so the whole budget is a few milliseconds
 * of CPU at worst, whatever the document and the request. Ordinary rules on
 * ordinary requests spend a few thousand steps each. `npm run bench:worst`
 * measures the worst case (BENCHMARKS.md, "Worst case per request").
 */
export const RULE_STEP_BUDGET = 250_000;

/**
 * The rule name recorded (`blob9`) for a request whose rules ran out of
 * steps; such a request goes to `stable`. Parentheses and the space keep it
 * apart from every name a rule may have.
 */
export const OVER_BUDGET_RULE_NAME = "(step budget)";

/** What one request's rules may still spend. Made per request by `firstMatch`. */
export interface StepBudget {
  remaining: number;
  /** Set once a condition could not be decided within the budget: no further rule is tried. */
  exhausted: boolean;
}

/** A full budget for one request. */
export function newStepBudget(steps: number = RULE_STEP_BUDGET): StepBudget {
  return { remaining: steps, exhausted: false };
}

/**
 * Whether `regex` matches `input`, paid from `budget`. Once the budget is
 * exhausted every further test is false without running.
 */
export function testWithinBudget(regex: SafeRegex, input: string, budget: StepBudget): boolean {
  if (budget.exhausted) {
    return false;
  }
  const { result, steps } = regex.testWithin(input, budget.remaining);
  budget.remaining -= steps;
  if (result === "over_budget") {
    budget.exhausted = true;
    return false;
  }
  return result === "match";
}
