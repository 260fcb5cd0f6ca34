import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { compileRegex } from "../../../src/core/regex";

/**
 * Differential tests: random patterns from the supported subset, random
 * inputs over a small alphabet, and the native engine as the oracle. Inputs
 * stay short (the native engine backtracks) but the alphabets are chosen so
 * that matches, near-misses, anchors, word boundaries and case variants all
 * occur often.
 */

interface Alphabet {
  /** Atoms that stand for one code unit, as pattern source. */
  readonly chars: readonly string[];
  /** Class members: single characters and ranges, as pattern source. */
  readonly classItems: readonly string[];
  /** Input code units. */
  readonly input: readonly string[];
}

const ASCII: Alphabet = {
  chars: ["a", "b", "A", "-", "0", "1", " ", "\\n", "\\-", "\\.", "\\u0062", "\\x41", "_"],
  classItems: ["a", "b", "B", "0-9", "a-b", "A-Z", "\\d", "\\w", "\\s", "\\n", "\\-", "\\D", "\\W", "\\S", "."],
  input: ["a", "b", "A", "B", "\n", "-", "0", "1", "9", " ", "_", "."],
};

/** Characters whose case folding is irregular without the `u` flag. */
const UNICODE: Alphabet = {
  chars: ["k", "K", "s", "S", "\u212a", "\u017f", "\u00b5", "\u03bc", "\u039c", "é", "É", "σ", "ς", "Σ", "ß", "\u01c5"],
  classItems: ["a-z", "k", "s", "\u00e0-\u00fe", "\u0370-\u03ff", "\u00b5", "\u017f", "\u212a", "\\w", "\\W", "\u01c4-\u01c6", "\u0100-\u017f"],
  input: ["k", "K", "s", "S", "\u212a", "\u017f", "\u00b5", "\u03bc", "\u039c", "é", "É", "σ", "ς", "Σ", "ß", "\u01c4", "\u01c5", "\u01c6", "x", " "],
};

const QUANTIFIERS = ["", "", "", "", "", "*", "+", "?", "{2}", "{0,2}", "{1,}", "{1,3}", "*?", "+?", "??", "{2,}?"];
const ASSERTIONS = ["^", "$", "\\b", "\\B"];

function patternArbitrary(alphabet: Alphabet): fc.Arbitrary<string> {
  const char = fc.constantFrom(...alphabet.chars, ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S");
  const set = fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom(...alphabet.classItems), { maxLength: 4 }))
    .map(([negated, items]) => `[${negated ? "^" : ""}${items.join("")}]`);
  const tree = fc.letrec<{ alternation: string; sequence: string; piece: string; atom: string }>(
    (tie) => ({
      alternation: fc.array(tie("sequence"), { minLength: 1, maxLength: 3 }).map((xs) => xs.join("|")),
      sequence: fc.array(tie("piece"), { minLength: 1, maxLength: 3 }).map((xs) => xs.join("")),
      piece: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...ASSERTIONS) },
        {
          weight: 5,
          arbitrary: fc.tuple(tie("atom"), fc.constantFrom(...QUANTIFIERS)).map(([a, q]) => a + q),
        },
      ),
      atom: fc.oneof(
        { maxDepth: 2, depthSize: "small" },
        char,
        set,
        tie("alternation").map((s) => `(?:${s})`),
        tie("alternation").map((s) => `(${s})`),
      ),
    }),
  );
  // The length limit is tested elsewhere; here every pattern must be accepted.
  return tree.alternation.filter((pattern) => pattern.length <= 200);
}

function inputArbitrary(alphabet: Alphabet): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet.input), maxLength: 12 });
}

function ours(pattern: string, flags: string, input: string): boolean {
  const result = compileRegex(pattern, { flags });
  if (!result.ok) {
    throw new Error(`rejected /${pattern}/${flags}: ${result.error}`);
  }
  return result.regex.test(input);
}

function checkAgainstNative(alphabet: Alphabet, flags: string, numRuns: number): void {
  fc.assert(
    fc.property(patternArbitrary(alphabet), fc.array(inputArbitrary(alphabet), { minLength: 1, maxLength: 8 }), (pattern, inputs) => {
      const native = new RegExp(pattern, flags);
      for (const input of inputs) {
        expect(ours(pattern, flags, input), `/${pattern}/${flags} on ${JSON.stringify(input)}`).toBe(
          native.test(input),
        );
      }
    }),
    { numRuns },
  );
}

describe("SafeRegex agrees with the native RegExp", () => {
  it("on random ASCII patterns and inputs", () => {
    checkAgainstNative(ASCII, "", 3000);
  });

  it("on random ASCII patterns and inputs, case-insensitively", () => {
    checkAgainstNative(ASCII, "i", 3000);
  });

  it("on random patterns with irregular case foldings", () => {
    checkAgainstNative(UNICODE, "", 1000);
  });

  it("on random patterns with irregular case foldings, case-insensitively", () => {
    checkAgainstNative(UNICODE, "i", 2000);
  });

  it("on counted repetition with larger counts", () => {
    const counted = fc
      .tuple(
        fc.constantFrom("a", "(?:ab)", "[ab]", "(?:a|b)", "(?:a?)", "\\w"),
        fc.nat({ max: 12 }),
        fc.nat({ max: 12 }),
        fc.constantFrom("", "^", "b"),
        fc.constantFrom("", "$", "b"),
      )
      .map(([body, m, extra, before, after]) => `${before}${body}{${m},${m + extra}}${after}`);
    const input = fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 30 });
    fc.assert(
      fc.property(counted, input, (pattern, text) => {
        expect(ours(pattern, "", text), `/${pattern}/ on ${text}`).toBe(new RegExp(pattern).test(text));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Every UTF-16 code unit as a one-character string. */
const ALL_UNITS: readonly string[] = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c));

const SINGLE_CHAR_PATTERNS: readonly string[] = [
  ".",
  "\\w",
  "\\W",
  "\\s",
  "\\S",
  "\\d",
  "[^\\W]",
  "k",
  "s",
  "K",
  "\u212a",
  "\u017f",
  "\u00b5",
  "\u03c3",
  "\u01c5",
  "\u1e9e",
  "[a-z]",
  "[^a-z]",
  "[\\u00c0-\\u024f]",
  "[^\\u00c0-\\u024f]",
  "[\\u0370-\\u03ff\\u0400-\\u04ff]",
  "[\\u1e00-\\u1fff]",
  "[\\u2c00-\\u2d2f\\ua640-\\uabff]",
  "[\\uff00-\\uffff\\u10a0-\\u10ff]",
  "[\\u0080-\\uffff]",
  "[^\\u0000-\\u007f\\u0100]",
];

describe("SafeRegex agrees with the native RegExp on every code unit", () => {
  for (const flags of ["", "i"]) {
    for (const pattern of SINGLE_CHAR_PATTERNS) {
      it(`/${pattern}/${flags}`, () => {
        const result = compileRegex(pattern, { flags });
        expect(result.ok).toBe(true);
        if (!result.ok) {
          return;
        }
        const native = new RegExp(pattern, flags);
        const mismatches = ALL_UNITS.filter((unit) => result.regex.test(unit) !== native.test(unit));
        expect(mismatches.map((unit) => unit.charCodeAt(0).toString(16))).toEqual([]);
      });
    }
  }
});
