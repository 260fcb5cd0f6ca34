import type { SafeRegex } from "./regex";

/**
 * Regex-engine steps one request may spend on the regex and glob conditions
 * of all its rules together. A step is one NFA state at one input position,
 * with the costlier operations counted as several (src/core/regex/match.ts),
 * so that a step costs a few nanoseconds whatever the pattern: in workerd
 * the whole budget, spent by the heaviest patterns we know, takes 1 to 2 ms
 * of CPU, leaving room for the rest of the request within 5 ms. Ordinary
 * rules on ordinary requests spend hundreds to a few thousand steps each, so
 * 50 of them fit several times over. `npm run bench:worst` measures the
 * worst case (BENCHMARKS.md, "Worst case per request").
 */
export const RULE_STEP_BUDGET = 200_000;

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
