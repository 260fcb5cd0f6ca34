/**
 * Syntax tree produced by `parse.ts` and consumed by `compile.ts`, plus the
 * size limits both enforce. The tree has no capture information: the engine
 * only answers "does the pattern match somewhere", so groups dissolve into
 * their contents during parsing.
 */

/**
 * Longest accepted pattern, in UTF-16 code units. Rollout documents are
 * written by people; anything longer is almost certainly a mistake, and the
 * cap also bounds parser recursion depth.
 */
export const MAX_PATTERN_LENGTH = 512;

/**
 * Largest count accepted in `{n}`, `{n,}` and `{n,m}`. Counted repetition is
 * expanded into copies of its body, so large counts mean large programs.
 */
export const MAX_REPEAT_COUNT = 1000;

/**
 * Largest compiled program, in instructions. Matching costs
 * O(program size × input length), so this is the knob that bounds the
 * per-character cost of the worst accepted pattern. With the rules' input cap
 * (2,048 characters, src/core/conditions.ts) the worst accepted pattern would
 * cost about 2 million steps; the rules stop one request at their step budget
 * (src/core/step-budget.ts). Typical patterns compile to under 100
 * instructions and cost well under a millisecond.
 */
export const MAX_PROGRAM_SIZE = 1_000;

/** A zero-width assertion: `^`, `$`, `\b` or `\B` (no multiline mode). */
export type Assertion = "start" | "end" | "wordBoundary" | "notWordBoundary";

/**
 * One node of the pattern's syntax tree.
 *
 * Character sets are stored as flat, sorted, merged inclusive code-unit
 * ranges `[lo0, hi0, lo1, hi1, ...]`. A set keeps its literal members
 * (characters and ranges the author wrote, which case-insensitive matching
 * must widen) apart from its class-escape members (`\d \w \s` and their
 * negations, which are already closed under case folding), so folding
 * never has to walk the huge ranges of `\D`, `\W` or `\S`.
 */
export type RegexNode =
  | { readonly kind: "empty" }
  | { readonly kind: "char"; readonly code: number }
  | { readonly kind: "dot" }
  | {
      readonly kind: "set";
      readonly literal: readonly number[];
      readonly closed: readonly number[];
      readonly negated: boolean;
    }
  | { readonly kind: "assert"; readonly assertion: Assertion }
  | { readonly kind: "concat"; readonly items: readonly RegexNode[] }
  | { readonly kind: "alternate"; readonly items: readonly RegexNode[] }
  | {
      readonly kind: "repeat";
      readonly body: RegexNode;
      readonly min: number;
      /** `Infinity` for `*`, `+` and `{n,}`. */
      readonly max: number;
      /** Parsed for fidelity; irrelevant to a yes/no answer. */
      readonly greedy: boolean;
    };
