import { describe, it, expect } from "vitest";
import { applyCachePolicy, isShareable } from "../../src/core/cache-policy";
import type { CachePolicy } from "../../src/core/options";

const POLICIES: readonly CachePolicy[] = ["private", "vary", "off"];

function apply(init: Record<string, string>, policy: CachePolicy, status = 200): Headers {
  const headers = new Headers(init);
  applyCachePolicy(headers, policy, status);
  return headers;
}

/** Whether a response with these headers and status is shareable. */
function shareable(init: Record<string, string>, status = 200): boolean {
  return isShareable(new Headers(init), status);
}

/** Whether a response with only this Cache-Control value is shareable. */
function cc(value: string): boolean {
  return shareable({ "cache-control": value });
}

function entries(headers: Headers): [string, string][] {
  return [...headers.entries()];
}

describe("isShareable", () => {
  it("detects public", () => {
    expect(cc("public")).toBe(true);
  });

  it("detects s-maxage", () => {
    expect(cc("s-maxage=600")).toBe(true);
  });

  it("detects public with max-age", () => {
    expect(cc("public, max-age=60")).toBe(true);
  });

  it("detects s-maxage after other directives", () => {
    expect(cc("max-age=60, s-maxage=600")).toBe(true);
  });

  it("detects directives case-insensitively", () => {
    expect(cc("Public, Max-Age=60")).toBe(true);
  });

  it("does not treat private as shareable", () => {
    expect(cc("private")).toBe(false);
  });

  it("does not treat no-store as shareable", () => {
    expect(cc("no-store")).toBe(false);
  });

  it("treats max-age alone as shareable: a shared cache may store it (RFC 9111 §3)", () => {
    expect(cc("max-age=60")).toBe(true);
  });

  it("treats an Expires header as shareable", () => {
    expect(shareable({ expires: "Wed, 21 Oct 2037 07:28:00 GMT" })).toBe(true);
  });

  it("treats Last-Modified on a status cacheable by default as shareable (heuristic freshness)", () => {
    const lastModified = { "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" };
    for (const status of [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]) {
      expect(shareable(lastModified, status), String(status)).toBe(true);
    }
    for (const status of [201, 302, 303, 307, 400, 403, 500, 502, 503]) {
      expect(shareable(lastModified, status), String(status)).toBe(false);
    }
  });

  it("lets no-store and private win over any freshness", () => {
    const expires = "Wed, 21 Oct 2037 07:28:00 GMT";
    expect(shareable({ "cache-control": "no-store, max-age=60", expires })).toBe(false);
    expect(shareable({ "cache-control": "private, s-maxage=60", expires })).toBe(false);
  });

  it("does not count no-cache by itself: stored only with something to go by", () => {
    expect(cc("no-cache")).toBe(false);
    expect(
      shareable({ "cache-control": "no-cache", "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" }),
    ).toBe(true);
  });

  it("does not treat a response with nothing to go by as shareable", () => {
    expect(shareable({})).toBe(false);
  });

  it("does not match public inside another token", () => {
    expect(cc("x-public-ish")).toBe(false);
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
    applyCachePolicy(headers, "vary", 200);
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

describe("applyCachePolicy private on responses shareable without public or s-maxage", () => {
  it("adds private to max-age alone", () => {
    expect(apply({ "cache-control": "max-age=60" }, "private").get("cache-control")).toBe(
      "private, max-age=60",
    );
  });

  it("adds a Cache-Control: private to a response with only Expires, which stays", () => {
    const headers = apply({ expires: "Wed, 21 Oct 2037 07:28:00 GMT" }, "private");
    expect(headers.get("cache-control")).toBe("private");
    expect(headers.get("expires")).toBe("Wed, 21 Oct 2037 07:28:00 GMT");
  });

  it("adds private to a 200 with Last-Modified, not to a 302", () => {
    const lastModified = { "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" };
    expect(apply(lastModified, "private", 200).get("cache-control")).toBe("private");
    expect(apply(lastModified, "private", 302).get("cache-control")).toBeNull();
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
    { "cache-control": "no-store, max-age=60" },
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
