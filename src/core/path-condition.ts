/**
 * The `path` condition of a rule: `{"prefix": "/api/"}` or `{"glob":
 * "/static/**\/*.js"}`, on the path as the runtime parsed it or, with
 * `"normalize": true`, on its normalised form (./path-normal.ts).
 */
import * as v from "valibot";
import type { RequestFacts } from "./facts";
import { globToPattern } from "./glob";
import { strictJsonObject } from "./issues";
import { MAX_MATCH_INPUT, MAX_REGEX_INPUT } from "./match-limits";
import { normalizePath } from "./path-normal";
import { compileRegex } from "./regex";
import { testWithinBudget } from "./step-budget";
import type { StepBudget } from "./step-budget";

/** What the conditions of one request's rules share while they are matched. */
export interface RuleScratch {
  readonly budget: StepBudget;
  /** The normalised path, once a rule asked for it (computed once per request). */
  normalizedPath: string | undefined;
}

const pathText = (what: string) =>
  v.pipe(
    v.string(`expected a ${what} as a string`),
    v.startsWith("/", `expected a ${what} starting with "/" (every request path does)`),
  );

const PATH_FIELDS = ["prefix", "glob", "normalize"] as const;

/** The `path` condition as written in a rule. */
export const pathSchema = v.pipe(
  strictJsonObject(
    {
      prefix: v.optional(pathText("path prefix")),
      glob: v.optional(pathText("glob")),
      normalize: v.optional(v.boolean("expected true or false")),
    },
    PATH_FIELDS,
  ),
  v.check(
    (p) => (p.prefix === undefined) !== (p.glob === undefined),
    "expected exactly one of prefix, glob",
  ),
);

/** A compiled path condition; `costly` when it runs a glob (paid from the step budget). */
export interface PathTest {
  readonly costly: boolean;
  readonly run: (facts: RequestFacts, scratch: RuleScratch) => boolean;
}

/**
 * Compiles a validated `path` condition; a glob the regex engine refuses is
 * appended to `errors`. With `normalize`, the rule's own prefix or glob is
 * lower-cased, as the path it is compared with is.
 */
export function compilePath(
  path: v.InferOutput<typeof pathSchema>,
  field: string,
  errors: string[],
): PathTest | undefined {
  const normalize = path.normalize === true;
  const form = (text: string) => (normalize ? text.toLowerCase() : text);
  const subject = (facts: RequestFacts, scratch: RuleScratch): string => {
    if (!normalize) {
      return facts.path;
    }
    scratch.normalizedPath ??= normalizePath(facts.path);
    return scratch.normalizedPath;
  };
  if (path.prefix !== undefined) {
    const prefix = form(path.prefix);
    return {
      costly: false,
      run: (facts, scratch) =>
        facts.path.length <= MAX_MATCH_INPUT && subject(facts, scratch).startsWith(prefix),
    };
  }
  const compiled = compileRegex(globToPattern(form(path.glob ?? "")));
  if (!compiled.ok) {
    errors.push(`${field}.glob: ${compiled.error}`);
    return undefined;
  }
  const regex = compiled.regex;
  return {
    costly: true,
    run: (facts, scratch) =>
      facts.path.length <= MAX_REGEX_INPUT &&
      testWithinBudget(regex, subject(facts, scratch), scratch.budget),
  };
}
