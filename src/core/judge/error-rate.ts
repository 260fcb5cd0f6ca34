/**
 * Error-rate checks: the canary's rate against an absolute ceiling, and against
 * the stable cohort's rate. Both compare the cohorts within each stratum,
 * combine the strata (strata.ts), and decide with an anytime-valid bound
 * (sequential.ts), because the judge re-evaluates the same growing data every
 * minute. README.md in this folder gives the method.
 */

import { cellProblem, count, emptySummary, makeResult, percent } from "./result";
import type { JudgeSettings } from "./settings";
import { bisect } from "./stats";
import {
  binomialVariance,
  byStratum,
  combine,
  designEffect,
  informationWeight,
  rate,
  side,
} from "./strata";
import type { Combined, Side, StratumContrast } from "./strata";
import { anytimeBounds, cohortSample } from "./bounds";
import type { Cell, CheckResult, CheckSummary } from "./types";

type ErrorCheck = "error_rate_absolute" | "error_rate_relative";

/** The errors / requests side of a cohort's cells. */
function errorSide(cells: readonly Cell[]): Side {
  return side(
    cells,
    (c) => c.errors,
    (c) => c.requests,
    (c) => c.requestsSq,
    (c) => c.rows,
  );
}

/**
 * The per-stratum contrasts canary − k·stable − a, with (k, a) chosen per
 * stratum from stable's rate there by `branch`. Strata without canary
 * requests carry no information and get weight 0.
 */
function errorStrata(
  cells: readonly Cell[],
  canary: string,
  stable: string,
  branch: (stableRate: number, hasStable: boolean) => { k: number; a: number },
): StratumContrast[] {
  const strata: StratumContrast[] = [];
  for (const [stratum, cohorts] of byStratum(cells)) {
    const c = errorSide(cohorts.get(canary) ?? []);
    const s = errorSide(cohorts.get(stable) ?? []);
    const { k, a } = branch(rate(s), s.den > 0);
    strata.push({ stratum, canary: c, stable: s, k, a, weight: informationWeight(c, s, k) });
  }
  return strata;
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
  const upper = k > 0 ? Math.min(1, (1 - a) / k) : 1;
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
  return n > 0 ? Math.abs(p * (1 - p) * (1 - 2 * p)) / (n * n) : 0;
}

/**
 * Variance and third cumulant of the combined contrast if every row were an
 * independent request at the boundary rates of its stratum (effective sizes).
 */
function boundaryMoments(used: readonly StratumContrast[]): {
  variance: number;
  cumulant3: number;
} {
  let variance = 0;
  let third = 0;
  for (const s of used) {
    const nC = s.canary.effective;
    const nS = s.stable.effective;
    const b = restrictedRates(rate(s.canary) * nC, nC, rate(s.stable) * nS, nS, s.k, s.a);
    const w = s.weight;
    variance +=
      w * w * (binomialVariance(b.canary, nC) + s.k * s.k * binomialVariance(b.stable, nS));
    third += w * w * w * (cumulant3(b.canary, nC) + s.k * s.k * s.k * cumulant3(b.stable, nS));
  }
  return { variance, cumulant3: third };
}

/** What the two checks share once their strata are built. */
interface Decided {
  readonly status: "pass" | "fail" | "inconclusive";
  readonly code: "within_limit" | "exceeds_limit" | "undecided" | "insufficient_data";
  readonly combined: Combined;
  readonly halfWidth: number;
  readonly figures: Record<string, number>;
}

/**
 * The decision on a combined error contrast: its variance is the boundary
 * variance times the design effect the clusters show (at least
 * `overdispersion`), its bounds the anytime-valid normal-mixture ones; fail
 * when the lower bound of the excess is above 0, pass when the upper is below.
 * Undecided while the contrast is too skewed for the normal approximation
 * (fewer than about `minExpectedErrors` expected errors).
 */
function decide(
  used: readonly StratumContrast[],
  combined: Combined,
  settings: JudgeSettings,
): Decided {
  const boundary = boundaryMoments(used);
  const deff = designEffect(combined, settings.overdispersion);
  const variance = boundary.variance * deff;
  const skewness = boundary.cumulant3 / boundary.variance ** 1.5;
  const maxSkewness = 1 / Math.sqrt(settings.minExpectedErrors);
  const rho = 1 / (settings.mixtureScale * settings.mixtureScale);
  const bounds = anytimeBounds(variance, rho, settings.alpha);
  const figures: Record<string, number> = {
    excess: combined.excess,
    excessLower: combined.excess - bounds.halfWidth,
    excessUpper: combined.excess + bounds.halfWidth,
    standardError: Math.sqrt(variance),
    criticalValue: bounds.criticalValue,
    designEffect: deff,
    clusters: combined.clusters,
    strata: combined.strata,
    skewness,
    alpha: settings.alpha,
  };
  if (!(variance > 0) || skewness > maxSkewness) {
    return {
      status: "inconclusive",
      code: variance > 0 ? "insufficient_data" : "undecided",
      combined,
      halfWidth: bounds.halfWidth,
      figures,
    };
  }
  const status =
    combined.excess - bounds.halfWidth > 0
      ? "fail"
      : combined.excess + bounds.halfWidth < 0
        ? "pass"
        : "inconclusive";
  return {
    status,
    code: status === "fail" ? "exceeds_limit" : status === "pass" ? "within_limit" : "undecided",
    combined,
    halfWidth: bounds.halfWidth,
    figures,
  };
}

/**
 * The shared gate: inconclusive while the cells are invalid, the canary (or,
 * for the relative check, stable) has no rows, or fewer stored rows than
 * `minRequests` (rows, not sample-weighted requests: a row standing for 100
 * requests is one observation).
 */
function gate(
  check: ErrorCheck,
  cells: readonly Cell[],
  cohorts: readonly { role: "canary" | "stable"; name: string }[],
  settings: JudgeSettings,
  summary: CheckSummary,
): CheckResult | null {
  for (const cell of cells) {
    const problem = cellProblem(cell);
    if (problem !== null) {
      return makeResult(check, "inconclusive", "invalid_input", problem, summary);
    }
  }
  const figures: Record<string, number> = { minRequests: settings.minRequests };
  for (const { role, name } of cohorts) {
    const rows = cells.filter((c) => c.cohort === name).reduce((sum, c) => sum + c.rows, 0);
    figures[`${role}Rows`] = rows;
    if (rows === 0) {
      return makeResult(
        check,
        "inconclusive",
        "no_data",
        `${role} cohort "${name}" has no requests`,
        summary,
        figures,
      );
    }
  }
  const short = cohorts.filter((c) => (figures[`${c.role}Rows`] ?? 0) < settings.minRequests);
  if (short.length > 0) {
    const names = short
      .map((c) => `"${c.name}" (${count(figures[`${c.role}Rows`] ?? 0)})`)
      .join(", ");
    return makeResult(
      check,
      "inconclusive",
      "insufficient_data",
      `fewer than ${count(settings.minRequests)} stored rows in ${names}`,
      summary,
      figures,
    );
  }
  return null;
}

/**
 * Check 1: is the canary's error rate below `settings.maxErrorRate` (L)?
 *
 * Per stratum the canary is compared with max(L, stable's rate there): a
 * ceiling, except while stable itself is above it (an incident both cohorts
 * share), when the canary only has to be no worse than stable. Fails when
 * the combined excess is confidently above 0, passes when confidently below.
 * Returns null when the check is disabled (maxErrorRate null).
 */
export function checkErrorRateAbsolute(
  cells: readonly Cell[],
  canary: string,
  settings: JudgeSettings,
): CheckResult | null {
  const limit = settings.maxErrorRate;
  if (limit === null) {
    return null;
  }
  const check = "error_rate_absolute";
  const samples = [cohortSample(cells, canary, "requests")];
  const empty = emptySummary("canary error rate", "rate", limit, true, samples);
  const blocked = gate(check, cells, [{ role: "canary", name: canary }], settings, empty);
  if (blocked !== null) {
    return blocked;
  }
  const strata = errorStrata(cells, canary, settings.baselineCohort, (pS, hasStable) =>
    hasStable && pS > limit ? { k: 1, a: 0 } : { k: 0, a: limit },
  );
  const { used, combined } = combine(strata);
  if (combined === null) {
    return makeResult(check, "inconclusive", "no_data", "the canary has no requests", empty);
  }
  const d = decide(used, combined, settings);
  const ceiling = combined.canaryRate - combined.excess;
  const summary: CheckSummary = {
    ...empty,
    estimate: combined.canaryRate,
    lower: combined.canaryRate - d.halfWidth,
    upper: combined.canaryRate + d.halfWidth,
    limit: ceiling,
  };
  const figures = { ...d.figures, errorRate: combined.canaryRate, limit, ceiling };
  const bounds = `[${percent(summary.lower ?? 0)}, ${percent(summary.upper ?? 1)}]`;
  const what = `canary error rate ${percent(combined.canaryRate)} (bounds ${bounds})`;
  const against =
    ceiling > limit * (1 + 1e-9)
      ? `the ${percent(limit)} ceiling, or stable's rate where it is higher (${percent(ceiling)} on average)`
      : `the ${percent(limit)} ceiling`;
  const reason =
    d.status === "fail"
      ? `${what} is above ${against}`
      : d.status === "pass"
        ? `${what} is below ${against}`
        : d.code === "insufficient_data"
          ? `${what}: too few errors yet for a reliable bound`
          : `${what} straddles ${against}`;
  return makeResult(check, d.status, d.code, reason, summary, figures);
}

/**
 * Check 2: is the canary's error rate worse than stable's by more than the
 * margin m = max(minAbsoluteEffect, minRelativeEffect · p_s)?
 *
 * Per stratum the contrast is p_c − p_s − minAbsoluteEffect, or
 * p_c − (1 + minRelativeEffect)·p_s where the relative margin is the larger
 * (so the uncertainty of p_s inside the margin is carried into the
 * variance); strata are combined with information weights. Fails when the
 * combined excess is confidently above 0 (worse than the margin), passes when
 * confidently below (non-inferior), otherwise inconclusive.
 */
export function checkErrorRateRelative(
  cells: readonly Cell[],
  canary: string,
  settings: JudgeSettings,
): CheckResult {
  const check = "error_rate_relative";
  const stable = settings.baselineCohort;
  const samples = [
    cohortSample(cells, canary, "requests"),
    cohortSample(cells, stable, "requests"),
  ];
  const empty = emptySummary("canary − stable error rate", "rate", null, true, samples);
  const blocked = gate(
    check,
    cells,
    [
      { role: "canary", name: canary },
      { role: "stable", name: stable },
    ],
    settings,
    empty,
  );
  if (blocked !== null) {
    return blocked;
  }
  const relative = settings.minRelativeEffect;
  const strata = errorStrata(cells, canary, stable, (pS) =>
    relative * pS > settings.minAbsoluteEffect
      ? { k: 1 + relative, a: 0 }
      : { k: 1, a: settings.minAbsoluteEffect },
  );
  const { used, combined } = combine(strata);
  if (combined === null) {
    return makeResult(
      check,
      "inconclusive",
      "no_data",
      "no stratum has requests in both cohorts",
      empty,
    );
  }
  const d = decide(used, combined, settings);
  const difference = combined.canaryRate - combined.stableRate;
  const margin = combined.offset;
  const summary: CheckSummary = {
    ...empty,
    estimate: difference,
    lower: difference - d.halfWidth,
    upper: difference + d.halfWidth,
    limit: margin,
  };
  const figures = {
    ...d.figures,
    canaryErrorRate: combined.canaryRate,
    stableErrorRate: combined.stableRate,
    difference,
    margin,
  };
  const what = `canary ${percent(combined.canaryRate)} vs stable ${percent(combined.stableRate)} (difference ${percent(difference)}, margin ${percent(margin)})`;
  const reason =
    d.status === "fail"
      ? `${what}: canary is confidently worse than stable by more than the margin`
      : d.status === "pass"
        ? `${what}: canary is confidently within the margin of stable`
        : d.code === "insufficient_data"
          ? `${what}: too few errors yet for a reliable comparison`
          : `${what}: not yet enough evidence either way`;
  return makeResult(check, d.status, d.code, reason, summary, figures);
}
