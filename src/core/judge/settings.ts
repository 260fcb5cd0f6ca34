/**
 * Judge thresholds, their defaults, and validation. README.md in this folder
 * explains each default; the short "why" is next to each field below.
 */

import type { LatencyQuantile } from "./types";

/** Every threshold the judge uses, fully resolved. */
export interface JudgeSettings {
  /** Cohort the canary is compared with. */
  readonly baselineCohort: string;
  /**
   * Error probability of each anytime-valid error-rate decision, per direction:
   * P(ever failing a canary that is within the margin) <= alpha, and
   * P(ever passing one that is outside it) <= alpha, however often the judge looks.
   */
  readonly alpha: number;
  /** Requests each compared cohort needs before an error-rate check may pass or fail. */
  readonly minRequests: number;
  /**
   * The relative check waits until its statistic is no more skewed than a
   * Poisson count with this many expected errors (normal approximation guard).
   */
  readonly minExpectedErrors: number;
  /** Absolute ceiling for the canary's error rate (check 1); null skips the check. */
  readonly maxErrorRate: number | null;
  /** Smallest canary-minus-stable error-rate increase that counts as a regression (absolute). */
  readonly minAbsoluteEffect: number;
  /** Same, relative to the stable error rate; the margin is the larger of the two. */
  readonly minRelativeEffect: number;
  /**
   * Scale τ (error-rate units) of the half-normal mixing distribution of the
   * sequential test: it decides soonest about excesses of about this size.
   */
  readonly mixtureScale: number;
  /**
   * Variance inflation φ >= 1 for count-based checks: counts are divided by φ
   * (effective sample size). Use > 1 when requests are not independent, e.g.
   * sticky per-visitor cohorts with heavy visitors, or sampled data.
   */
  readonly overdispersion: number;
  /** Maximum canary/stable ratio per latency quantile; null skips that quantile. */
  readonly maxLatencyRatio: Readonly<Record<LatencyQuantile, number | null>>;
  /** Requests each cohort needs before that quantile is compared. */
  readonly minLatencyRequests: Readonly<Record<LatencyQuantile, number>>;
  /** A latency increase of at most this many ms never fails, whatever the ratio. */
  readonly minLatencyDeltaMs: number;
  /** Sample-ratio check fails when the chi-square p-value is below this. */
  readonly srmPValue: number;
  /** Smallest expected count per cohort for the chi-square approximation to be trusted. */
  readonly srmMinExpected: number;
}

/** Overrides accepted by {@link resolveJudgeSettings}; omitted fields take the defaults. */
export type JudgeSettingsInput = Partial<
  Omit<JudgeSettings, "maxLatencyRatio" | "minLatencyRequests">
> & {
  readonly maxLatencyRatio?: Partial<Record<LatencyQuantile, number | null>>;
  readonly minLatencyRequests?: Partial<Record<LatencyQuantile, number>>;
};

/** The defaults; README.md ("Defaults") gives the reasoning behind each number. */
export const DEFAULT_JUDGE_SETTINGS: JudgeSettings = {
  baselineCohort: "stable",
  alpha: 0.05,
  minRequests: 200,
  minExpectedErrors: 5,
  maxErrorRate: 0.05,
  minAbsoluteEffect: 0.005,
  minRelativeEffect: 0.5,
  mixtureScale: 0.01,
  overdispersion: 1,
  maxLatencyRatio: { p50: 1.2, p95: 1.25, p99: 1.5 },
  // Quantiles from few requests are noise. With these counts in both cohorts
  // and log-normal latency (σ = 0.5), identical cohorts exceed the default
  // ratios in under 0.5% of single evaluations, and p99 has >= 10 requests
  // above it (README.md, "Latency").
  minLatencyRequests: { p50: 200, p95: 400, p99: 1000 },
  minLatencyDeltaMs: 0,
  srmPValue: 0.001,
  srmMinExpected: 5,
};

function checkProbability(problems: string[], name: string, value: number): void {
  if (!(value > 0 && value < 1)) {
    problems.push(`${name} must be a number in (0, 1), got ${String(value)}`);
  }
}

function checkNonNegative(problems: string[], name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    problems.push(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/**
 * Merges overrides onto the defaults and validates the result.
 * Throws a RangeError listing every invalid field: a misconfigured judge must
 * not silently run with thresholds nobody chose.
 */
export function resolveJudgeSettings(input: JudgeSettingsInput = {}): JudgeSettings {
  const defaults = DEFAULT_JUDGE_SETTINGS;
  const settings: JudgeSettings = {
    baselineCohort: input.baselineCohort ?? defaults.baselineCohort,
    alpha: input.alpha ?? defaults.alpha,
    minRequests: input.minRequests ?? defaults.minRequests,
    minExpectedErrors: input.minExpectedErrors ?? defaults.minExpectedErrors,
    maxErrorRate: input.maxErrorRate === undefined ? defaults.maxErrorRate : input.maxErrorRate,
    minAbsoluteEffect: input.minAbsoluteEffect ?? defaults.minAbsoluteEffect,
    minRelativeEffect: input.minRelativeEffect ?? defaults.minRelativeEffect,
    mixtureScale: input.mixtureScale ?? defaults.mixtureScale,
    overdispersion: input.overdispersion ?? defaults.overdispersion,
    maxLatencyRatio: { ...defaults.maxLatencyRatio, ...input.maxLatencyRatio },
    minLatencyRequests: { ...defaults.minLatencyRequests, ...input.minLatencyRequests },
    minLatencyDeltaMs: input.minLatencyDeltaMs ?? defaults.minLatencyDeltaMs,
    srmPValue: input.srmPValue ?? defaults.srmPValue,
    srmMinExpected: input.srmMinExpected ?? defaults.srmMinExpected,
  };

  const problems: string[] = [];
  if (settings.baselineCohort.length === 0) {
    problems.push("baselineCohort must be a non-empty string");
  }
  checkProbability(problems, "alpha", settings.alpha);
  checkNonNegative(problems, "minRequests", settings.minRequests);
  if (!(Number.isFinite(settings.minExpectedErrors) && settings.minExpectedErrors > 0)) {
    problems.push(
      `minExpectedErrors must be a finite number > 0, got ${String(settings.minExpectedErrors)}`,
    );
  }
  if (settings.maxErrorRate !== null) {
    checkProbability(problems, "maxErrorRate", settings.maxErrorRate);
  }
  if (!(settings.minAbsoluteEffect >= 0 && settings.minAbsoluteEffect < 1)) {
    problems.push(
      `minAbsoluteEffect must be a number in [0, 1), got ${String(settings.minAbsoluteEffect)}`,
    );
  }
  checkNonNegative(problems, "minRelativeEffect", settings.minRelativeEffect);
  if (!(Number.isFinite(settings.mixtureScale) && settings.mixtureScale > 0)) {
    problems.push(`mixtureScale must be a finite number > 0, got ${String(settings.mixtureScale)}`);
  }
  if (!(Number.isFinite(settings.overdispersion) && settings.overdispersion >= 1)) {
    problems.push(
      `overdispersion must be a finite number >= 1, got ${String(settings.overdispersion)}`,
    );
  }
  for (const q of ["p50", "p95", "p99"] as const) {
    const ratio = settings.maxLatencyRatio[q];
    if (ratio !== null && !(Number.isFinite(ratio) && ratio > 0)) {
      problems.push(
        `maxLatencyRatio.${q} must be null or a finite number > 0, got ${String(ratio)}`,
      );
    }
    checkNonNegative(problems, `minLatencyRequests.${q}`, settings.minLatencyRequests[q]);
  }
  checkNonNegative(problems, "minLatencyDeltaMs", settings.minLatencyDeltaMs);
  checkProbability(problems, "srmPValue", settings.srmPValue);
  checkNonNegative(problems, "srmMinExpected", settings.srmMinExpected);
  if (problems.length > 0) {
    throw new RangeError(`invalid judge settings: ${problems.join("; ")}`);
  }
  return settings;
}
