/**
 * Error-rate checks: the canary's rate against an absolute ceiling, and against
 * the stable cohort's rate. Both use anytime-valid bounds (see sequential.ts and
 * README.md) because the judge re-evaluates the same growing data every minute.
 */

import { cohortProblem, count, makeResult, percent } from "./result";
import { betaBinomialBounds, mixtureCriticalValue } from "./sequential";
import { bisect } from "./stats";
import type { JudgeSettings } from "./settings";
import type { CheckResult, CohortStats } from "./types";

/** A cohort's numbers with the role it plays in the comparison. */
interface Role {
  readonly role: "canary" | "stable";
  readonly stats: CohortStats;
}

/**
 * Shared gate: returns a non-null (inconclusive) result when the data cannot
 * support a verdict yet: invalid numbers, a cohort without requests, or fewer
 * than `minRequests` requests in some cohort.
 */
function gate(
  check: "error_rate_absolute" | "error_rate_relative",
  roles: readonly Role[],
  minRequests: number,
): CheckResult | null {
  const figures: Record<string, number> = { minRequests };
  for (const { role, stats } of roles) {
    const problem = cohortProblem(stats);
    if (problem !== null) {
      return makeResult(check, "inconclusive", "invalid_input", problem);
    }
    figures[`${role}Requests`] = stats.requests;
  }
  const empty = roles.find((r) => r.stats.requests === 0);
  if (empty !== undefined) {
    return makeResult(
      check,
      "inconclusive",
      "no_data",
      `${empty.role} cohort "${empty.stats.cohort}" has no requests`,
      figures,
    );
  }
  const short = roles.filter((r) => r.stats.requests < minRequests);
  if (short.length > 0) {
    const names = short.map((r) => `"${r.stats.cohort}" (${count(r.stats.requests)})`).join(", ");
    return makeResult(
      check,
      "inconclusive",
      "insufficient_data",
      `fewer than ${count(minRequests)} requests in ${names}`,
      figures,
    );
  }
  return null;
}

/**
 * Check 1: is the canary's error rate below `settings.maxErrorRate`?
 *
 * Uses the beta-binomial mixture confidence sequence (exact, anytime-valid;
 * see sequential.ts):
 * fails only when its lower bound is above the ceiling, passes only when its
 * upper bound is below, otherwise inconclusive. Returns null when the check is
 * disabled (maxErrorRate null).
 */
export function checkErrorRateAbsolute(
  canary: CohortStats,
  settings: JudgeSettings,
): CheckResult | null {
  const limit = settings.maxErrorRate;
  if (limit === null) {
    return null;
  }
  const blocked = gate(
    "error_rate_absolute",
    [{ role: "canary", stats: canary }],
    settings.minRequests,
  );
  if (blocked !== null) {
    return blocked;
  }
  // Dividing by φ turns weighted/correlated counts into an effective sample size.
  const n = canary.requests / settings.overdispersion;
  const x = Math.min(canary.errors, canary.requests) / settings.overdispersion;
  const rate = x / n;
  // Mixing prior Beta(1, (1−L)/L) has its mean at the ceiling L, which puts
  // the prior mass (and so the tightest bounds) near the rates being judged
  // rather than spread uniformly over [0, 1]; any fixed prior keeps validity.
  const { lower, upper } = betaBinomialBounds(x, n, settings.alpha, 1, (1 - limit) / limit);
  const figures = {
    canaryRequests: canary.requests,
    canaryErrors: canary.errors,
    errorRate: rate,
    lower,
    upper,
    limit,
    alpha: settings.alpha,
  };
  const bounds = `[${percent(lower)}, ${percent(upper)}]`;
  if (lower > limit) {
    return makeResult(
      "error_rate_absolute",
      "fail",
      "exceeds_limit",
      `canary error rate ${percent(rate)} is above the ${percent(limit)} ceiling (bounds ${bounds})`,
      figures,
    );
  }
  if (upper < limit) {
    return makeResult(
      "error_rate_absolute",
      "pass",
      "within_limit",
      `canary error rate ${percent(rate)} is below the ${percent(limit)} ceiling (bounds ${bounds})`,
      figures,
    );
  }
  return makeResult(
    "error_rate_absolute",
    "inconclusive",
    "undecided",
    `canary error rate ${percent(rate)}: bounds ${bounds} straddle the ${percent(limit)} ceiling`,
    figures,
  );
}

/**
 * Maximum-likelihood rates under the constraint p_c = k·p_s + a, i.e. on the
 * boundary between "within the margin" and "worse than the margin". Testing
 * with the variance at this point (the score-test idea of Farrington & Manning
 * 1990, Miettinen & Nurminen 1985) rather than at the observed rates keeps the
 * test calibrated with few errors: a canary that happens to have 0 errors out
 * of 240 requests does not get a near-zero variance and an instant pass.
 *
 * The constrained log-likelihood is concave in p_s, so its derivative is
 * decreasing and its root is found by bisection.
 */
export function restrictedRates(
  canaryErrors: number,
  canaryRequests: number,
  stableErrors: number,
  stableRequests: number,
  k: number,
  a: number,
): { canary: number; stable: number } {
  const xC = canaryErrors;
  const fC = canaryRequests - canaryErrors;
  const xS = stableErrors;
  const fS = stableRequests - stableErrors;
  // p_s must keep both rates inside [0, 1].
  const upper = Math.min(1, (1 - a) / k);
  const slope = (p: number): number => {
    const pC = k * p + a;
    return (
      (xC > 0 ? (k * xC) / pC : 0) -
      (fC > 0 ? (k * fC) / (1 - pC) : 0) +
      (xS > 0 ? xS / p : 0) -
      (fS > 0 ? fS / (1 - p) : 0)
    );
  };
  const tiny = 1e-15 * upper;
  let pS: number;
  if (slope(tiny) <= 0) {
    pS = 0;
  } else if (slope(upper - tiny) >= 0) {
    pS = upper;
  } else {
    pS = bisect(slope, tiny, upper - tiny, 100);
  }
  return { canary: Math.min(1, k * pS + a), stable: pS };
}

/** |Third cumulant| of an observed rate: Binomial(n, p)/n has κ3 = p(1−p)(1−2p)/n². */
function cumulant3(p: number, n: number): number {
  return Math.abs(p * (1 - p) * (1 - 2 * p)) / (n * n);
}

/**
 * Check 2: is the canary's error rate worse than stable's by more than the
 * margin m = max(minAbsoluteEffect, minRelativeEffect · p_s)?
 *
 * Anytime-valid two-sample test on the contrast c = p_c − p_s − m, linearised
 * as p_c − p_s − minAbsoluteEffect, or p_c − (1 + minRelativeEffect)·p_s when
 * the relative margin is the larger. Its one-sided normal-mixture bounds are
 * ĉ ∓ z*·sqrt(V(1 + ρV)) with V the variance of ĉ at the margin boundary
 * (restrictedRates) and ρ = 1/τ²; see sequential.ts and README.md.
 * Fails when the lower bound is > 0 (confidently worse than the margin),
 * passes when the upper bound is < 0 (non-inferior), otherwise inconclusive;
 * always inconclusive below minRequests per cohort or while too few errors
 * make the normal approximation unreliable (minExpectedErrors).
 */
export function checkErrorRateRelative(
  canary: CohortStats,
  stable: CohortStats,
  settings: JudgeSettings,
): CheckResult {
  const blocked = gate(
    "error_rate_relative",
    [
      { role: "canary", stats: canary },
      { role: "stable", stats: stable },
    ],
    settings.minRequests,
  );
  if (blocked !== null) {
    return blocked;
  }
  const phi = settings.overdispersion;
  const nC = canary.requests / phi;
  const xC = Math.min(canary.errors, canary.requests) / phi;
  const nS = stable.requests / phi;
  const xS = Math.min(stable.errors, stable.requests) / phi;
  const pC = xC / nC;
  const pS = xS / nS;

  // The margin is max(absolute, relative·p_s). Which term is larger decides the
  // linear contrast to test, so the uncertainty of p_s inside the relative
  // margin is carried into the variance instead of being ignored.
  const relativeMargin = settings.minRelativeEffect * pS;
  const relativeBranch = relativeMargin > settings.minAbsoluteEffect;
  const margin = relativeBranch ? relativeMargin : settings.minAbsoluteEffect;
  const k = relativeBranch ? 1 + settings.minRelativeEffect : 1;
  const a = relativeBranch ? 0 : settings.minAbsoluteEffect;
  const excess = pC - k * pS - a;

  // Variance of the contrast at the margin boundary (where both decisions'
  // null hypotheses meet), so the same threshold serves fail and pass.
  const boundary = restrictedRates(xC, nC, xS, nS, k, a);
  const variance =
    (boundary.canary * (1 - boundary.canary)) / nC +
    (k * k * boundary.stable * (1 - boundary.stable)) / nS;
  if (!(variance > 0)) {
    // Only when both cohorts sit at a 0% or 100% boundary with a zero margin:
    // nothing distinguishes them, and no variance means no honest bound.
    return makeResult(
      "error_rate_relative",
      "inconclusive",
      "undecided",
      `canary ${percent(pC)} vs stable ${percent(pS)}: no variation to test against`,
      { canaryErrorRate: pC, stableErrorRate: pS, margin },
    );
  }
  // The normal approximation needs enough errors: gate on the skewness of the
  // contrast at the boundary, adding the two cohorts' third cumulants in
  // absolute value (so opposite skews cannot cancel while counts are tiny).
  // 1/√m is the skewness of a Poisson count with mean m, so the rule reads
  // "at least as well-behaved as m expected errors".
  const thirdCumulant = cumulant3(boundary.canary, nC) + k * k * k * cumulant3(boundary.stable, nS);
  const skewness = thirdCumulant / variance ** 1.5;
  const maxSkewness = 1 / Math.sqrt(settings.minExpectedErrors);
  if (skewness > maxSkewness) {
    return makeResult(
      "error_rate_relative",
      "inconclusive",
      "insufficient_data",
      `canary ${percent(pC)} vs stable ${percent(pS)}: too few errors yet for a reliable comparison`,
      {
        canaryRequests: canary.requests,
        canaryErrors: canary.errors,
        stableRequests: stable.requests,
        stableErrors: stable.errors,
        skewness,
        maxSkewness,
      },
    );
  }
  const rho = 1 / (settings.mixtureScale * settings.mixtureScale);
  const z = mixtureCriticalValue(variance, rho, settings.alpha);
  const halfWidth = z * Math.sqrt(variance * (1 + rho * variance));
  const difference = pC - pS;

  const figures = {
    canaryRequests: canary.requests,
    canaryErrors: canary.errors,
    stableRequests: stable.requests,
    stableErrors: stable.errors,
    canaryErrorRate: pC,
    stableErrorRate: pS,
    difference,
    margin,
    excess,
    excessLower: excess - halfWidth,
    excessUpper: excess + halfWidth,
    standardError: Math.sqrt(variance),
    criticalValue: z,
    alpha: settings.alpha,
  };
  const summary = `canary ${percent(pC)} vs stable ${percent(pS)} (difference ${percent(difference)}, margin ${percent(margin)})`;
  if (figures.excessLower > 0) {
    return makeResult(
      "error_rate_relative",
      "fail",
      "exceeds_limit",
      `${summary}: canary is confidently worse than stable by more than the margin`,
      figures,
    );
  }
  if (figures.excessUpper < 0) {
    return makeResult(
      "error_rate_relative",
      "pass",
      "within_limit",
      `${summary}: canary is confidently within the margin of stable`,
      figures,
    );
  }
  return makeResult(
    "error_rate_relative",
    "inconclusive",
    "undecided",
    `${summary}: not yet enough evidence either way`,
    figures,
  );
}
