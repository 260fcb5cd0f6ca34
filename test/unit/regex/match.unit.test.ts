import { describe, it, expect } from "vitest";
import type { SafeRegex } from "../../../src/core/regex";
import { compileRegex } from "../../../src/core/regex";

function compile(pattern: string, ignoreCase = false): SafeRegex {
  const result = compileRegex(pattern, { ignoreCase });
  if (!result.ok) {
    throw new Error(`${pattern}: ${result.error}`);
  }
  return result.regex;
}

// [pattern, flags, input, expected]
const TABLE: readonly (readonly [string, "" | "i", string, boolean])[] = [
  ["", "", "", true],
  ["", "", "anything", true],
  ["abc", "", "xxabcxx", true],
  ["abc", "", "ab", false],
  ["^abc", "", "xabc", false],
  ["abc$", "", "abcx", false],
  ["^abc$", "", "abc", true],
  ["^$", "", "", true],
  ["^$", "", "\n", false],
  ["a$", "", "a\n", false],
  ["^b", "", "a\nb", false],
  ["a.c", "", "abc", true],
  ["a.c", "", "a\nc", false],
  ["a.c", "", "a\rc", false],
  ["a.c", "", "a\u2028c", false],
  ["a.c", "", "a\u2029c", false],
  ["a.c", "", "a\u0085c", true],
  ["colou?r", "", "color", true],
  ["colou?r", "", "colour", true],
  ["colou?r", "", "colouur", false],
  ["ab*c", "", "ac", true],
  ["ab+c", "", "ac", false],
  ["ab+c", "", "abbbc", true],
  ["a{3}", "", "aa", false],
  ["a{3}", "", "aaa", true],
  ["^a{2,3}$", "", "aaaa", false],
  ["^a{2,3}$", "", "aaa", true],
  ["^a{2,}$", "", "a", false],
  ["^a{2,}$", "", "aaaaaa", true],
  ["^a{0}$", "", "", true],
  ["^(?:ab){2}$", "", "abab", true],
  ["^(?:ab){2}$", "", "aba", false],
  ["cat|dog", "", "hotdog", true],
  ["^(cat|dog)$", "", "cats", false],
  ["^(|x)$", "", "", true],
  ["[abc]", "", "xbx", true],
  ["[^abc]", "", "abc", false],
  ["[^abc]", "", "abcd", true],
  ["^[a-z0-9_]+$", "", "user_42", true],
  ["^[a-z0-9_]+$", "", "User_42", false],
  ["[]", "", "anything", false],
  ["[^]", "", "\n", true],
  ["^[-a]$", "", "-", true],
  ["^[a-]$", "", "-", true],
  ["^[\\d-]+$", "", "12-34", true],
  ["\\d+", "", "abc", false],
  ["\\d+", "", "a1c", true],
  ["^\\D+$", "", "abc", true],
  ["\\w", "", "é", false],
  ["\\W", "", "é", true],
  ["\\s", "", "\u00a0", true],
  ["\\s", "", "\ufeff", true],
  ["\\S", "", " \t\n", false],
  ["[\\s\\d]", "", "x5", true],
  ["[^\\s\\d]", "", " 5 ", false],
  ["\\bfoo\\b", "", "a foo b", true],
  ["\\bfoo\\b", "", "afoob", false],
  ["\\Bfoo\\B", "", "afoob", true],
  ["\\b", "", "", false],
  ["\\B", "", "", true],
  ["^\\b$", "", "", false],
  ["\\u00e9", "", "café", true],
  ["\\x41", "", "A", true],
  ["\\.", "", "a", false],
  ["a\\/b", "", "a/b", true],
  ["\\t", "", "a\tb", true],
  ["[\\b]", "", "\b", true],
  ["\\0", "", "\0", true],
  ["😀", "", "x😀", true],
  ["^😀+$", "", "😀\ude00\ude00", true],
  ["(a|ab)(c|bcd)(d*)", "", "abcd", true],
  ["(?<id>[a-f0-9]{8})", "", "id=deadbeef", true],
  // Case-insensitive matching (ECMAScript `i` without `u`).
  ["abc", "i", "xABCx", true],
  ["ABC", "i", "abc", true],
  ["[a-z]+", "i", "HELLO", true],
  ["[^a-z]", "i", "HELLO", false],
  ["\\w", "i", "\u212a", false],
  ["k", "i", "\u212a", false],
  ["s", "i", "\u017f", false],
  ["\u017f", "i", "S", false],
  ["é", "i", "É", true],
  ["[à-þ]", "i", "É", true],
  ["σ", "i", "Σ", true],
  ["σ", "i", "ς", true],
  ["µ", "i", "μ", true],
  ["\\u00b5", "i", "\u039c", true],
  ["ß", "i", "SS", false],
  ["^[\\W]$", "i", "S", false],
  ["^[^\\W]$", "i", "\u017f", false],
  ["chrome|firefox", "i", "Mozilla/5.0 Firefox/120", true],
];

describe("SafeRegex.test", () => {
  for (const [pattern, flags, input, expected] of TABLE) {
    it(`/${pattern}/${flags} on ${JSON.stringify(input)} is ${expected}`, () => {
      expect(compile(pattern, flags === "i").test(input)).toBe(expected);
      // The table itself is checked against the native engine.
      expect(new RegExp(pattern, flags).test(input)).toBe(expected);
    });
  }

  it("gives the same answer when reused many times", () => {
    const regex = compile("^(?:a|b)*c$");
    for (let i = 0; i < 1000; i++) {
      expect(regex.test("ab".repeat(i % 7) + "c")).toBe(true);
      expect(regex.test("ab".repeat(i % 7))).toBe(false);
    }
  });

  it("exposes its source and case mode", () => {
    const regex = compile("a+", true);
    expect(regex.source).toBe("a+");
    expect(regex.ignoreCase).toBe(true);
    const fromFlags = compileRegex("a", { flags: "i" });
    expect(fromFlags.ok && fromFlags.regex.ignoreCase).toBe(true);
  });
});

describe("SafeRegex.test on patterns that make backtracking engines stall", () => {
  const n = 100_000;
  const as = "a".repeat(n);

  it("(a+)+$", () => {
    const regex = compile("(a+)+$");
    expect(regex.test(`${as}b`)).toBe(false);
    expect(regex.test(as)).toBe(true);
    expect(compile("^(a+)+$").test(`${as}!`)).toBe(false);
  });

  it("(a|aa)*b", () => {
    const regex = compile("(a|aa)*b");
    expect(regex.test(as)).toBe(false);
    expect(regex.test(`${as}b`)).toBe(true);
    expect(compile("^(a|aa)*$").test(`${as}c`)).toBe(false);
  });

  it("(.*a){12}", () => {
    const regex = compile("(.*a){12}");
    const elevenAs = `${"b".repeat(n - 11)}${"a".repeat(11)}`;
    expect(regex.test(elevenAs)).toBe(false);
    expect(regex.test(`${elevenAs}a`)).toBe(true);
    expect(compile("^(.*a){12}$").test(`${as}b`)).toBe(false);
  });

  it(".*a.*a.*a.*a.*b", () => {
    const regex = compile(".*a.*a.*a.*a.*b");
    expect(regex.test(as)).toBe(false);
    expect(regex.test(`${as}b`)).toBe(true);
    expect(regex.test(`b${as}`)).toBe(false);
  });

  it("(x+x+)+y and nested stars, case-insensitively", () => {
    expect(compile("(x+x+)+y", true).test("X".repeat(n))).toBe(false);
    expect(compile("((a*)*)*b", true).test(as)).toBe(false);
    expect(compile("^(\\w+\\s?)*$", true).test(`${"word ".repeat(n / 5)}!`)).toBe(false);
  });

  it("a large counted repetition on a long input", () => {
    const regex = compile("a{0,400}b");
    expect(regex.test("a".repeat(5_000))).toBe(false);
    expect(regex.test(`${"a".repeat(5_000)}b`)).toBe(true);
  });
});

describe("SafeRegex.testWithin (a step budget)", () => {
  it("gives test's answer when the budget suffices, with the steps it took", () => {
    for (const [pattern, flags, input, expected] of TABLE) {
      const outcome = compile(pattern, flags === "i").testWithin(input, Infinity);
      expect(outcome.result, `${pattern} on ${JSON.stringify(input)}`).toBe(
        expected ? "match" : "no_match",
      );
      expect(outcome.steps).toBeGreaterThanOrEqual(0);
    }
  });

  it("counts at most twice the program size per input position", () => {
    // .{998}! compiles to 1,000 instructions.
    const { result, steps } = compile(".{998}!").testWithin("x".repeat(2047), Infinity);
    expect(result).toBe("no_match");
    expect(steps).toBeGreaterThan(1_000_000);
    expect(steps).toBeLessThanOrEqual(2 * 1_000 * 2_048);
  });

  it("gives up within one position's work of the budget", () => {
    const { result, steps } = compile(".{998}!").testWithin("x".repeat(2047), 10_000);
    expect(result).toBe("over_budget");
    expect(steps).toBeGreaterThan(10_000);
    expect(steps).toBeLessThanOrEqual(10_000 + 2 * 1_000);
  });

  it("answers a match found before the budget runs out", () => {
    expect(compile("needle").testWithin(`${"x".repeat(100)}needle`, 1_000).result).toBe("match");
  });
});
