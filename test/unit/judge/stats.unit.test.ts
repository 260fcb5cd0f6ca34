import { describe, expect, it } from "vitest";
import {
  bisect,
  chiSquareSurvival,
  logBeta,
  logGamma,
  normalCdf,
  regularizedGammaP,
  regularizedGammaQ,
} from "../../../src/core/judge/stats";

describe("logGamma", () => {
  it("matches exact values", () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 13);
    // Reflection branch: Γ(0.25) = 3.625609908221908...
    expect(logGamma(0.25)).toBeCloseTo(Math.log(3.625609908221908), 12);
  });

  it("is accurate for large arguments (Stirling check)", () => {
    // ln Γ(100) = ln(99!) = 359.13420536957540...
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 9);
    // ln Γ(1e6) from Stirling's series, accurate to ~1e-18 relative there.
    const x = 1e6;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
    expect(logGamma(x) / stirling).toBeCloseTo(1, 13);
  });

  it("rejects non-positive arguments", () => {
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1)).toBeNaN();
    expect(logGamma(Number.NaN)).toBeNaN();
  });

  it("gives log B(a, b)", () => {
    // B(2, 3) = 1/12
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });
});

describe("regularized incomplete gamma", () => {
  it("matches closed forms", () => {
    // a = 1: P(1, x) = 1 − e^(−x), for both the series and the continued fraction.
    for (const x of [0.1, 0.5, 1.9, 2.5, 10, 40]) {
      expect(regularizedGammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 14);
      expect(regularizedGammaQ(1, x) / Math.exp(-x)).toBeCloseTo(1, 12);
    }
    // a = 2: Q(2, x) = e^(−x)(1 + x).
    for (const x of [0.3, 3, 30]) {
      expect(regularizedGammaQ(2, x) / (Math.exp(-x) * (1 + x))).toBeCloseTo(1, 12);
    }
  });

  it("has P + Q = 1 and handles the edges", () => {
    for (const [a, x] of [
      [0.5, 0.2],
      [3, 2],
      [3, 4.5],
      [50, 60],
    ] as const) {
      expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 14);
    }
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(2, 0)).toBe(1);
    expect(regularizedGammaQ(2, Number.POSITIVE_INFINITY)).toBe(0);
    expect(regularizedGammaP(0, 1)).toBeNaN();
    expect(regularizedGammaQ(1, -1)).toBeNaN();
  });
});

describe("chiSquareSurvival", () => {
  // Critical values from standard chi-square tables.
  const table: readonly (readonly [x: number, df: number, p: number])[] = [
    [3.841, 1, 0.05],
    [6.635, 1, 0.01],
    [10.828, 1, 0.001],
    [5.991, 2, 0.05],
    [9.21, 2, 0.01],
    [13.816, 2, 0.001],
    [7.815, 3, 0.05],
    [16.266, 3, 0.001],
    [18.467, 4, 0.001],
    [29.588, 10, 0.001],
  ];
  it.each(table)("sf(%d, df=%d) ≈ %d", (x, df, p) => {
    // Tables round x to 3 decimals, so compare with 0.5% relative tolerance.
    expect(Math.abs(chiSquareSurvival(x, df) / p - 1)).toBeLessThan(5e-3);
  });

  it("matches closed forms at higher precision", () => {
    // df = 2: sf(x) = e^(−x/2); df = 1: sf(x) = 2(1 − Φ(√x)), and 1.959963984540054² is the 5% point.
    expect(chiSquareSurvival(4, 2)).toBeCloseTo(Math.exp(-2), 15);
    expect(chiSquareSurvival(1.959963984540054 ** 2, 1)).toBeCloseTo(0.05, 13);
  });

  it("handles edges", () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(-1, 3)).toBe(1);
    expect(chiSquareSurvival(Number.POSITIVE_INFINITY, 3)).toBe(0);
    expect(chiSquareSurvival(1e6, 3)).toBe(0);
    expect(chiSquareSurvival(1, 0)).toBeNaN();
  });
});

describe("normalCdf", () => {
  it("matches known quantiles", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalCdf(1.6448536269514722)).toBeCloseTo(0.95, 14);
    expect(normalCdf(3.090232306167813)).toBeCloseTo(0.999, 14);
    // Lower tail keeps relative precision far out: Φ(−8) = 6.220960574271785e−16.
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 10);
  });
});

describe("bisect", () => {
  it("finds roots with the bracket in either order", () => {
    expect(bisect((x) => x * x - 2, 0, 2)).toBeCloseTo(Math.SQRT2, 14);
    expect(bisect((x) => x * x - 2, 2, 0)).toBeCloseTo(Math.SQRT2, 14);
    expect(bisect((x) => x - 1, 1, 3)).toBe(1);
  });
});
