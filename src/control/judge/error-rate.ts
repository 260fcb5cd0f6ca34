/**
 * Error-rate checks: the canary's rate against an absolute ceiling, and against
 * the stable cohort's rate. Both use anytime-valid bounds (see sequential.ts and
 * README.md) because the judge re-evaluates the same growing data every minute.
 */

import { cohortProblem, count, makeResult, percent } from "./result";
import { betaBinomialBounds, mixtureCriticalValue } from "./sequential";
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
 * Uses the beta-binomial mixture confidence sequence (exact, anytime-valid):
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
  const blocked = gate("error_rate_absolute", [{ role: "canary", stats: canary }], settings.minRequests);
  if (blocked !== null) {
    return blocked;
  }
  // Dividing by φ turns weighted/correlated counts into an effective sample size.
  const n = canary.requests / settings.overdispersion;
  const x = Math.min(canary.errors, canary.requests) / settings.overdispersion;
  const rate = x / n;
  const { lower, upper } = betaBinomialBounds(x, n, settings.alpha);
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
 * Variance of an observed rate for the normal approximation. Uses the
 * add-one (Laplace) rate (x+1)/(n+2) rather than x/n so that a cohort with zero
 * errors so far is not treated as having zero uncertainty, which would let a
 * lucky early streak decide a check (Agresti & Caffo 2000 use the same idea).
 */
function rateVariance(errors: number, requests: number): number {
  const smoothed = (errors + 1) / (requests + 2);
  return (smoothed * (1 - smoothed)) / requests;
}

/**
 * Check 2: is the canary's error rate worse than stable's by more than the
 * margin m = max(minAbsoluteEffect, minRelativeEffect · p_s)?
 *
 * Anytime-valid two-sample test: the contrast c = p_c − p_s − m (linearised as
 * p_c − p_s − minAbsoluteEffect, or p_c − (1 + minRelativeEffect)·p_s when the
 * relative margin is the larger) gets the one-sided normal-mixture confidence
 * sequence ĉ ± z*·sqrt(V(1 + ρV)), V = Var̂(ĉ), ρ = 1/τ²; see sequential.ts.
 * Fails when the lower bound of c is > 0 (confidently worse than the margin),
 * passes when the upper bound is < 0 (non-inferior), otherwise inconclusive.
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
  const varC = rateVariance(xC, nC);
  const varS = rateVariance(xS, nS);

  // The margin is max(absolute, relative·p_s). Which term is larger decides the
  // linear contrast to test, so the uncertainty of p_s inside the relative
  // margin is carried into the variance instead of being ignored.
  const relativeMargin = settings.minRelativeEffect * pS;
  const relativeBranch = relativeMargin > settings.minAbsoluteEffect;
  const margin = relativeBranch ? relativeMargin : settings.minAbsoluteEffect;
  const k = relativeBranch ? 1 + settings.minRelativeEffect : 1;
  const excess = relativeBranch ? pC - k * pS : pC - pS - settings.minAbsoluteEffect;
  const excessVariance = varC + k * k * varS;

  const rho = 1 / (settings.mixtureScale * settings.mixtureScale);
  const zExcess = mixtureCriticalValue(excessVariance, rho, settings.alpha);
  const excessHalfWidth = zExcess * Math.sqrt(excessVariance * (1 + rho * excessVariance));
  // For people reading the figures: the same kind of bound on the plain difference.
  const diffVariance = varC + varS;
  const zDiff = mixtureCriticalValue(diffVariance, rho, settings.alpha);
  const diffHalfWidth = zDiff * Math.sqrt(diffVariance * (1 + rho * diffVariance));
  const difference = pC - pS;

  const figures = {
    canaryRequests: canary.requests,
    canaryErrors: canary.errors,
    stableRequests: stable.requests,
    stableErrors: stable.errors,
    canaryErrorRate: pC,
    stableErrorRate: pS,
    difference,
    differenceLower: difference - diffHalfWidth,
    differenceUpper: difference + diffHalfWidth,
    margin,
    excess,
    excessLower: excess - excessHalfWidth,
    excessUpper: excess + excessHalfWidth,
    criticalValue: zExcess,
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
