import { describe, it, expect } from "vitest";
import { globToPattern } from "../../src/core/glob";
import { compileRegex } from "../../src/core/regex";

/** Whether `glob` matches `path`, through the engine the pattern is written for. */
function globMatches(glob: string, path: string): boolean {
  const compiled = compileRegex(globToPattern(glob));
  if (!compiled.ok) {
    throw new Error(`glob ${glob} did not compile: ${compiled.error}`);
  }
  return compiled.regex.test(path);
}

describe("globToPattern", () => {
  it("matches a literal path exactly", () => {
    expect(globMatches("/about", "/about")).toBe(true);
    expect(globMatches("/about", "/about/")).toBe(false);
    expect(globMatches("/about", "/en/about")).toBe(false);
  });

  it("anchors at both ends", () => {
    const pattern = globToPattern("/x");
    expect(pattern.startsWith("^")).toBe(true);
    expect(pattern.endsWith("$")).toBe(true);
  });

  it("matches * within one segment", () => {
    expect(globMatches("/static/*.js", "/static/app.js")).toBe(true);
    expect(globMatches("/static/*.js", "/static/.js")).toBe(true);
    expect(globMatches("/static/*.js", "/static/js/app.js")).toBe(false);
  });

  it("matches a trailing * only to the end of the segment", () => {
    expect(globMatches("/users/*", "/users/42")).toBe(true);
    expect(globMatches("/users/*", "/users/")).toBe(true);
    expect(globMatches("/users/*", "/users/42/edit")).toBe(false);
  });

  it("matches ** across segments", () => {
    expect(globMatches("/static/**", "/static/a/b/c.js")).toBe(true);
    expect(globMatches("/static/**/*.js", "/static/a/b/c.js")).toBe(true);
    expect(globMatches("/static/**/*.js", "/static/a/b/c.css")).toBe(false);
  });

  it("lets **/ match zero segments: the documented /static/**/*.js matches /static/app.js", () => {
    expect(globMatches("/static/**/*.js", "/static/app.js")).toBe(true);
  });

  it("lets /a/**/b match /a/b as well as /a/x/y/b, but not /a/xb", () => {
    expect(globMatches("/a/**/b", "/a/b")).toBe(true);
    expect(globMatches("/a/**/b", "/a/x/y/b")).toBe(true);
    expect(globMatches("/a/**/b", "/a/xb")).toBe(false);
  });

  it("matches /** against every path", () => {
    expect(globMatches("/**", "/")).toBe(true);
    expect(globMatches("/**", "/a/b/c")).toBe(true);
  });

  it("matches ? as exactly one character other than /", () => {
    expect(globMatches("/v?/x", "/v1/x")).toBe(true);
    expect(globMatches("/v?/x", "/v/x")).toBe(false);
    expect(globMatches("/v?/x", "/v12/x")).toBe(false);
    expect(globMatches("/a?b", "/a/b")).toBe(false);
  });

  it("treats regex metacharacters literally", () => {
    for (const char of [".", "+", "(", ")", "[", "]", "{", "}", "|", "^", "$", "\\", "-"]) {
      const glob = `/a${char}b`;
      expect(globMatches(glob, `/a${char}b`), glob).toBe(true);
    }
  });

  it("does not let a dot match any character", () => {
    expect(globMatches("/file.js", "/fileXjs")).toBe(false);
  });

  it("does not let + or {} act as quantifiers", () => {
    expect(globMatches("/a+", "/aa")).toBe(false);
    expect(globMatches("/a{2}", "/aa")).toBe(false);
  });

  it("does not let | act as alternation", () => {
    expect(globMatches("/a|/b", "/b")).toBe(false);
    expect(globMatches("/a|/b", "/a")).toBe(false);
  });

  it("does not let [] act as a class", () => {
    expect(globMatches("/[ab]", "/a")).toBe(false);
  });

  it("keeps hyphens and percent-escapes literal", () => {
    expect(globMatches("/blog/my-post-*", "/blog/my-post-2")).toBe(true);
    expect(globMatches("/a%20b/*", "/a%20b/c")).toBe(true);
  });

  it("matches non-ASCII characters literally", () => {
    expect(globMatches("/café/*", "/café/menu")).toBe(true);
    expect(globMatches("/café/*", "/cafe/menu")).toBe(false);
  });

  it("compiles an empty glob to a pattern matching only the empty path", () => {
    expect(globMatches("", "")).toBe(true);
    expect(globMatches("", "/")).toBe(false);
  });
});
