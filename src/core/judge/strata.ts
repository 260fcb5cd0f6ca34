/**
 * The estimator behind every comparison: cohorts are compared within each
 * stratum (a period of constant weights), the per-stratum contrasts are
 * combined with fixed weights, and the variance comes from bucket clusters
 * (the units the visitors are nested in) by linearisation. README.md in this
 * folder ("How the figures are compared") explains why.
 */

import type { Cell } from "./types";

/** Effective sample size (Σw)²/Σw² of sample-weighted data: rows carrying unequal weights count less. */
export function effectiveSize(sum: number, sumSq: number): number {
  return sumSq > 0 ? (sum * sum) / sumSq : 0;
}

/** One cluster's share of a ratio's numerator and denominator. */
export interface Part {
  readonly cluster: number;
  readonly num: number;
  readonly den: number;
}

/** A ratio Σnum/Σden over one cohort's cells in one stratum, with its sample sizes. */
export interface Side {
  readonly num: number;
  readonly den: number;
  readonly rows: number;
  readonly effective: number;
  readonly parts: readonly Part[];
}

/** Builds a side from cells: `num`, `den` and `sq` pick the sums (e.g. errors / requests). */
export function side(
  cells: readonly Cell[],
  num: (c: Cell) => number,
  den: (c: Cell) => number,
  sq: (c: Cell) => number,
  rows: (c: Cell) => number,
): Side {
  let n = 0;
  let d = 0;
  let s = 0;
  let r = 0;
  const parts: Part[] = [];
  for (const cell of cells) {
    const cellDen = den(cell);
    const cellNum = num(cell);
    n += cellNum;
    d += cellDen;
    s += sq(cell);
    r += rows(cell);
    if (cellDen > 0 || cellNum > 0) {
      parts.push({ cluster: cell.cluster, num: cellNum, den: cellDen });
    }
  }
  return { num: n, den: d, rows: r, effective: effectiveSize(d, s), parts };
}

/** The ratio of a side; 0 for an empty one. */
export function rate(s: Side): number {
  return s.den > 0 ? Math.min(1, s.num / s.den) : 0;
}

/** A ratio with its coefficient in a linear combination of ratios. */
export interface Term {
  readonly coefficient: number;
  readonly side: Side;
}

/**
 * Cluster-robust (linearisation) variance of Σ coefficient·(Σnum/Σden). Each
 * cluster's influence is Σ coefficient·(num − ratio·den)/Σden over the terms;
 * clusters are independent, so the variance is G/(G−1)·Σ influence² over the
 * G clusters with data. The same cluster may appear in several terms (a
 * visitor's bucket belongs to stable at one weight and to the canary at a
 * higher one), and its contributions are added before squaring, so such
 * correlations are accounted for. Sampled rows need nothing special: a
 * cluster's weighted totals already vary with the sampling.
 */
export function clusterVariance(terms: readonly Term[]): { variance: number; clusters: number } {
  const influence = new Map<number, number>();
  for (const { coefficient, side: s } of terms) {
    if (!(s.den > 0) || coefficient === 0) {
      continue;
    }
    const ratio = s.num / s.den;
    for (const part of s.parts) {
      const u = (coefficient * (part.num - ratio * part.den)) / s.den;
      influence.set(part.cluster, (influence.get(part.cluster) ?? 0) + u);
    }
  }
  const g = influence.size;
  if (g < 2) {
    return { variance: Number.NaN, clusters: g };
  }
  let sum = 0;
  for (const u of influence.values()) {
    sum += u * u;
  }
  return { variance: (g / (g - 1)) * sum, clusters: g };
}

/** One stratum's contrast canary − k·stable − a, and its weight in the combination. */
export interface StratumContrast {
  readonly stratum: string;
  readonly canary: Side;
  readonly stable: Side;
  readonly k: number;
  readonly a: number;
  readonly weight: number;
}

/**
 * Fixed (data-size, not outcome) weights for combining strata: proportional
 * to the inverse of the contrast's variance factor 1/n_c + k²/n_s with
 * effective sizes, i.e. to the information each stratum holds. Weights
 * depend on sample sizes only, never on error counts, so they cannot chase noise.
 */
export function informationWeight(canary: Side, stable: Side, k: number): number {
  if (!(canary.effective > 0)) {
    return 0;
  }
  if (k === 0) {
    return canary.effective;
  }
  if (!(stable.effective > 0)) {
    return 0;
  }
  return 1 / (1 / canary.effective + (k * k) / stable.effective);
}

/** The combined contrast and its pieces. */
export interface Combined {
  /** Σ ω (p_c − k·p_s − a): the quantity tested against 0. */
  readonly excess: number;
  /** Σ ω p_c and Σ ω p_s. */
  readonly canaryRate: number;
  readonly stableRate: number;
  /** Σ ω ((k − 1)·p_s + a): the margin (or limit) p_c − p_s is compared with. */
  readonly offset: number;
  readonly clusterVariance: number;
  readonly clusters: number;
  /** Σ ω² (p_c(1−p_c)/n_c + k²·p_s(1−p_s)/n_s) at the observed rates and effective sizes. */
  readonly independentVariance: number;
  readonly strata: number;
}

/** Normalises the weights and combines the strata (those with weight > 0). */
export function combine(strata: readonly StratumContrast[]): {
  readonly used: readonly StratumContrast[];
  readonly combined: Combined | null;
} {
  const total = strata.reduce((sum, s) => sum + s.weight, 0);
  const used = strata.filter((s) => s.weight > 0).map((s) => ({ ...s, weight: s.weight / total }));
  if (used.length === 0) {
    return { used, combined: null };
  }
  let excess = 0;
  let canaryRate = 0;
  let stableRate = 0;
  let offset = 0;
  let independentVariance = 0;
  const terms: Term[] = [];
  for (const s of used) {
    const pC = rate(s.canary);
    const pS = rate(s.stable);
    excess += s.weight * (pC - s.k * pS - s.a);
    canaryRate += s.weight * pC;
    stableRate += s.weight * pS;
    offset += s.weight * ((s.k - 1) * pS + s.a);
    independentVariance +=
      s.weight *
      s.weight *
      (binomialVariance(pC, s.canary.effective) +
        s.k * s.k * binomialVariance(pS, s.stable.effective));
    terms.push({ coefficient: s.weight, side: s.canary });
    terms.push({ coefficient: -s.weight * s.k, side: s.stable });
  }
  const clustered = clusterVariance(terms);
  return {
    used,
    combined: {
      excess,
      canaryRate,
      stableRate,
      offset,
      clusterVariance: clustered.variance,
      clusters: clustered.clusters,
      independentVariance,
      strata: used.length,
    },
  };
}

/** p(1−p)/n, or 0 without data. */
export function binomialVariance(p: number, n: number): number {
  return n > 0 ? (p * (1 - p)) / n : 0;
}

/**
 * The design effect: how much more the clustered estimate varies than if
 * every row were an independent request (1 when it does not vary more; the
 * floor keeps a check from ever claiming more precision than independent
 * requests would give). Visitors with many requests, or broken sessions that
 * fail again and again, raise it.
 */
export function designEffect(combined: Combined, floor: number): number {
  const ratio = combined.clusterVariance / combined.independentVariance;
  return Number.isFinite(ratio) ? Math.max(floor, ratio) : floor;
}

/** Cells grouped by stratum, in first-seen order, and by cohort within each. */
export function byStratum(cells: readonly Cell[]): Map<string, Map<string, Cell[]>> {
  const strata = new Map<string, Map<string, Cell[]>>();
  for (const cell of cells) {
    const cohorts = strata.get(cell.stratum) ?? new Map<string, Cell[]>();
    const list = cohorts.get(cell.cohort) ?? [];
    list.push(cell);
    cohorts.set(cell.cohort, list);
    strata.set(cell.stratum, cohorts);
  }
  return strata;
}
