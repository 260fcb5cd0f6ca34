import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { BUCKET_COUNT } from "../../src/core/buckets";
import { assignCohort, buildLayout, STABLE } from "../../src/core/layout";
import type { Layout } from "../../src/core/layout";

/** The cohort of every bucket, index = bucket. */
function cohortsOf(layout: Layout): string[] {
  return Array.from({ length: BUCKET_COUNT }, (_, bucket) => assignCohort(bucket, layout));
}

/** Buckets held by each cohort over the whole bucket space. */
function countBuckets(layout: Layout): Map<string, number> {
  const counts = new Map<string, number>();
  for (const cohort of cohortsOf(layout)) {
    counts.set(cohort, (counts.get(cohort) ?? 0) + 1);
  }
  return counts;
}

function weightsOf(entries: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(entries));
}

/** Random weights (hundredths) for `n` canaries plus `stable`, summing to 10,000. */
function weightsArb(names: readonly string[]): fc.Arbitrary<Map<string, number>> {
  return fc
    .array(fc.integer({ min: 0, max: BUCKET_COUNT }), {
      minLength: names.length,
      maxLength: names.length,
    })
    .map((cuts) => {
      // Sorted cut points split [0, 10000] into names.length + 1 parts.
      const sorted = [...cuts].sort((a, b) => a - b);
      const weights = new Map<string, number>();
      let previous = 0;
      names.forEach((name, i) => {
        const cut = sorted[i] ?? previous;
        weights.set(name, cut - previous);
        previous = cut;
      });
      weights.set(STABLE, BUCKET_COUNT - previous);
      return weights;
    });
}

/**
 * The ramp law for a change of `canary`'s weight from `before` to `after`
 * (stable absorbing the difference): every bucket that changes cohort moves
 * between `canary` and `stable`; raising never moves a bucket out of `canary`,
 * lowering never moves one in.
 */
function expectRampLaw(before: Layout, after: Layout, canary: string, raised: boolean): void {
  const from = cohortsOf(before);
  const to = cohortsOf(after);
  const violations: string[] = [];
  for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
    const a = from[bucket];
    const b = to[bucket];
    if (a === b) {
      continue;
    }
    const legal = raised ? a === STABLE && b === canary : a === canary && b === STABLE;
    if (!legal) {
      violations.push(`bucket ${bucket}: ${String(a)} -> ${String(b)}`);
    }
  }
  expect(violations, `${raised ? "raising" : "lowering"} ${canary}`).toEqual([]);
}

describe("STABLE", () => {
  it("is the cohort named stable", () => {
    expect(STABLE).toBe("stable");
  });
});

describe("buildLayout and assignCohort with one canary", () => {
  it("puts every bucket in stable when the canary weight is 0", () => {
    const layout = buildLayout(weightsOf({ stable: 10_000, canary: 0 }));
    expect(countBuckets(layout)).toEqual(new Map([[STABLE, 10_000]]));
    expect(layout.ranges).toEqual([]);
  });

  it("puts only bucket 0 in the canary at 0.01 %", () => {
    const layout = buildLayout(weightsOf({ stable: 9_999, canary: 1 }));
    expect(assignCohort(0, layout)).toBe("canary");
    expect(assignCohort(1, layout)).toBe(STABLE);
    expect(assignCohort(9_999, layout)).toBe(STABLE);
    expect(countBuckets(layout).get("canary")).toBe(1);
  });

  it("splits at bucket 5000 at 50 %", () => {
    const layout = buildLayout(weightsOf({ stable: 5_000, canary: 5_000 }));
    expect(assignCohort(0, layout)).toBe("canary");
    expect(assignCohort(4_999, layout)).toBe("canary");
    expect(assignCohort(5_000, layout)).toBe(STABLE);
    expect(assignCohort(9_999, layout)).toBe(STABLE);
  });

  it("leaves only bucket 9999 in stable at 99.99 %", () => {
    const layout = buildLayout(weightsOf({ stable: 1, canary: 9_999 }));
    expect(assignCohort(0, layout)).toBe("canary");
    expect(assignCohort(9_998, layout)).toBe("canary");
    expect(assignCohort(9_999, layout)).toBe(STABLE);
    expect(countBuckets(layout).get(STABLE)).toBe(1);
  });

  it("puts every bucket in the canary at 100 %", () => {
    const layout = buildLayout(weightsOf({ stable: 0, canary: 10_000 }));
    expect(countBuckets(layout)).toEqual(new Map([["canary", 10_000]]));
  });

  it("is guaranteed for any single canary weight", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (w) => {
        expect(buildLayout(weightsOf({ stable: 10_000 - w, canary: w })).guaranteed).toBe(true);
      }),
    );
  });
});

describe("buildLayout and assignCohort with two canaries", () => {
  it("grows the first canary by name up from bucket 0 and the second down from bucket 9999", () => {
    const layout = buildLayout(weightsOf({ stable: 9_000, beta: 300, alpha: 700 }));
    expect(layout.guaranteed).toBe(true);
    expect(assignCohort(0, layout)).toBe("alpha");
    expect(assignCohort(699, layout)).toBe("alpha");
    expect(assignCohort(700, layout)).toBe(STABLE);
    expect(assignCohort(9_699, layout)).toBe(STABLE);
    expect(assignCohort(9_700, layout)).toBe("beta");
    expect(assignCohort(9_999, layout)).toBe("beta");
  });

  it("orders canaries by name, not by the key order of the weights", () => {
    const a = buildLayout(weightsOf({ stable: 9_000, beta: 300, alpha: 700 }));
    const b = buildLayout(weightsOf({ alpha: 700, beta: 300, stable: 9_000 }));
    expect(cohortsOf(a)).toEqual(cohortsOf(b));
  });

  it("fills every bucket when the two canaries together hold 100 %", () => {
    const layout = buildLayout(weightsOf({ stable: 0, alpha: 2_500, beta: 7_500 }));
    expect(layout.guaranteed).toBe(true);
    expect(assignCohort(2_499, layout)).toBe("alpha");
    expect(assignCohort(2_500, layout)).toBe("beta");
    expect(countBuckets(layout)).toEqual(
      new Map([
        ["alpha", 2_500],
        ["beta", 7_500],
      ]),
    );
  });
});

describe("buildLayout and assignCohort with three and four canaries", () => {
  it("gives each pair of canaries an equal half of the buckets with three canaries", () => {
    const layout = buildLayout(weightsOf({ stable: 9_400, a: 100, b: 200, c: 300 }));
    expect(layout.guaranteed).toBe(true);
    // Segment [0, 5000): a up from 0, b down from 4999. Segment [5000, 10000): c up from 5000.
    expect(layout.ranges).toEqual([
      { cohort: "a", start: 0, end: 100 },
      { cohort: "b", start: 4_800, end: 5_000 },
      { cohort: "c", start: 5_000, end: 5_300 },
    ]);
  });

  it("gives each pair of canaries an equal half of the buckets with four canaries", () => {
    const layout = buildLayout(weightsOf({ stable: 9_000, a: 100, b: 200, c: 300, d: 400 }));
    expect(layout.guaranteed).toBe(true);
    expect(layout.ranges).toEqual([
      { cohort: "a", start: 0, end: 100 },
      { cohort: "b", start: 4_800, end: 5_000 },
      { cohort: "c", start: 5_000, end: 5_300 },
      { cohort: "d", start: 9_600, end: 10_000 },
    ]);
  });

  it("stays guaranteed while each pair fits in its half exactly", () => {
    const layout = buildLayout(weightsOf({ stable: 0, a: 2_000, b: 3_000, c: 1_000, d: 4_000 }));
    expect(layout.guaranteed).toBe(true);
    expect(countBuckets(layout).get(STABLE)).toBeUndefined();
  });

  it("falls back to packing from bucket 0, not guaranteed, when a pair overflows its half", () => {
    const layout = buildLayout(weightsOf({ stable: 3_000, a: 6_000, b: 0, c: 1_000 }));
    expect(layout.guaranteed).toBe(false);
    expect(layout.ranges).toEqual([
      { cohort: "a", start: 0, end: 6_000 },
      { cohort: "c", start: 6_000, end: 7_000 },
    ]);
  });

  it("keeps shares exact in the packed fallback", () => {
    const layout = buildLayout(weightsOf({ stable: 1_000, a: 100, b: 200, c: 4_000, d: 4_700 }));
    expect(layout.guaranteed).toBe(false);
    expect(countBuckets(layout)).toEqual(
      new Map([
        ["a", 100],
        ["b", 200],
        ["c", 4_000],
        ["d", 4_700],
        [STABLE, 1_000],
      ]),
    );
  });
});

describe("buildLayout shares", () => {
  it("gives every cohort exactly its weight in buckets, for any valid weights and 1 to 6 canaries", () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const arb = fc
      .integer({ min: 1, max: names.length })
      .chain((n) => weightsArb(names.slice(0, n)));
    fc.assert(
      fc.property(arb, (weights) => {
        const counts = countBuckets(buildLayout(weights));
        for (const [cohort, weight] of weights) {
          expect(counts.get(cohort) ?? 0, cohort).toBe(weight);
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** A weight change for one canary: the weights before and after, stable absorbing the difference. */
function rampArb(names: readonly string[]): fc.Arbitrary<{
  before: Map<string, number>;
  after: Map<string, number>;
  canary: string;
}> {
  return weightsArb(names).chain((before) =>
    fc.constantFrom(...names).chain((canary) => {
      const current = before.get(canary) ?? 0;
      const stable = before.get(STABLE) ?? 0;
      return fc.integer({ min: 0, max: current + stable }).map((next) => {
        const after = new Map(before);
        after.set(canary, next);
        after.set(STABLE, stable + current - next);
        return { before, after, canary };
      });
    }),
  );
}

describe("monotonic ramp law", () => {
  for (const names of [["canary"], ["alpha", "beta"]]) {
    it(`moves buckets only between the changed canary and stable, with ${names.length} canar${names.length === 1 ? "y" : "ies"}`, () => {
      fc.assert(
        fc.property(rampArb(names), ({ before, after, canary }) => {
          const raised = (after.get(canary) ?? 0) >= (before.get(canary) ?? 0);
          expectRampLaw(buildLayout(before), buildLayout(after), canary, raised);
        }),
        { numRuns: 100 },
      );
    });
  }

  for (const names of [
    ["a", "b", "c"],
    ["a", "b", "c", "d"],
  ]) {
    it(`moves buckets only between the changed canary and stable, with ${names.length} canaries while the layout stays guaranteed`, () => {
      // The law is only promised while every pair fits in its segment, before and after.
      const arb = rampArb(names).filter(
        ({ before, after }) => buildLayout(before).guaranteed && buildLayout(after).guaranteed,
      );
      fc.assert(
        fc.property(arb, ({ before, after, canary }) => {
          const raised = (after.get(canary) ?? 0) >= (before.get(canary) ?? 0);
          expectRampLaw(buildLayout(before), buildLayout(after), canary, raised);
        }),
        { numRuns: 100 },
      );
    });
  }

  it("is not promised across a fallback: overflowing a segment moves another canary's buckets", () => {
    // Documents the limit of the law, and shows the checker above does catch a move between canaries.
    const before = buildLayout(weightsOf({ stable: 8_000, a: 1_000, b: 0, c: 1_000 }));
    const after = buildLayout(weightsOf({ stable: 2_000, a: 7_000, b: 0, c: 1_000 }));
    expect(before.guaranteed).toBe(true);
    expect(after.guaranteed).toBe(false);
    expect(assignCohort(5_000, before)).toBe("c");
    expect(assignCohort(5_000, after)).toBe("a");
  });

  it("raising a canary never moves a bucket out of it, with 2 canaries, step by step up to its maximum", () => {
    let previous = buildLayout(weightsOf({ stable: 9_000, alpha: 0, beta: 1_000 }));
    for (let w = 100; w <= 9_000; w += 100) {
      const next = buildLayout(weightsOf({ stable: 9_000 - w, alpha: w, beta: 1_000 }));
      expectRampLaw(previous, next, "alpha", true);
      previous = next;
    }
  });
});
