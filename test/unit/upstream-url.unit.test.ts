import { describe, it, expect } from "vitest";
import { parseOriginUrl } from "../../src/core/origin-url";
import type { Origin } from "../../src/core/origin-url";
import { upstreamUrl } from "../../src/core/upstream-url";

/** The parsed origin; fails the test with the message if it was rejected. */
function origin(text: string): Origin {
  const parsed = parseOriginUrl(text);
  if (typeof parsed === "string") {
    throw new Error(`expected a valid origin for ${text}, got: ${parsed}`);
  }
  return parsed;
}

/** Path and query as the runtime parses them from a raw request target. */
function requestParts(rawTarget: string): { pathname: string; search: string } {
  const url = new URL(`https://router.example${rawTarget}`);
  return { pathname: url.pathname, search: url.search };
}

/** The upstream URL for a raw request target, as the router would build it. */
function forward(originText: string, rawTarget: string): string {
  const { pathname, search } = requestParts(rawTarget);
  return upstreamUrl(origin(originText), pathname, search);
}

describe("parseOriginUrl", () => {
  it("splits an origin with a base path into origin and base path", () => {
    expect(parseOriginUrl("https://v2.example.com/base")).toEqual({
      origin: "https://v2.example.com",
      basePath: "/base",
    });
  });

  it("drops a trailing slash on the base path", () => {
    expect(parseOriginUrl("https://v2.example.com/base/")).toEqual({
      origin: "https://v2.example.com",
      basePath: "/base",
    });
  });

  it("gives an empty base path for a bare origin", () => {
    expect(parseOriginUrl("https://v2.example.com")).toEqual({
      origin: "https://v2.example.com",
      basePath: "",
    });
  });

  it("keeps an explicit non-default port", () => {
    expect(parseOriginUrl("http://127.0.0.1:8701")).toEqual({
      origin: "http://127.0.0.1:8701",
      basePath: "",
    });
  });

  it("rejects a relative URL with a message", () => {
    expect(parseOriginUrl("/x")).toEqual(expect.stringMatching(/absolute/));
  });

  it("rejects a non-http scheme with a message naming the scheme", () => {
    expect(parseOriginUrl("ftp://files.example.com")).toEqual(expect.stringContaining("ftp:"));
  });

  it("rejects credentials", () => {
    expect(parseOriginUrl("https://user:pw@v2.example.com")).toEqual(
      expect.stringMatching(/credentials/),
    );
  });

  it("rejects a user name without a password", () => {
    expect(parseOriginUrl("https://user@v2.example.com")).toEqual(
      expect.stringMatching(/credentials/),
    );
  });

  it("rejects a query", () => {
    expect(parseOriginUrl("https://v2.example.com/base?x=1")).toEqual(
      expect.stringMatching(/query/),
    );
  });

  it('rejects a bare "?" that URL parsing would drop', () => {
    expect(parseOriginUrl("https://v2.example.com/base?")).toEqual(expect.stringMatching(/query/));
  });

  it("rejects a fragment", () => {
    expect(parseOriginUrl("https://v2.example.com/base#x")).toEqual(
      expect.stringMatching(/fragment/),
    );
  });

  it('rejects a bare "#" that URL parsing would drop', () => {
    expect(parseOriginUrl("https://v2.example.com/#")).toEqual(expect.stringMatching(/fragment/));
  });
});

describe("upstreamUrl", () => {
  it("appends path and query to the base path (the contract's example)", () => {
    expect(forward("https://v2.example.com/base", "/a/b?q=1")).toBe(
      "https://v2.example.com/base/a/b?q=1",
    );
  });

  it("ignores a trailing slash on the origin's base path", () => {
    expect(forward("https://v2.example.com/base/", "/a/b?q=1")).toBe(
      "https://v2.example.com/base/a/b?q=1",
    );
  });

  it("forwards to the bare origin when there is no base path", () => {
    expect(forward("https://v1.example.com", "/a/b?q=1")).toBe("https://v1.example.com/a/b?q=1");
  });

  it("forwards the root path", () => {
    expect(forward("https://v1.example.com", "/")).toBe("https://v1.example.com/");
  });

  it("forwards the root path under a base path as the base path plus a slash", () => {
    expect(forward("https://v2.example.com/base", "/")).toBe("https://v2.example.com/base/");
  });

  it("adds the leading slash when a path comes without one", () => {
    expect(upstreamUrl(origin("https://v1.example.com"), "@evil.example/x", "")).toBe(
      "https://v1.example.com/@evil.example/x",
    );
  });

  it("keeps a repeated query parameter exactly", () => {
    expect(forward("https://v1.example.com", "/p?a=1&a=2")).toBe(
      "https://v1.example.com/p?a=1&a=2",
    );
  });

  it("keeps a percent-encoded space in the query exactly", () => {
    expect(forward("https://v1.example.com", "/p?x=%20")).toBe("https://v1.example.com/p?x=%20");
  });

  it('forwards an empty query "?" as the runtime parsed it (as no query)', () => {
    const { pathname, search } = requestParts("/p?");
    expect(search).toBe("");
    expect(upstreamUrl(origin("https://v1.example.com"), pathname, search)).toBe(
      "https://v1.example.com/p",
    );
  });

  it('keeps a search string it is given exactly, even a bare "?"', () => {
    expect(upstreamUrl(origin("https://v1.example.com"), "/p", "?")).toBe(
      "https://v1.example.com/p?",
    );
  });

  it("keeps percent-encoded slashes %2F byte for byte", () => {
    expect(forward("https://v2.example.com/base", "/files/a%2Fb%2fc")).toBe(
      "https://v2.example.com/base/files/a%2Fb%2fc",
    );
  });
});

describe("upstreamUrl stays on the origin's host (SSRF)", () => {
  const ATTACKS = [
    "//evil.example/x",
    "/\\evil.example",
    "/\\\\evil.example/x",
    "/%2F%2Fevil.example",
    "/..%2F..%2Fevil",
    "/%2e%2e/%2e%2e/etc",
    "/@evil.example",
    "/a/../../b",
    "///evil.example",
    "/.//evil.example",
  ];

  for (const origins of ["https://v2.example.com/base", "https://v2.example.com"]) {
    for (const attack of ATTACKS) {
      it(`keeps ${JSON.stringify(attack)} on ${origins}`, () => {
        const target = new URL(forward(origins, attack));
        expect(target.host).toBe("v2.example.com");
        expect(target.protocol).toBe("https:");
        expect(target.username).toBe("");
      });
    }
  }

  it("keeps the base path in front of a path that starts with two slashes", () => {
    expect(forward("https://v2.example.com/base", "//evil.example/x")).toBe(
      "https://v2.example.com/base//evil.example/x",
    );
  });

  it("keeps encoded dot segments and slashes encoded instead of resolving them", () => {
    expect(forward("https://v2.example.com/base", "/..%2F..%2Fevil")).toBe(
      "https://v2.example.com/base/..%2F..%2Fevil",
    );
  });

  it("does not let runtime-resolved dot segments climb above the base path", () => {
    const target = new URL(forward("https://v2.example.com/base", "/%2e%2e/%2e%2e/etc"));
    expect(target.pathname.startsWith("/base/")).toBe(true);
  });

  it("does not let a resolved /a/../../b climb above the base path", () => {
    expect(forward("https://v2.example.com/base", "/a/../../b")).toBe(
      "https://v2.example.com/base/b",
    );
  });
});
