import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { bucketOf } from "../../src/core/buckets";
import { assignCohort, buildLayout } from "../../src/core/layout";

const VISITORS = 100_000;
const SALT = "default";
/** Allowed gap between a cohort's observed share and its weight, in percentage points. */
const TOLERANCE_POINTS = 0.5;

/**
 * 100,000 random ids (unbiased random strings of 8 to 32 printable ASCII
 * characters), from a fixed fast-check seed so a failure is reproducible.
 */
const ids: readonly string[] = fc.sample(fc.noBias(fc.string({ minLength: 8, maxLength: 32 })), {
  numRuns: VISITORS,
  seed: 20_260_401,
});

/** Percent of `ids` that land in each cohort for `weights` (hundredths). */
function observedShares(weights: Record<string, number>): Map<string, number> {
  const layout = buildLayout(new Map(Object.entries(weights)));
  const counts = new Map<string, number>();
  for (const id of ids) {
    const cohort = assignCohort(bucketOf(SALT, id), layout);
    counts.set(cohort, (counts.get(cohort) ?? 0) + 1);
  }
  return new Map([...counts].map(([cohort, n]) => [cohort, (n / ids.length) * 100]));
}

function expectSharesNearWeights(weights: Record<string, number>): void {
  const shares = observedShares(weights);
  for (const [cohort, hundredths] of Object.entries(weights)) {
    const share = shares.get(cohort) ?? 0;
    expect(
      Math.abs(share - hundredths / 100),
      `${cohort}: ${share.toFixed(3)} % vs ${hundredths / 100} %`,
    ).toBeLessThanOrEqual(TOLERANCE_POINTS);
  }
}

describe('cohort shares over 100,000 random visitor ids (salt "default")', () => {
  it("draws 100,000 distinct ids", () => {
    expect(ids.length).toBe(VISITORS);
    expect(new Set(ids).size).toBeGreaterThan(VISITORS * 0.999);
  });

  it("matches 10 % canary / 90 % stable within 0.5 points", () => {
    expectSharesNearWeights({ stable: 9_000, canary: 1_000 });
  });

  it("matches 1 % canary / 99 % stable within 0.5 points", () => {
    expectSharesNearWeights({ stable: 9_900, canary: 100 });
  });

  it("matches 33.33 / 33.33 / 33.34 across three cohorts within 0.5 points", () => {
    expectSharesNearWeights({ stable: 3_334, alpha: 3_333, beta: 3_333 });
  });

  it("matches 50 % / 50 % within 0.5 points", () => {
    expectSharesNearWeights({ stable: 5_000, canary: 5_000 });
  });
});
