import { describe, expect, it } from "vitest";
import {
  betaBinomialBounds,
  betaBinomialMixtureLog,
  mixtureCriticalValue,
  mixtureHalfWidth,
  oneSidedNormalMixtureLog,
} from "../../../src/core/judge/sequential";

describe("one-sided normal mixture boundary", () => {
  it("puts the mixture supermartingale exactly at 1/α", () => {
    for (const variance of [1e-9, 1e-6, 1e-4, 1e-2, 1]) {
      for (const rho of [1, 1e4]) {
        for (const alpha of [0.05, 0.001]) {
          const z = mixtureCriticalValue(variance, rho, alpha);
          // In score units: s = z·sqrt(I + ρ) at information I = 1/variance.
          const information = 1 / variance;
          const s = z * Math.sqrt(information + rho);
          expect(oneSidedNormalMixtureLog(s, information, rho)).toBeCloseTo(
            Math.log(1 / alpha),
            10,
          );
        }
      }
    }
  });

  it("is stricter than a fixed-sample z and grows slowly with information", () => {
    const rho = 1e4;
    const zs = [1e-2, 1e-4, 1e-6, 1e-8].map((v) => mixtureCriticalValue(v, rho, 0.05));
    for (const z of zs) {
      expect(z).toBeGreaterThan(1.6448536269514722);
    }
    for (let i = 1; i < zs.length; i++) {
      expect(zs[i]).toBeGreaterThan(zs[i - 1] ?? Number.POSITIVE_INFINITY);
    }
    // A million-fold more information costs well under a doubling of z (≈ sqrt(log) growth).
    expect((zs[3] ?? 0) / (zs[0] ?? 1)).toBeLessThan(2);
  });

  it("matches the closed form of the two-sided boundary at 2α within log 2", () => {
    // log(2Φ(z)) ∈ [0, log 2] brackets z* between the two-sided boundaries at α and 2α.
    const variance = 1e-5;
    const rho = 1e4;
    const twoSided = (alpha: number): number =>
      Math.sqrt(2 * Math.log(1 / alpha) + Math.log1p(1 / (rho * variance)));
    const z = mixtureCriticalValue(variance, rho, 0.05);
    expect(z).toBeLessThanOrEqual(twoSided(0.05));
    expect(z).toBeGreaterThanOrEqual(twoSided(0.1));
  });

  it("gives the half-width in estimate units", () => {
    const variance = 4e-6;
    const rho = 1e4;
    const z = mixtureCriticalValue(variance, rho, 0.05);
    expect(mixtureHalfWidth(variance, rho, 0.05)).toBeCloseTo(
      z * Math.sqrt(variance * (1 + rho * variance)),
      15,
    );
    expect(mixtureHalfWidth(0, rho, 0.05)).toBe(0);
  });
});

describe("beta-binomial confidence sequence", () => {
  it("matches the closed form with zero errors", () => {
    // x = 0: log M(p) = −ln(n+1) − n·ln(1−p), so upper = 1 − ((n+1)/α)^(−1/n).
    for (const n of [10, 200, 12345]) {
      const { lower, upper } = betaBinomialBounds(0, n, 0.05);
      expect(lower).toBe(0);
      expect(upper).toBeCloseTo(1 - Math.exp(-(Math.log(20) + Math.log(n + 1)) / n), 12);
    }
  });

  it("matches the closed form with only errors", () => {
    const n = 50;
    const { lower, upper } = betaBinomialBounds(n, n, 0.05);
    expect(upper).toBe(1);
    expect(lower).toBeCloseTo(Math.exp(-(Math.log(20) + Math.log(n + 1)) / n), 12);
  });

  it("brackets the observed rate with M = 1/α at both ends", () => {
    const x = 37;
    const n = 1000;
    const { lower, upper } = betaBinomialBounds(x, n, 0.05);
    expect(lower).toBeLessThan(x / n);
    expect(upper).toBeGreaterThan(x / n);
    expect(betaBinomialMixtureLog(x, n, lower)).toBeCloseTo(Math.log(20), 9);
    expect(betaBinomialMixtureLog(x, n, upper)).toBeCloseTo(Math.log(20), 9);
  });

  it("is wider than a fixed-sample Wald interval and narrows with data", () => {
    const small = betaBinomialBounds(10, 1000, 0.05);
    const large = betaBinomialBounds(1000, 100000, 0.05);
    const wald = 1.96 * Math.sqrt((0.01 * 0.99) / 1000);
    expect(small.upper - small.lower).toBeGreaterThan(2 * wald);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
  });

  it("accepts non-integer (sample-weighted) counts and stays monotone", () => {
    const a = betaBinomialBounds(12.5, 1000.25, 0.05);
    const b = betaBinomialBounds(13.5, 1000.25, 0.05);
    expect(b.lower).toBeGreaterThan(a.lower);
    expect(b.upper).toBeGreaterThan(a.upper);
  });

  it("is vacuous without data", () => {
    expect(betaBinomialBounds(0, 0, 0.05)).toEqual({ lower: 0, upper: 1 });
  });
});
