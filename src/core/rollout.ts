import * as v from "valibot";
import { readAnalysis } from "./analysis-schema";
import type { AnalysisSettings } from "./analysis-schema";
import { readChange } from "./change";
import type { ManualChange } from "./change";
import { COHORT_NAME, STABLE } from "./cohort";
import { murmur3 } from "./hash";
import { describeIssue, isJsonObject, strictObjectMessage } from "./issues";
import { buildLayout } from "./layout";
import type { Layout } from "./layout";
import {
  readBreaker,
  readCachePolicy,
  readFailover,
  readStickiness,
  readTimeouts,
} from "./options";
import type { BreakerPolicy, CachePolicy, FailoverPolicy, Stickiness } from "./options";
import { parseOriginUrl } from "./origin-url";
import type { Origin } from "./origin-url";
import { compileRules } from "./rules";
import type { Rule } from "./rules";
import { readWeights } from "./weights";

export { COHORT_NAME };

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
  /** Targeting rules, in order; the first that matches decides. */
  readonly rules: readonly Rule[];
  readonly stickiness: Stickiness;
  /** Cohort -> ms to wait for response headers; cohorts not here use ORIGIN_TIMEOUT_SECONDS. */
  readonly timeoutsMs: ReadonlyMap<string, number>;
  readonly failover: FailoverPolicy | null;
  readonly breaker: BreakerPolicy | null;
  readonly cache: CachePolicy;
  /** Canary analysis settings (docs/canary-analysis.md); null without an `analysis` block. */
  readonly analysis: AnalysisSettings | null;
  /** The last manual change recorded in the document (src/core/change.ts); null without one. */
  readonly change: ManualChange | null;
}

/** The result of parsing a rollout document: the rollout, or every problem found. */
export type ParseResult =
  | { readonly ok: true; readonly rollout: Rollout }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Every top-level field a rollout document may have. */
export const DOCUMENT_FIELDS = [
  "origins",
  "weights",
  "salt",
  "rules",
  "stickiness",
  "timeouts",
  "failover",
  "breaker",
  "cache",
  "analysis",
  "change",
] as const;

const originMap = v.custom<Record<string, unknown>>(
  isJsonObject,
  (issue) => `expected an object of cohort name -> origin URL, got ${issue.received}`,
);

const documentSchema = v.strictObject(
  {
    origins: originMap,
    weights: v.unknown(),
    salt: v.optional(
      v.pipe(
        v.string("expected a string"),
        v.minLength(1, "expected a non-empty string"),
        v.maxLength(128, "expected at most 128 characters"),
      ),
    ),
    rules: v.optional(v.unknown()),
    stickiness: v.optional(v.unknown()),
    timeouts: v.optional(v.unknown()),
    failover: v.optional(v.unknown()),
    breaker: v.optional(v.unknown()),
    cache: v.optional(v.unknown()),
    analysis: v.optional(v.unknown()),
    change: v.optional(v.unknown()),
  },
  strictObjectMessage(DOCUMENT_FIELDS),
);

/** The document's revision, as metrics record it (`blob5`): a short hash of its text. */
export function revisionOf(text: string): string {
  return murmur3(text).toString(16).padStart(8, "0");
}

/**
 * Parses and validates a rollout document read from KV. Never throws: bad
 * input gives `ok: false` with one message per problem, each starting with the
 * field it is about (`weights.canary: expected ...`). Regexes and globs in
 * rules are compiled here, once per document.
 */
export function parseRollout(text: string, key: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [`document: not valid JSON (${reason})`] };
  }
  if (!isJsonObject(json)) {
    return {
      ok: false,
      errors: [`document: expected a JSON object with fields ${DOCUMENT_FIELDS.join(", ")}`],
    };
  }
  const parsed = v.safeParse(documentSchema, json);
  if (!parsed.success) {
    return { ok: false, errors: parsed.issues.map((issue) => describeIssue(issue)) };
  }
  const doc = parsed.output;
  // `weights` is required but typed unknown (read below); valibot treats a missing unknown as present.
  if (!Object.hasOwn(json, "weights")) {
    return { ok: false, errors: ["weights: required"] };
  }
  const errors: string[] = [];

  const origins = new Map<string, Origin>();
  for (const [cohort, url] of Object.entries(doc.origins)) {
    if (!COHORT_NAME.test(cohort)) {
      errors.push(`origins.${cohort}: cohort name must match ${COHORT_NAME.source}`);
    } else if (typeof url !== "string") {
      errors.push(
        `origins.${cohort}: expected an absolute http: or https: URL as a string, got ${JSON.stringify(url)}`,
      );
    } else {
      const origin = parseOriginUrl(url);
      if (typeof origin === "string") {
        errors.push(`origins.${cohort}: ${origin}`);
      } else {
        origins.set(cohort, origin);
      }
    }
  }
  const cohorts = new Set(Object.keys(doc.origins).filter((c) => COHORT_NAME.test(c)));
  if (!cohorts.has(STABLE)) {
    errors.push(`origins.${STABLE}: required (the baseline cohort must have an origin)`);
  }
  const weights = readWeights(doc.weights, "weights", cohorts, errors);
  const rules = doc.rules === undefined ? [] : compileRules(doc.rules, cohorts, errors);
  const stickiness = readStickiness(doc.stickiness, errors);
  const timeoutsMs = readTimeouts(doc.timeouts, cohorts, errors);
  const failover = readFailover(doc.failover, errors);
  const breaker = readBreaker(doc.breaker, errors);
  const cache = readCachePolicy(doc.cache, errors);
  const analysis = readAnalysis(doc.analysis, cohorts, errors);
  const change = readChange(doc.change, errors);

  if (errors.length > 0 || weights === undefined) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    rollout: {
      key,
      revision: revisionOf(text),
      salt: doc.salt ?? key,
      origins,
      weights,
      layout: buildLayout(weights),
      rules,
      stickiness,
      timeoutsMs,
      failover,
      breaker,
      cache,
      analysis,
      change,
    },
  };
}
