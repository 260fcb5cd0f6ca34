/**
 * Linear-time regular expressions for operator-written targeting rules.
 *
 * JavaScript's RegExp backtracks: a pattern such as `(a+)+$` can take
 * exponential time, and a Worker cannot interrupt a running regex, so one bad
 * rule in a rollout document could stall every request. This module parses a
 * documented subset of JavaScript syntax (README.md) and matches with a
 * Thompson-NFA simulation in the style of RE2 (Russ Cox, "Regular Expression
 * Matching Can Be Simple And Fast"): time O(program size × input length),
 * memory O(program size), no backtracking ever. Whatever it accepts means
 * exactly what `new RegExp(pattern, ignoreCase ? "i" : "").test(input)` means.
 */
import { parseRegex } from "./parse";
import { compileProgram } from "./compile";
import { MATCH, OVER_BUDGET, PikeMatcher } from "./match";

export { MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, MAX_REPEAT_COUNT } from "./ast";

/** A compiled pattern, safe to run on untrusted input of any length. */
export interface SafeRegex {
  /** The pattern as given. */
  readonly source: string;
  /** Whether matching is case-insensitive (ECMAScript `i` rules, see README.md). */
  readonly ignoreCase: boolean;
  /**
   * Whether the pattern matches anywhere in `input`, like
   * `RegExp.prototype.test` without the `g` flag; `^` and `$` mean the whole
   * input. Linear in `input.length`.
   */
  test(input: string): boolean;
  /**
   * `test` under a budget of matcher steps, for callers that bound the work
   * of many patterns together (a step is one NFA state at one input
   * position: at most the program size per character). `over_budget` means
   * the answer was not found within `maxSteps`; `steps` is the work done.
   */
  testWithin(input: string, maxSteps: number): BoundedTest;
}

/** The answer of `SafeRegex.testWithin`, and the steps it took. */
export interface BoundedTest {
  readonly result: "match" | "no_match" | "over_budget";
  readonly steps: number;
}

/** Options for `compileRegex`. */
export interface CompileRegexOptions {
  /** Case-insensitive matching, like the `i` flag. */
  readonly ignoreCase?: boolean;
  /**
   * Flags as written after a regex literal, for documents that store them as
   * a string: only `i` is supported; any other flag is rejected.
   */
  readonly flags?: string;
}

/** `compileRegex`'s result: a regex, or a message saying what is wrong and where. */
export type CompileRegexResult =
  { readonly ok: true; readonly regex: SafeRegex } | { readonly ok: false; readonly error: string };

/**
 * Compiles `pattern`. Never throws: a pattern outside the supported subset,
 * or over a limit, yields `{ ok: false, error }` with a message such as
 * `unsupported: backreference \1 at 5` (positions are 0-based UTF-16 offsets).
 */
export function compileRegex(
  pattern: string,
  options: CompileRegexOptions = {},
): CompileRegexResult {
  const flags = parseFlags(options.flags ?? "");
  if (typeof flags === "string") {
    return { ok: false, error: flags };
  }
  const ignoreCase = flags.ignoreCase || options.ignoreCase === true;
  const parsed = parseRegex(pattern);
  if (!parsed.ok) {
    return parsed;
  }
  const compiled = compileProgram(parsed.node, ignoreCase);
  if (!compiled.ok) {
    return compiled;
  }
  const matcher = new PikeMatcher(compiled.program);
  const regex: SafeRegex = {
    source: pattern,
    ignoreCase,
    test: (input) => matcher.test(input),
    testWithin: (input, maxSteps) => {
      const outcome = matcher.run(input, maxSteps);
      const result =
        outcome === MATCH ? "match" : outcome === OVER_BUDGET ? "over_budget" : "no_match";
      return { result, steps: matcher.steps };
    },
  };
  return { ok: true, regex: Object.freeze(regex) };
}

/** Returns the flags' meaning, or an error message. */
function parseFlags(flags: string): { ignoreCase: boolean } | string {
  let ignoreCase = false;
  for (const flag of flags) {
    if (flag !== "i") {
      return `unsupported: flag '${flag}' (only 'i' is supported)`;
    }
    if (ignoreCase) {
      return `syntax error: duplicate flag 'i'`;
    }
    ignoreCase = true;
  }
  return { ignoreCase };
}
