import { describe, it, expect } from "vitest";
import { compileRegex, MAX_PATTERN_LENGTH } from "../../../src/core/regex";
import { parseRegex } from "../../../src/core/regex/parse";

/** The error `compileRegex` reports for `pattern`, or "accepted". */
function errorOf(pattern: string, flags = ""): string {
  const result = compileRegex(pattern, { flags });
  return result.ok ? "accepted" : result.error;
}

const ACCEPTED: readonly string[] = [
  "",
  "abc",
  "a|b|",
  "(|a)",
  "()",
  "(?:)",
  ".",
  "^$",
  "^/api/v[0-9]+/",
  "\\d\\D\\w\\W\\s\\S",
  "\\.\\\\\\/\\-\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$",
  "\\n\\r\\t\\f\\v\\0",
  "\\u00e9\\x41",
  "\\:\\#\\=\\!\\,\\_",
  "[abc]",
  "[a-z0-9_]",
  "[^a-z]",
  "[]",
  "[^]",
  "[-a]",
  "[a-]",
  "[a-b-c]",
  "[[]",
  "[.*+?(){}|$^/]",
  "[\\d\\s\\w\\D\\S\\W]",
  "[\\]\\-\\\\\\b\\n\\u0041-\\u005a]",
  "a*b+c?",
  "a*?b+?c??",
  "a{2}b{2,}c{2,3}d{0}e{0,0}",
  "a{2}?b{2,}?c{2,3}?",
  "(?:ab|cd)*",
  "(?<name>x)(?<other>y)",
  "\\bword\\B",
  "(a+)+$",
  "(.*a){12}",
  "a{500}",
  "é+",
  "😀",
];

describe("parseRegex accepts the supported subset", () => {
  for (const pattern of ACCEPTED) {
    it(`accepts ${JSON.stringify(pattern)}, which JavaScript accepts too`, () => {
      expect(errorOf(pattern)).toBe("accepted");
      expect(errorOf(pattern, "i")).toBe("accepted");
      expect(() => new RegExp(pattern)).not.toThrow();
    });
  }

  it("accepts a pattern of exactly the maximum length", () => {
    expect(errorOf("a".repeat(MAX_PATTERN_LENGTH))).toBe("accepted");
  });
});

describe("parseRegex builds the tree", () => {
  it("dissolves groups and keeps repetition bounds", () => {
    expect(parseRegex("(?:ab)+|c{2,3}?")).toEqual({
      ok: true,
      node: {
        kind: "alternate",
        items: [
          {
            kind: "repeat",
            body: {
              kind: "concat",
              items: [
                { kind: "char", code: 0x61 },
                { kind: "char", code: 0x62 },
              ],
            },
            min: 1,
            max: Infinity,
            greedy: true,
          },
          { kind: "repeat", body: { kind: "char", code: 0x63 }, min: 2, max: 3, greedy: false },
        ],
      },
    });
  });

  it("keeps written members apart from class escapes in a set", () => {
    expect(parseRegex("[^c-ea\\d]")).toEqual({
      ok: true,
      node: { kind: "set", literal: [0x61, 0x61, 0x63, 0x65], closed: [0x30, 0x39], negated: true },
    });
  });

  it("parses anchors and word boundaries as assertions", () => {
    expect(parseRegex("^\\b\\B$")).toEqual({
      ok: true,
      node: {
        kind: "concat",
        items: [
          { kind: "assert", assertion: "start" },
          { kind: "assert", assertion: "wordBoundary" },
          { kind: "assert", assertion: "notWordBoundary" },
          { kind: "assert", assertion: "end" },
        ],
      },
    });
  });

  it("reads [\\b] as backspace", () => {
    expect(parseRegex("[\\b]")).toEqual({
      ok: true,
      node: { kind: "set", literal: [8, 8], closed: [], negated: false },
    });
  });
});

describe("parseRegex rejects, naming the construct and its position", () => {
  it("rejects backreferences", () => {
    expect(errorOf("(a)bc\\1")).toBe("unsupported: backreference \\1 at 5");
    expect(errorOf("\\12")).toBe("unsupported: backreference \\12 at 0");
  });

  it("rejects named backreferences", () => {
    expect(errorOf("(?<x>a)\\k<x>")).toBe("unsupported: named backreference \\k at 7");
  });

  it("rejects legacy octal escapes", () => {
    expect(errorOf("\\01")).toBe("unsupported: octal escape \\01 at 0");
    expect(errorOf("[\\1]")).toBe("unsupported: octal escape \\1 at 1");
  });

  it("rejects lookahead", () => {
    expect(errorOf("a(?=b)")).toBe("unsupported: lookahead (?= at 1");
  });

  it("rejects negative lookahead", () => {
    expect(errorOf("a(?!b)")).toBe("unsupported: negative lookahead (?! at 1");
  });

  it("rejects lookbehind", () => {
    expect(errorOf("(?<=a)b")).toBe("unsupported: lookbehind (?<= at 0");
  });

  it("rejects negative lookbehind", () => {
    expect(errorOf("(?<!a)b")).toBe("unsupported: negative lookbehind (?<! at 0");
  });

  it("rejects inline flags and other group syntax", () => {
    expect(errorOf("x(?i)a")).toBe("unsupported: group syntax (?i at 1");
    expect(errorOf("(?i:a)")).toBe("unsupported: group syntax (?i at 0");
  });

  it("rejects unicode property escapes", () => {
    expect(errorOf("\\p{L}")).toBe("unsupported: unicode property escape \\p at 0");
    expect(errorOf("[\\P{L}]")).toBe("unsupported: unicode property escape \\P at 1");
  });

  it("rejects unknown escapes", () => {
    expect(errorOf("a\\z")).toBe("unsupported: escape \\z at 1");
    expect(errorOf("\\cJ")).toBe("unsupported: escape \\c at 0");
    expect(errorOf("[\\B]")).toBe("unsupported: escape \\B at 1");
  });

  it("rejects \\u{...} code point escapes", () => {
    expect(errorOf("\\u{1F600}")).toBe("unsupported: code point escape \\u{ at 0 (use \\uXXXX)");
  });

  it("rejects malformed \\u and \\x escapes", () => {
    expect(errorOf("\\u12")).toBe("syntax error: invalid escape \\u at 0 (expected 4 hex digits)");
    expect(errorOf("a\\xg0")).toBe("syntax error: invalid escape \\x at 1 (expected 2 hex digits)");
  });

  it("rejects a trailing backslash", () => {
    expect(errorOf("a\\")).toBe("syntax error: '\\' at end of pattern at 1");
  });

  it("rejects a lone brace or bracket that JavaScript would read as a literal", () => {
    expect(errorOf("a{")).toBe("unsupported: literal '{' at 1 (escape it as \\{)");
    expect(errorOf("a{,2}")).toBe("unsupported: literal '{' at 1 (escape it as \\{)");
    expect(errorOf("a}")).toBe("unsupported: literal '}' at 1 (escape it as \\})");
    expect(errorOf("a]")).toBe("unsupported: literal ']' at 1 (escape it as \\])");
  });

  it("rejects a quantifier with nothing to repeat", () => {
    expect(errorOf("*a")).toBe("syntax error: nothing to repeat at 0");
    expect(errorOf("a**")).toBe("syntax error: nothing to repeat at 2");
    expect(errorOf("a???")).toBe("syntax error: nothing to repeat at 3");
    expect(errorOf("a|{2}")).toBe("syntax error: nothing to repeat at 2");
    expect(errorOf("^*")).toBe("syntax error: nothing to repeat at 1");
    expect(errorOf("\\b+")).toBe("syntax error: nothing to repeat at 2");
  });

  it("rejects an unmatched ')'", () => {
    expect(errorOf("a)b")).toBe("syntax error: unmatched ')' at 1");
  });

  it("rejects an unterminated group", () => {
    expect(errorOf("x(a|(b)")).toBe("syntax error: unterminated group at 1");
    expect(errorOf("(?")).toBe("syntax error: unterminated group at 0");
  });

  it("rejects an unterminated character class", () => {
    expect(errorOf("x[a-")).toBe("syntax error: unterminated character class at 1");
  });

  it("rejects a range out of order", () => {
    expect(errorOf("[xz-a]")).toBe("syntax error: range out of order in character class at 2");
  });

  it("rejects a class escape as a range bound", () => {
    expect(errorOf("[\\d-z]")).toBe("unsupported: class escape as range bound at 1");
    expect(errorOf("[a-\\w]")).toBe("unsupported: class escape as range bound at 1");
  });

  it("rejects repetition numbers out of order", () => {
    expect(errorOf("a{3,2}")).toBe("syntax error: numbers out of order in {3,2} at 1");
  });

  it("rejects invalid and duplicate group names", () => {
    expect(errorOf("(?<1a>x)")).toBe("syntax error: invalid group name at 0");
    expect(errorOf("(?<a")).toBe("syntax error: invalid group name at 0");
    expect(errorOf("(?<a>x)|(?<a>y)")).toBe("syntax error: duplicate group name 'a' at 8");
  });

  it("rejects repeat counts over the limit", () => {
    expect(errorOf("a{1001}")).toBe("limit: repeat count 1001 exceeds 1000 at 1");
    expect(errorOf("a{2,99999999999999999999}")).toBe(
      "limit: repeat count 99999999999999999999 exceeds 1000 at 1",
    );
  });

  it("rejects patterns over the length limit", () => {
    expect(errorOf("a".repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      "limit: pattern is 513 characters, the limit is 512",
    );
  });

  it("rejects patterns whose compiled program is too large", () => {
    expect(errorOf("(a{1000}){1000}")).toBe("limit: compiled program exceeds 1000 instructions");
    expect(errorOf("a{200}b{200}c{200}d{200}e{200}f{200}")).toBe(
      "limit: compiled program exceeds 1000 instructions",
    );
    expect(errorOf("(((a{1000}){1000}){1000}){1000}")).toBe(
      "limit: compiled program exceeds 1000 instructions",
    );
  });

  it("rejects flags other than i", () => {
    expect(errorOf("a", "g")).toBe("unsupported: flag 'g' (only 'i' is supported)");
    expect(errorOf("a", "im")).toBe("unsupported: flag 'm' (only 'i' is supported)");
    expect(errorOf("a", "ii")).toBe("syntax error: duplicate flag 'i'");
  });

  it("never throws, whatever the pattern", () => {
    for (const pattern of ["(", ")", "[", "\\", "(?", "(?<", "{", "a{1,", "[z-", "((((", "]]]"]) {
      expect(() => compileRegex(pattern)).not.toThrow();
      expect(compileRegex(pattern).ok).toBe(false);
    }
  });
});
