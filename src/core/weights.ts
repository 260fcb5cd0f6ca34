import * as v from "valibot";
import { COHORT_NAME } from "./cohort";
import { isJsonObject } from "./issues";

/**
 * Converts a percent weight to hundredths of a percent (= buckets), or returns
 * `undefined` if it has more than two decimals. Floats such as 5.01 are not
 * exact (5.01 * 100 is 500.99999999999994), so the weight is compared with
 * the double nearest to `<hundredths> / 100`, which is exactly what JSON gives
 * for a two-decimal literal; 90.000000001 is not within "float noise" of 90.
 */
export function toHundredths(percent: number): number | undefined {
  const rounded = Math.round(percent * 100);
  return rounded / 100 === percent ? rounded : undefined;
}

/** Formats hundredths of a percent for messages: 8962 -> "89.62". */
export function formatHundredths(hundredths: number): string {
  return (hundredths / 100).toFixed(2).replace(/\.?0+$/, "");
}

const expectedPercent = (issue: v.BaseIssue<unknown>): string =>
  `expected a JSON number from 0 to 100 with at most two decimals, got ${issue.received}`;

const percentValue = v.pipe(
  v.number(expectedPercent),
  v.minValue(0, expectedPercent),
  v.maxValue(100, expectedPercent),
  v.check((n) => toHundredths(n) !== undefined, expectedPercent),
);

/**
 * Reads a `weights` object: cohort -> percent. Checks every name, every
 * value, that every cohort has an origin (is in `cohorts`) and that the sum is
 * exactly 100 in hundredths. Returns cohort -> hundredths, with 0 for every
 * cohort in `cohorts` that has no weight; or `undefined` after appending the
 * problems to `errors`. Keys are read with `Object.entries` (own keys only),
 * so names like `constructor` are ordinary names and `__proto__` is rejected
 * by the name pattern rather than skipped.
 */
export function readWeights(
  raw: unknown,
  field: string,
  cohorts: ReadonlySet<string>,
  errors: string[],
): Map<string, number> | undefined {
  if (!isJsonObject(raw)) {
    errors.push(`${field}: expected an object of cohort name -> percent, got ${describe(raw)}`);
    return undefined;
  }
  const before = errors.length;
  const weights = new Map<string, number>();
  let total = 0;
  for (const [cohort, value] of Object.entries(raw)) {
    if (!COHORT_NAME.test(cohort)) {
      errors.push(`${field}.${cohort}: cohort name must match ${COHORT_NAME.source}`);
      continue;
    }
    const parsed = v.safeParse(percentValue, value);
    if (!parsed.success) {
      errors.push(...parsed.issues.map((issue) => `${field}.${cohort}: ${issue.message}`));
      continue;
    }
    if (!cohorts.has(cohort)) {
      errors.push(`${field}.${cohort}: cohort has no origin (add origins.${cohort})`);
      continue;
    }
    const hundredths = toHundredths(parsed.output) ?? 0;
    total += hundredths;
    weights.set(cohort, hundredths);
  }
  if (errors.length > before) {
    return undefined;
  }
  if (total !== 10_000) {
    errors.push(`${field}: must sum to exactly 100, got ${formatHundredths(total)}`);
    return undefined;
  }
  for (const cohort of cohorts) {
    if (!weights.has(cohort)) {
      weights.set(cohort, 0);
    }
  }
  return weights;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return "an array";
  }
  return value === null
    ? "null"
    : typeof value === "string"
      ? JSON.stringify(value)
      : String(value);
}
