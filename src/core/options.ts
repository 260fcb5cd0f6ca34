import * as v from "valibot";
import { isJsonObject, parseInto, strictJsonObject } from "./issues";
import { COHORT_NAME } from "./cohort";

/** What is hashed into the bucket. */
export type Stickiness =
  | { readonly source: "visitor" }
  | { readonly source: "header"; readonly name: string }
  | { readonly source: "cookie"; readonly name: string };

/** Retry a failed non-stable request once on `stable` (see docs/rollout-document.md "Failover"). */
export interface FailoverPolicy {
  /** Origin statuses that count as a failure, besides network errors and timeouts. */
  readonly statuses: ReadonlySet<number>;
  /** Largest request body (bytes, by Content-Length) buffered so it can be replayed. */
  readonly maxBodyBytes: number;
}

/** Per-isolate canary circuit breaker (see docs/rollout-document.md "Circuit breaker"). */
export interface BreakerPolicy {
  readonly failureRate: number;
  readonly minRequests: number;
  readonly windowMs: number;
  readonly coolDownMs: number;
  /** Share of the cohort's requests let through while half-open, percent. */
  readonly halfOpenPercent: number;
  /** Consecutive successes while half-open that close the breaker. */
  readonly halfOpenSuccesses: number;
}

/** How shareable (`public`, `s-maxage`) responses leave the worker. */
export type CachePolicy = "private" | "vary" | "off";

export const DEFAULT_FAILOVER_STATUSES = [502, 503, 504] as const;
export const DEFAULT_FAILOVER_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_BREAKER: BreakerPolicy = {
  failureRate: 0.5,
  minRequests: 20,
  windowMs: 30_000,
  coolDownMs: 30_000,
  halfOpenPercent: 10,
  halfOpenSuccesses: 5,
};

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

const stickinessSchema = v.pipe(
  strictJsonObject(
    {
      header: v.optional(
        v.pipe(v.string("expected a header name"), v.regex(HEADER_NAME, "expected a header name")),
      ),
      cookie: v.optional(
        v.pipe(v.string("expected a cookie name"), v.regex(COOKIE_NAME, "expected a cookie name")),
      ),
    },
    ["header", "cookie"],
  ),
  v.check(
    (s) => (s.header === undefined) !== (s.cookie === undefined),
    "expected exactly one of header, cookie",
  ),
);

/** Reads `stickiness`; absent means the router's own visitor cookie. */
export function readStickiness(raw: unknown, errors: string[]): Stickiness {
  if (raw === undefined) {
    return { source: "visitor" };
  }
  const parsed = parseInto(stickinessSchema, raw, "stickiness", errors);
  if (parsed?.header !== undefined) {
    return { source: "header", name: parsed.header.toLowerCase() };
  }
  if (parsed?.cookie !== undefined) {
    return { source: "cookie", name: parsed.cookie };
  }
  return { source: "visitor" };
}

const seconds = (min: number, max: number) =>
  v.pipe(
    v.number(`expected a number of seconds from ${min} to ${max}`),
    v.minValue(min, `expected a number of seconds from ${min} to ${max}`),
    v.maxValue(max, `expected a number of seconds from ${min} to ${max}`),
  );

/** Reads `timeouts`: cohort -> seconds to wait for response headers. */
export function readTimeouts(
  raw: unknown,
  cohorts: ReadonlySet<string>,
  errors: string[],
): Map<string, number> {
  const timeouts = new Map<string, number>();
  if (raw === undefined) {
    return timeouts;
  }
  if (!isJsonObject(raw)) {
    errors.push("timeouts: expected an object of cohort name -> seconds");
    return timeouts;
  }
  for (const [cohort, value] of Object.entries(raw)) {
    if (!COHORT_NAME.test(cohort) || !cohorts.has(cohort)) {
      errors.push(`timeouts.${cohort}: unknown cohort (it has no origin)`);
      continue;
    }
    const parsed = parseInto(seconds(0.001, 3600), value, `timeouts.${cohort}`, errors);
    if (parsed !== undefined) {
      timeouts.set(cohort, Math.round(parsed * 1000));
    }
  }
  return timeouts;
}

const failoverSchema = strictJsonObject(
  {
    statuses: v.optional(
      v.array(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(500, "expected a 5xx status"),
          v.maxValue(599, "expected a 5xx status"),
        ),
        "expected a list of 5xx statuses",
      ),
    ),
    maxBodyBytes: v.optional(
      v.pipe(
        v.number(),
        v.integer("expected an integer"),
        v.minValue(0),
        v.maxValue(1_048_576, "expected at most 1048576 (1 MiB)"),
      ),
    ),
  },
  ["statuses", "maxBodyBytes"],
);

/** Reads `failover`; absent means no failover. */
export function readFailover(raw: unknown, errors: string[]): FailoverPolicy | null {
  if (raw === undefined) {
    return null;
  }
  const parsed = parseInto(failoverSchema, raw, "failover", errors);
  return {
    statuses: new Set(parsed?.statuses ?? DEFAULT_FAILOVER_STATUSES),
    maxBodyBytes: parsed?.maxBodyBytes ?? DEFAULT_FAILOVER_MAX_BODY_BYTES,
  };
}

const breakerSchema = strictJsonObject(
  {
    failureRate: v.optional(
      v.pipe(v.number(), v.minValue(0.01, "expected 0.01..1"), v.maxValue(1, "expected 0.01..1")),
    ),
    minRequests: v.optional(
      v.pipe(v.number(), v.integer("expected an integer"), v.minValue(1), v.maxValue(100_000)),
    ),
    windowSeconds: v.optional(seconds(1, 3600)),
    coolDownSeconds: v.optional(seconds(1, 3600)),
    halfOpenPercent: v.optional(
      v.pipe(
        v.number(),
        v.minValue(0.01, "expected 0.01..100"),
        v.maxValue(100, "expected 0.01..100"),
      ),
    ),
    halfOpenSuccesses: v.optional(
      v.pipe(v.number(), v.integer("expected an integer"), v.minValue(1), v.maxValue(1000)),
    ),
  },
  [
    "failureRate",
    "minRequests",
    "windowSeconds",
    "coolDownSeconds",
    "halfOpenPercent",
    "halfOpenSuccesses",
  ],
);

/** Reads `breaker`; absent means no circuit breaker, `{}` means the defaults. */
export function readBreaker(raw: unknown, errors: string[]): BreakerPolicy | null {
  if (raw === undefined) {
    return null;
  }
  const parsed = parseInto(breakerSchema, raw, "breaker", errors);
  return {
    failureRate: parsed?.failureRate ?? DEFAULT_BREAKER.failureRate,
    minRequests: parsed?.minRequests ?? DEFAULT_BREAKER.minRequests,
    windowMs:
      parsed?.windowSeconds === undefined ? DEFAULT_BREAKER.windowMs : parsed.windowSeconds * 1000,
    coolDownMs:
      parsed?.coolDownSeconds === undefined
        ? DEFAULT_BREAKER.coolDownMs
        : parsed.coolDownSeconds * 1000,
    halfOpenPercent: parsed?.halfOpenPercent ?? DEFAULT_BREAKER.halfOpenPercent,
    halfOpenSuccesses: parsed?.halfOpenSuccesses ?? DEFAULT_BREAKER.halfOpenSuccesses,
  };
}

const cacheSchema = v.picklist(["private", "vary", "off"], 'expected "private", "vary" or "off"');

/** Reads `cache`; absent means `private` (isolation by default). */
export function readCachePolicy(raw: unknown, errors: string[]): CachePolicy {
  if (raw === undefined) {
    return "private";
  }
  return parseInto(cacheSchema, raw, "cache", errors) ?? "private";
}
