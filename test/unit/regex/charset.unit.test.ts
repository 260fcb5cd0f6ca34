import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  canonicalize,
  caseFoldRanges,
  caseVariants,
  classHas,
  complementRanges,
  DIGIT,
  LINE_TERMINATORS,
  normalizeRanges,
  rangesContain,
  SPACE,
  toCharClass,
  WORD,
} from "../../../src/core/regex/charset";

const rawRanges = fc
  .array(fc.tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 300 })), { maxLength: 8 })
  .map((pairs) => pairs.flatMap(([lo, width]) => [lo, Math.min(0xffff, lo + width)]));

function naiveContains(raw: readonly number[], code: number): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (code >= (raw[i] ?? 0) && code <= (raw[i + 1] ?? 0)) {
      return true;
    }
  }
  return false;
}

const probe = fc.oneof(fc.nat({ max: 0x7f }), fc.nat({ max: 0xffff }));

describe("range arithmetic", () => {
  it("normalizes into sorted, disjoint, non-adjacent pairs with the same members", () => {
    fc.assert(
      fc.property(rawRanges, fc.array(probe, { maxLength: 20 }), (raw, codes) => {
        const norm = normalizeRanges(raw);
        for (let i = 0; i + 3 < norm.length; i += 2) {
          expect((norm[i + 1] ?? 0) + 1).toBeLessThan(norm[i + 2] ?? 0);
        }
        for (const code of codes) {
          expect(rangesContain(norm, code)).toBe(naiveContains(raw, code));
        }
      }),
    );
  });

  it("complements within [0, 0xFFFF]", () => {
    fc.assert(
      fc.property(rawRanges, fc.array(probe, { maxLength: 20 }), (raw, codes) => {
        const norm = normalizeRanges(raw);
        const comp = complementRanges(norm);
        expect(complementRanges(comp)).toEqual(norm);
        for (const code of codes) {
          expect(rangesContain(comp, code)).toBe(!rangesContain(norm, code));
        }
      }),
    );
    expect(complementRanges([])).toEqual([0, 0xffff]);
    expect(complementRanges([0, 0xffff])).toEqual([]);
  });

  it("prepares classes that answer like the ranges they came from", () => {
    fc.assert(
      fc.property(rawRanges, fc.array(probe, { maxLength: 20 }), (raw, codes) => {
        const norm = normalizeRanges(raw);
        const cls = toCharClass(norm);
        for (const code of codes) {
          expect(classHas(cls, code)).toBe(rangesContain(norm, code));
        }
      }),
    );
  });
});

describe("case folding", () => {
  it("canonicalizes like ECMAScript without the u flag", () => {
    expect(canonicalize(0x61)).toBe(0x41);
    expect(canonicalize(0x41)).toBe(0x41);
    expect(canonicalize(0xdf)).toBe(0xdf); // ß upper-cases to "SS": kept
    expect(canonicalize(0x17f)).toBe(0x17f); // ſ would map onto ASCII S: kept
    expect(canonicalize(0x212a)).toBe(0x212a); // Kelvin sign is already upper case
    expect(canonicalize(0xb5)).toBe(0x39c); // µ upper-cases to Greek capital mu
    expect(canonicalize(0xd800)).toBe(0xd800);
  });

  it("lists the case variants of a character", () => {
    expect(caseVariants(0x6b)).toEqual([0x4b, 0x6b]);
    expect(caseVariants(0x2d)).toEqual([0x2d]);
    expect(caseVariants(0x3c3)).toEqual([0x3a3, 0x3c2, 0x3c3]);
    expect(caseVariants(0xb5)).toEqual([0xb5, 0x39c, 0x3bc]);
    expect(caseVariants(0x17f)).toEqual([0x17f]);
  });

  it("gives variants that are exactly the code units with the same canonical form", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff }), (code) => {
        const variants = caseVariants(code);
        expect(variants).toContain(code);
        for (const v of variants) {
          expect(canonicalize(v)).toBe(canonicalize(code));
        }
      }),
    );
    // And no code unit outside the variants shares the canonical form.
    for (const code of [0x4b, 0x53, 0x3a3, 0x39c, 0x1c4, 0x398, 0x1e60]) {
      const expected: number[] = [];
      for (let c = 0; c <= 0xffff; c++) {
        if (canonicalize(c) === canonicalize(code)) {
          expected.push(c);
        }
      }
      expect(caseVariants(code)).toEqual(expected);
    }
  });

  it("treats the class escapes and line terminators as closed under folding", () => {
    // The compiler relies on this to skip folding \d \w \s, their negations and `.`.
    for (const set of [DIGIT, WORD, SPACE, LINE_TERMINATORS]) {
      expect(caseFoldRanges(set)).toEqual(set);
      const comp = complementRanges(set);
      expect(caseFoldRanges(comp)).toEqual(comp);
    }
  });

  it("widens written ranges to their case variants", () => {
    expect(caseFoldRanges([0x61, 0x63])).toEqual([0x41, 0x43, 0x61, 0x63]);
    expect(caseFoldRanges([0x3c3, 0x3c3])).toEqual([0x3a3, 0x3a3, 0x3c2, 0x3c3]);
    expect(caseFoldRanges([0x5b, 0x60])).toEqual([0x5b, 0x60]);
  });
});
