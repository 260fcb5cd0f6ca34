import * as v from "valibot";
import { buildLayout, STABLE } from "./layout";
import type { Layout } from "./layout";
import { parseOriginUrl } from "./origin-url";
import type { Origin } from "./origin-url";
import { formatHundredths, toHundredths } from "./weights";
import { murmur3 } from "./hash";

/** Cohort names, as the contract fixes them. */
export const COHORT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** A validated rollout, ready for routing decisions. */
export interface Rollout {
  /** The KV key the document was read from. */
  readonly key: string;
  /** Short hash of the document text: tells two versions apart in logs and metrics. */
  readonly revision: string;
  /** Salt hashed with the visitor id: the document's `salt`, else the KV key. */
  readonly salt: string;
  readonly origins: ReadonlyMap<string, Origin>;
  /** Cohort -> weight in hundredths of a percent; every cohort with an origin is present. */
  readonly weights: ReadonlyMap<string, number>;
  readonly layout: Layout;
}

/** The result of parsing a rollout document: the rollout, or every problem found. */
export type ParseResult =
  | { readonly ok: true; readonly rollout: Rollout }
  | { readonly ok: false; readonly errors: readonly string[] };

const FIELDS = "origins, weights, salt";

const expectedPercent = (issue: v.BaseIssue<unknown>): string =>
  `expected a JSON number from 0 to 100 with at most two decimals, got ${issue.received}`;

const originValue = v.string(
  (issue) => `expected an absolute http: or https: URL as a string, got ${issue.received}`,
);

const percentValue = v.pipe(
  v.number(expectedPercent),
  v.minValue(0, expectedPercent),
  v.maxValue(100, expectedPercent),
  v.check((n) => toHundredths(n) !== undefined, expectedPercent),
);

/** A JSON object (not an array, not null), whose own keys are read as data. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const cohortMap = (what: string) =>
  v.custom<Record<string, unknown>>(
    isJsonObject,
    (issue) => `expected an object of cohort name -> ${what}, got ${issue.received}`,
  );

const documentSchema = v.strictObject(
  {
    origins: cohortMap("origin URL"),
    weights: cohortMap("percent"),
    salt: v.optional(
      v.pipe(
        v.string("expected a string"),
        v.minLength(1, "expected a non-empty string"),
        v.maxLength(128, "expected at most 128 characters"),
      ),
    ),
  },
  (issue) => {
    if (issue.expected === "never") {
      return `unknown field (allowed: ${FIELDS})`;
    }
    return issue.received === "undefined"
      ? "required"
      : `expected a JSON object with fields ${FIELDS}, got ${issue.received}`;
  },
);

/**
 * Validates every entry of a cohort map into a `Map`. Entries are read with
 * `Object.entries` (own keys only), never through record helpers that skip
 * keys such as `__proto__` or `constructor`: every key is checked against the
 * cohort name pattern, and a valid name is a valid name whatever it spells.
 */
function readCohortMap<T>(
  field: string,
  object: Record<string, unknown>,
  schema: v.GenericSchema<unknown, T>,
  errors: string[],
): Map<string, T> {
  const map = new Map<string, T>();
  for (const [cohort, value] of Object.entries(object)) {
    if (!COHORT_NAME.test(cohort)) {
      errors.push(`${field}.${cohort}: cohort name must match ^[a-z0-9][a-z0-9_-]{0,31}$`);
      continue;
    }
    const parsed = v.safeParse(schema, value);
    if (parsed.success) {
      map.set(cohort, parsed.output);
    } else {
      errors.push(...parsed.issues.map((issue) => `${field}.${cohort}: ${issue.message}`));
    }
  }
  return map;
}

/**
 * Parses and validates a rollout document read from KV. Never throws: bad
 * input gives `ok: false` with one message per problem, each starting with the
 * field it is about (`weights.canary: expected ...`).
 */
export function parseRollout(text: string, key: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [`document: not valid JSON (${reason})`] };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, errors: [`document: expected a JSON object with fields ${FIELDS}`] };
  }
  const parsed = v.safeParse(documentSchema, json);
  if (!parsed.success) {
    return { ok: false, errors: parsed.issues.map(describeIssue) };
  }
  const doc = parsed.output;
  const errors: string[] = [];
  const originTexts = readCohortMap("origins", doc.origins, originValue, errors);
  const percents = readCohortMap("weights", doc.weights, percentValue, errors);
  if (errors.length > 0) {
    return { ok: false, errors };
  }

  const origins = new Map<string, Origin>();
  for (const [cohort, url] of originTexts) {
    const origin = parseOriginUrl(url);
    if (typeof origin === "string") {
      errors.push(`origins.${cohort}: ${origin}`);
    } else {
      origins.set(cohort, origin);
    }
  }
  if (!originTexts.has(STABLE)) {
    errors.push(`origins.${STABLE}: required (the baseline cohort must have an origin)`);
  }

  const weights = new Map<string, number>();
  let total = 0;
  for (const [cohort, percent] of percents) {
    // The schema already checked the two decimals; 0 only satisfies the type checker.
    const hundredths = toHundredths(percent) ?? 0;
    total += hundredths;
    if (!originTexts.has(cohort)) {
      errors.push(`weights.${cohort}: cohort has no origin (add origins.${cohort})`);
    }
    weights.set(cohort, hundredths);
  }
  if (total !== 10_000) {
    errors.push(`weights: must sum to exactly 100, got ${formatHundredths(total)}`);
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }

  for (const cohort of origins.keys()) {
    if (!weights.has(cohort)) {
      weights.set(cohort, 0);
    }
  }
  return {
    ok: true,
    rollout: {
      key,
      revision: murmur3(text).toString(16).padStart(8, "0"),
      salt: doc.salt ?? key,
      origins,
      weights,
      layout: buildLayout(weights),
    },
  };
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue);
  return `${path === null || path === "" ? "document" : path}: ${issue.message}`;
}
