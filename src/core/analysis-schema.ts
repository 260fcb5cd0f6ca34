/**
 * Reads and validates the optional `analysis` block of a rollout document
 * (strict: unknown fields are errors), with messages in the same
 * `<field>: expected ...` style as the rest of the document.
 */

import * as v from "valibot";
import { STABLE } from "./cohort";
import { parseInto, strictObjectMessage } from "./issues";
import { isJsonObject, strictJsonObject } from "./issues";
import { toHundredths } from "./weights";
import { ANALYSIS_DEFAULTS, ANALYSIS_FIELDS } from "./analysis-settings";
import type { AnalysisSettings } from "./analysis-settings";

export type { AnalysisSettings, EvidenceGate, RampDown } from "./analysis-settings";
export { ANALYSIS_DEFAULTS, ANALYSIS_FIELDS } from "./analysis-settings";

const percentStep = v.pipe(
  v.number("expected a percent (a JSON number)"),
  v.check(
    (n) => n > 0 && n <= 100 && toHundredths(n) !== undefined,
    "expected a percent above 0, at most 100, with at most two decimals",
  ),
);

const integer = (min: number, max: number) =>
  v.pipe(
    v.number(`expected an integer from ${min} to ${max}`),
    v.integer(`expected an integer from ${min} to ${max}`),
    v.minValue(min, `expected an integer from ${min} to ${max}`),
    v.maxValue(max, `expected an integer from ${min} to ${max}`),
  );

const range = (min: number, max: number, what = "a number") =>
  v.pipe(
    v.number(`expected ${what} from ${min} to ${max}`),
    v.minValue(min, `expected ${what} from ${min} to ${max}`),
    v.maxValue(max, `expected ${what} from ${min} to ${max}`),
  );

const latencyRatio = v.nullable(
  v.pipe(
    v.number("expected a ratio above 0 or null"),
    v.check((n) => n > 0 && n <= 100, "expected a ratio above 0 (at most 100) or null"),
  ),
);

const rampDownSchema = v.strictObject(
  {
    steps: v.pipe(
      v.array(
        v.pipe(
          v.number("expected a percent"),
          v.check(
            (n) => n > 0 && n < 100 && toHundredths(n) !== undefined,
            "expected a percent above 0 and below 100, with at most two decimals",
          ),
        ),
        "expected a list of percents",
      ),
      v.maxLength(20, "expected at most 20 steps"),
      v.check(
        strictly((a, b) => a > b),
        "expected strictly descending percents (0 is added at the end)",
      ),
    ),
    interval: v.optional(integer(60, 86_400)),
  },
  strictObjectMessage(["steps", "interval"]),
);

const evidenceSchema = v.nullable(
  strictJsonObject(
    {
      above: v.optional(
        v.pipe(
          v.number("expected a percent from 0 to below 100"),
          v.check(
            (n) => n >= 0 && n < 100 && toHundredths(n) !== undefined,
            "expected a percent from 0 to below 100, with at most two decimals",
          ),
        ),
      ),
      standardErrors: v.optional(range(0.5, 10)),
    },
    ["above", "standardErrors"],
  ),
);

const analysisSchema = v.strictObject(
  {
    canary: v.optional(v.string("expected a cohort name")),
    steps: v.optional(
      v.pipe(
        v.array(percentStep, "expected a list of percents"),
        v.minLength(1, "expected at least one step"),
        v.maxLength(20, "expected at most 20 steps"),
        v.check(
          strictly((a, b) => a < b),
          "expected strictly ascending percents",
        ),
      ),
    ),
    interval: v.optional(integer(60, 86_400)),
    window: v.optional(integer(300, 86_400)),
    minRequests: v.optional(integer(1, 1_000_000_000)),
    maxErrorRate: v.optional(
      v.nullable(
        v.pipe(
          v.number("expected a rate above 0 and below 1, or null"),
          v.check((n) => n > 0 && n < 1, "expected a rate above 0 and below 1, or null"),
        ),
      ),
    ),
    errorMargin: v.optional(
      v.pipe(
        v.number("expected a rate from 0 to below 1"),
        v.check((n) => n >= 0 && n < 1, "expected a rate from 0 to below 1"),
      ),
    ),
    relativeErrorMargin: v.optional(range(0, 100)),
    maxLatencyRatio: v.optional(
      v.strictObject(
        {
          p50: v.optional(latencyRatio),
          p95: v.optional(latencyRatio),
          p99: v.optional(latencyRatio),
        },
        strictObjectMessage(["p50", "p95", "p99"]),
      ),
    ),
    minLatencyRequests: v.optional(
      v.strictObject(
        {
          p50: v.optional(integer(1, 1_000_000_000)),
          p95: v.optional(integer(1, 1_000_000_000)),
          p99: v.optional(integer(1, 1_000_000_000)),
        },
        strictObjectMessage(["p50", "p95", "p99"]),
      ),
    ),
    minLatencyDeltaMs: v.optional(range(0, 60_000)),
    overdispersion: v.optional(range(1, 1000)),
    failuresToRollback: v.optional(integer(1, 60)),
    onNoData: v.optional(v.picklist(["hold", "rollback"], 'expected "hold" or "rollback"')),
    promoteWhen: v.optional(v.picklist(["no-failure", "pass"], 'expected "no-failure" or "pass"')),
    passTimeout: v.optional(
      v.nullable(
        v.pipe(
          v.number("expected seconds (an integer from 60 to 604800), or null"),
          v.integer("expected seconds (an integer from 60 to 604800), or null"),
          v.minValue(60, "expected seconds (an integer from 60 to 604800), or null"),
          v.maxValue(604_800, "expected seconds (an integer from 60 to 604800), or null"),
        ),
      ),
    ),
    evidence: v.optional(evidenceSchema),
    paused: v.optional(v.boolean("expected true or false")),
    dryRun: v.optional(v.boolean("expected true or false")),
    onComplete: v.optional(v.picklist(["stop", "promote"], 'expected "stop" or "promote"')),
    rampDown: v.optional(rampDownSchema),
    webhook: v.optional(
      v.pipe(
        v.string("expected an https URL"),
        v.maxLength(2048, "expected at most 2048 characters"),
        v.check(
          isWebhookUrl,
          "expected an https URL without credentials (http only for localhost)",
        ),
      ),
    ),
  },
  strictObjectMessage(ANALYSIS_FIELDS),
);

/**
 * Reads the optional `analysis` block of a rollout document. `cohorts` are
 * the cohorts with an origin. Returns null when the block is absent, or when
 * it is invalid after appending one `analysis.<field>: ...` message per
 * problem to `errors` (the same style as the rest of the document).
 */
export function readAnalysis(
  raw: unknown,
  cohorts: ReadonlySet<string>,
  errors: string[],
): AnalysisSettings | null {
  if (raw === undefined) {
    return null;
  }
  if (!isJsonObject(raw)) {
    // valibot's object schemas accept arrays; a list here is a mistake, not an empty block.
    errors.push(`analysis: expected an object with fields ${ANALYSIS_FIELDS.join(", ")}`);
    return null;
  }
  const before = errors.length;
  const parsed = parseInto(analysisSchema, raw, "analysis", errors);
  if (parsed === undefined) {
    return null;
  }
  const canary = readCanary(parsed.canary, cohorts, errors);
  if (errors.length > before || canary === undefined) {
    return null;
  }
  const d = ANALYSIS_DEFAULTS;
  return {
    canary,
    steps: (parsed.steps ?? d.steps).map(hundredths),
    intervalSeconds: parsed.interval ?? d.interval,
    windowSeconds: parsed.window ?? d.window,
    minRequests: parsed.minRequests ?? d.minRequests,
    maxErrorRate: pick(parsed.maxErrorRate, d.maxErrorRate),
    errorMargin: parsed.errorMargin ?? d.errorMargin,
    relativeErrorMargin: parsed.relativeErrorMargin ?? d.relativeErrorMargin,
    maxLatencyRatio: {
      p50: pick(parsed.maxLatencyRatio?.p50, d.maxLatencyRatio.p50),
      p95: pick(parsed.maxLatencyRatio?.p95, d.maxLatencyRatio.p95),
      p99: pick(parsed.maxLatencyRatio?.p99, d.maxLatencyRatio.p99),
    },
    minLatencyRequests: {
      p50: parsed.minLatencyRequests?.p50 ?? d.minLatencyRequests.p50,
      p95: parsed.minLatencyRequests?.p95 ?? d.minLatencyRequests.p95,
      p99: parsed.minLatencyRequests?.p99 ?? d.minLatencyRequests.p99,
    },
    minLatencyDeltaMs: parsed.minLatencyDeltaMs ?? d.minLatencyDeltaMs,
    overdispersion: parsed.overdispersion ?? d.overdispersion,
    failuresToRollback: parsed.failuresToRollback ?? d.failuresToRollback,
    onNoData: parsed.onNoData ?? d.onNoData,
    promoteWhen: parsed.promoteWhen ?? d.promoteWhen,
    passTimeoutSeconds: pick(parsed.passTimeout, d.passTimeout),
    evidence:
      parsed.evidence === null
        ? null
        : {
            aboveHundredths: hundredths(parsed.evidence?.above ?? d.evidence.above),
            standardErrors: parsed.evidence?.standardErrors ?? d.evidence.standardErrors,
          },
    paused: parsed.paused ?? false,
    dryRun: parsed.dryRun ?? false,
    onComplete: parsed.onComplete ?? d.onComplete,
    rampDown:
      parsed.rampDown === undefined
        ? null
        : {
            steps: [...parsed.rampDown.steps.map(hundredths), 0],
            intervalSeconds: parsed.rampDown.interval ?? d.rampDownInterval,
          },
    webhook: parsed.webhook ?? null,
  };
}

/** The analysed cohort: as named, else the only non-stable cohort. */
function readCanary(
  named: string | undefined,
  cohorts: ReadonlySet<string>,
  errors: string[],
): string | undefined {
  if (named !== undefined) {
    if (named === STABLE) {
      errors.push(`analysis.canary: "${STABLE}" is the baseline; name the cohort to analyse`);
      return undefined;
    }
    if (!cohorts.has(named)) {
      errors.push(`analysis.canary: unknown cohort "${named}" (it has no origin)`);
      return undefined;
    }
    return named;
  }
  const candidates = [...cohorts].filter((c) => c !== STABLE);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) {
    return only;
  }
  errors.push(
    candidates.length === 0
      ? "analysis.canary: no cohort besides stable to analyse (add one to origins)"
      : `analysis.canary: required when there are several non-stable cohorts (${candidates.join(", ")})`,
  );
  return undefined;
}

/** `value` unless omitted: unlike `??`, an explicit null ("skip this check") is kept. */
function pick(value: number | null | undefined, fallback: number | null): number | null {
  return value === undefined ? fallback : value;
}

/** Percent to hundredths; the schema has already checked the two decimals. */
function hundredths(percent: number): number {
  return toHundredths(percent) ?? Math.round(percent * 100);
}

function strictly(order: (a: number, b: number) => boolean): (list: number[]) => boolean {
  return (list) => list.every((value, i) => i === 0 || order(list[i - 1] ?? value, value));
}

/**
 * https only, so decisions (and the figures behind them) do not cross the
 * network in clear text; plain http is allowed for loopback hosts, which is
 * what local tests and the simulation use. Credentials in the URL are refused
 * because they would be logged with it.
 */
function isWebhookUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") {
    return false;
  }
  const loopback =
    url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  return url.protocol === "https:" || (url.protocol === "http:" && loopback);
}
