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
  classItems: "a b B 0-9 a-b A-Z \\d \\w \\s \\n \\- \\D \\W \\S .".split(" "),
  input: [..."abAB\n-019 _."],
};

/** Characters whose case folding is irregular without the `u` flag. */
const UNICODE: Alphabet = {
  chars: [..."kKsS\u212a\u017f\u00b5\u03bc\u039céÉσςΣß\u01c5"],
  classItems: [
    ..."a-z k s \u00e0-\u00fe \u0370-\u03ff \u00b5 \u017f \u212a".split(" "),
    ..."\\w \\W \u01c4-\u01c6 \u0100-\u017f".split(" "),
  ],
  input: [..."kKsS\u212a\u017f\u00b5\u03bc\u039céÉσςΣß\u01c4\u01c5\u01c6x "],
};

const QUANTIFIERS = ["", "", "", "", "", ..."* + ? {2} {0,2} {1,} {1,3} *? +? ?? {2,}?".split(" ")];
const BOUNDED_QUANTIFIERS = ["", "?", "{2}", "{0,2}", "{1,2}", "??"];
const ASSERTIONS = ["^", "$", "\\b", "\\B"];

/**
 * Random patterns: alternations of sequences of quantified atoms and
 * assertions, with groups. Nesting is capped for the oracle's sake: three
 * nested unbounded quantifiers can make the native engine backtrack for
 * seconds even on 10-character inputs. So a group holds only quantified
 * leaves, unless `deep`, where groups nest two deep and the outer group's
 * quantifier is bounded.
 */
function patternArbitrary(alphabet: Alphabet, deep = false): fc.Arbitrary<string> {
  const char = fc.constantFrom(...alphabet.chars, ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S");
  const set = fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom(...alphabet.classItems), { maxLength: 4 }))
    .map(([negated, items]) => `[${negated ? "^" : ""}${items.join("")}]`);
  const leaf = fc.oneof(char, set);
  const alternation = (
    atom: fc.Arbitrary<string>,
    quantifiers: readonly string[],
  ): fc.Arbitrary<string> => {
    const piece = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...ASSERTIONS) },
      {
        weight: 5,
        arbitrary: fc.tuple(atom, fc.constantFrom(...quantifiers)).map(([a, q]) => a + q),
      },
    );
    const sequence = fc.array(piece, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(""));
    return fc.array(sequence, { minLength: 1, maxLength: 3 }).map((xs) => xs.join("|"));
  };
  const group = (body: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc.tuple(fc.constantFrom("(?:", "("), body).map(([open, inner]) => `${open}${inner})`);
  const shallow = alternation(
    fc.oneof(
      { weight: 2, arbitrary: leaf },
      { weight: 1, arbitrary: group(alternation(leaf, QUANTIFIERS)) },
    ),
    QUANTIFIERS,
  );
  const pattern = deep ? alternation(fc.oneof(leaf, group(shallow)), BOUNDED_QUANTIFIERS) : shallow;
  // The length limit is tested elsewhere; here every pattern must be accepted.
  return pattern.filter((p) => p.length <= 512);
}

function inputArbitrary(alphabet: Alphabet): fc.Arbitrary<string> {
  // Short: the oracle backtracks, and some generated patterns are exponential for it.
  return fc.string({ unit: fc.constantFrom(...alphabet.input), maxLength: 10 });
}

function ours(pattern: string, flags: string, input: string): boolean {
  const result = compileRegex(pattern, { flags });
  if (!result.ok) {
    throw new Error(`rejected /${pattern}/${flags}: ${result.error}`);
  }
  return result.regex.test(input);
}

function checkAgainstNative(
  alphabet: Alphabet,
  flags: string,
  numRuns: number,
  deep = false,
): void {
  fc.assert(
    fc.property(
      patternArbitrary(alphabet, deep),
      fc.array(inputArbitrary(alphabet), { minLength: 1, maxLength: 8 }),
      (pattern, inputs) => {
        const native = new RegExp(pattern, flags);
        for (const input of inputs) {
          expect(
            ours(pattern, flags, input),
            `/${pattern}/${flags} on ${JSON.stringify(input)}`,
          ).toBe(native.test(input));
        }
      },
    ),
    { numRuns },
  );
}

/** Generous: the time goes to the native engine's backtracking, not ours. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe("SafeRegex agrees with the native RegExp", { timeout: PROPERTY_TIMEOUT_MS }, () => {
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

  it("on random patterns with groups nested two deep", () => {
    checkAgainstNative(ASCII, "", 300, true);
    checkAgainstNative(UNICODE, "i", 300, true);
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
        const expected = new RegExp(pattern).test(text);
        expect(ours(pattern, "", text), `/${pattern}/ on ${text}`).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

/** Every UTF-16 code unit as a one-character string. */
const ALL_UNITS: readonly string[] = Array.from({ length: 0x10000 }, (_, c) =>
  String.fromCharCode(c),
);

/** Sets and letters whose case-insensitive meaning is easy to get subtly wrong. */
const SINGLE_CHAR_PATTERNS: readonly string[] = [
  ...". \\w \\W \\s \\S \\d [^\\W] [a-z] [^a-z]".split(" "),
  ..."kKsS\u212a\u017f\u00b5\u03c3\u01c5\u1e9e",
  ...["[\\u00c0-\\u024f]", "[^\\u00c0-\\u024f]", "[\\u0370-\\u03ff\\u0400-\\u04ff]"],
  ...["[\\u1e00-\\u1fff]", "[\\u2c00-\\u2d2f\\ua640-\\uabff]", "[\\uff00-\\uffff\\u10a0-\\u10ff]"],
  ...["[\\u0080-\\uffff]", "[^\\u0000-\\u007f\\u0100]"],
];

/** `pattern` with non-ASCII characters spelled as `\uXXXX`, so K and the Kelvin sign differ. */
function ascii(pattern: string): string {
  return pattern.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

describe("SafeRegex agrees with the native RegExp on every code unit", () => {
  for (const flags of ["", "i"]) {
    for (const pattern of SINGLE_CHAR_PATTERNS) {
      it(`/${ascii(pattern)}/${flags}`, () => {
        const result = compileRegex(pattern, { flags });
        expect(result.ok).toBe(true);
        if (!result.ok) {
          return;
        }
        const native = new RegExp(pattern, flags);
        const mismatches = ALL_UNITS.filter(
          (unit) => result.regex.test(unit) !== native.test(unit),
        );
        expect(mismatches.map((unit) => unit.charCodeAt(0).toString(16))).toEqual([]);
      });
    }
  }
});
