import { describe, it, expect } from "vitest";
import { applyCachePolicy, isShareable } from "../../src/core/cache-policy";
import type { CachePolicy } from "../../src/core/options";

const POLICIES: readonly CachePolicy[] = ["private", "vary", "off"];

function apply(init: Record<string, string>, policy: CachePolicy): Headers {
  const headers = new Headers(init);
  applyCachePolicy(headers, policy);
  return headers;
}

function entries(headers: Headers): [string, string][] {
  return [...headers.entries()];
}

describe("isShareable", () => {
  it("detects public", () => {
    expect(isShareable("public")).toBe(true);
  });

  it("detects s-maxage", () => {
    expect(isShareable("s-maxage=600")).toBe(true);
  });

  it("detects public with max-age", () => {
    expect(isShareable("public, max-age=60")).toBe(true);
  });

  it("detects s-maxage after other directives", () => {
    expect(isShareable("max-age=60, s-maxage=600")).toBe(true);
  });

  it("detects directives case-insensitively", () => {
    expect(isShareable("Public, Max-Age=60")).toBe(true);
  });

  it("does not treat private as shareable", () => {
    expect(isShareable("private")).toBe(false);
  });

  it("does not treat no-store as shareable", () => {
    expect(isShareable("no-store")).toBe(false);
  });

  it("does not treat max-age alone as shareable", () => {
    expect(isShareable("max-age=60")).toBe(false);
  });

  it("does not treat a missing Cache-Control as shareable", () => {
    expect(isShareable(null)).toBe(false);
  });

  it("does not match public inside another token", () => {
    expect(isShareable("x-public-ish, max-age=60")).toBe(false);
  });
});

describe("applyCachePolicy private", () => {
  it("rewrites public to private and keeps max-age", () => {
    expect(apply({ "cache-control": "public, max-age=60" }, "private").get("cache-control")).toBe(
      "private, max-age=60",
    );
  });

  it("drops s-maxage", () => {
    expect(
      apply({ "cache-control": "max-age=60, s-maxage=600" }, "private").get("cache-control"),
    ).toBe("private, max-age=60");
  });

  it("drops proxy-revalidate", () => {
    expect(
      apply({ "cache-control": "public, max-age=60, proxy-revalidate" }, "private").get(
        "cache-control",
      ),
    ).toBe("private, max-age=60");
  });

  it("keeps other directives in order", () => {
    expect(
      apply(
        { "cache-control": "public, max-age=60, must-revalidate, stale-while-revalidate=30" },
        "private",
      ).get("cache-control"),
    ).toBe("private, max-age=60, must-revalidate, stale-while-revalidate=30");
  });

  it("leaves just private when public was the only directive", () => {
    expect(apply({ "cache-control": "public" }, "private").get("cache-control")).toBe("private");
  });

  it("drops public and s-maxage whatever their case", () => {
    expect(
      apply({ "cache-control": "PUBLIC, S-MAXAGE=600, max-age=5" }, "private").get("cache-control"),
    ).toBe("private, max-age=5");
  });

  it("does not add a Vary header", () => {
    expect(apply({ "cache-control": "public, max-age=60" }, "private").get("vary")).toBeNull();
  });
});

describe("applyCachePolicy vary", () => {
  it("adds Vary: X-Gray-Cohort when there is no Vary", () => {
    expect(apply({ "cache-control": "public, max-age=60" }, "vary").get("vary")).toBe(
      "X-Gray-Cohort",
    );
  });

  it("keeps the existing Vary value and appends X-Gray-Cohort", () => {
    expect(apply({ "cache-control": "public", vary: "Accept-Encoding" }, "vary").get("vary")).toBe(
      "Accept-Encoding, X-Gray-Cohort",
    );
  });

  it("does not add X-Gray-Cohort twice", () => {
    const headers = apply({ "cache-control": "public", vary: "Accept-Encoding" }, "vary");
    applyCachePolicy(headers, "vary");
    expect(headers.get("vary")).toBe("Accept-Encoding, X-Gray-Cohort");
  });

  it("does not add X-Gray-Cohort when it is already there in another case", () => {
    expect(
      apply({ "cache-control": "public", vary: "accept, x-gray-cohort" }, "vary").get("vary"),
    ).toBe("accept, x-gray-cohort");
  });

  it("leaves Vary: * alone", () => {
    expect(apply({ "cache-control": "public", vary: "*" }, "vary").get("vary")).toBe("*");
  });

  it("never adds Cookie to Vary", () => {
    const vary =
      apply({ "cache-control": "public", vary: "Accept-Encoding" }, "vary").get("vary") ?? "";
    expect(vary.toLowerCase()).not.toContain("cookie");
  });

  it("leaves Cache-Control unchanged", () => {
    expect(apply({ "cache-control": "public, s-maxage=600" }, "vary").get("cache-control")).toBe(
      "public, s-maxage=600",
    );
  });
});

describe("applyCachePolicy off", () => {
  it("leaves a shareable response unchanged", () => {
    const init = { "cache-control": "public, s-maxage=600", vary: "Accept-Encoding" };
    expect(entries(apply(init, "off"))).toEqual(entries(new Headers(init)));
  });
});

describe("applyCachePolicy on responses that are not shareable", () => {
  const cases: readonly Record<string, string>[] = [
    {},
    { "cache-control": "private, max-age=60" },
    { "cache-control": "no-store" },
    { "cache-control": "max-age=60" },
    { "cache-control": "no-cache", vary: "Accept-Encoding" },
  ];

  for (const policy of POLICIES) {
    it(`leaves them untouched under ${policy}`, () => {
      for (const init of cases) {
        expect(entries(apply(init, policy))).toEqual(entries(new Headers(init)));
      }
    });
  }
});
