import { describe, it, expect } from "vitest";
import {
  OVERRIDE_COOKIE,
  TOKEN_HEADER,
  TOKEN_QUERY,
  readOverride,
  searchWithoutToken,
} from "../../src/edge/override";
import { mintToken } from "../../src/core/token";

const SECRET = "qa-secret";
const NOW_MS = 1_800_000_000_500;
const NOW_S = Math.floor(NOW_MS / 1000);
const TTL = 3600;
const BASE = "https://shop.example.com/cart";

function override(cohort: string, ttl = TTL): Promise<string> {
  return mintToken(SECRET, "override", cohort, NOW_S + ttl);
}

function request(
  url: string,
  headers: Record<string, string> = {},
): { request: Request; url: URL } {
  return { request: new Request(url, { headers }), url: new URL(url) };
}

describe("override constants", () => {
  it("names the header, query parameter and cookie", () => {
    expect(TOKEN_HEADER).toBe("x-gray-token");
    expect(TOKEN_QUERY).toBe("gray_token");
    expect(OVERRIDE_COOKIE).toBe("gray_override");
  });
});

describe("readOverride", () => {
  it("forces nothing without a secret, even with a valid token", async () => {
    const r = request(BASE, { [TOKEN_HEADER]: await override("canary") });
    expect(await readOverride(r.request, r.url, undefined, NOW_MS)).toEqual({
      forced: undefined,
      problem: undefined,
      setCookie: undefined,
      enabled: false,
    });
  });

  it("forces nothing with an empty secret, even with a token signed with it", async () => {
    const token = await mintToken("x", "override", "canary", NOW_S + TTL);
    const r = request(BASE, { [TOKEN_HEADER]: token });
    expect((await readOverride(r.request, r.url, "", NOW_MS)).forced).toBeUndefined();
  });

  it("forces nothing when no token is presented", async () => {
    const r = request(BASE);
    expect(await readOverride(r.request, r.url, SECRET, NOW_MS)).toEqual({
      forced: undefined,
      problem: undefined,
      setCookie: undefined,
      enabled: true,
    });
  });

  it("forces the cohort of a valid header token, without a cookie", async () => {
    const r = request(BASE, { "X-Gray-Token": await override("canary") });
    expect(await readOverride(r.request, r.url, SECRET, NOW_MS)).toEqual({
      forced: "canary",
      problem: undefined,
      setCookie: undefined,
      enabled: true,
    });
  });

  it("forces the cohort of a valid query token", async () => {
    const r = request(`${BASE}?${TOKEN_QUERY}=${await override("canary")}`);
    expect((await readOverride(r.request, r.url, SECRET, NOW_MS)).forced).toBe("canary");
  });

  it("sets the override cookie for a query token, for the token's remaining lifetime", async () => {
    const token = await override("canary");
    const r = request(`${BASE}?${TOKEN_QUERY}=${token}`);
    const setCookie = (await readOverride(r.request, r.url, SECRET, NOW_MS)).setCookie ?? "";
    const [pair, ...attributes] = setCookie.split(";").map((s) => s.trim());
    expect(pair).toBe(`gray_override=${token}`);
    expect(attributes).toContain(`Max-Age=${TTL}`);
    expect(attributes).toContain("HttpOnly");
    expect(attributes).toContain("Secure");
    expect(attributes).toContain("SameSite=Lax");
    expect(attributes).toContain("Path=/");
  });

  it("forces the cohort of a valid cookie token without sending a new cookie", async () => {
    const r = request(BASE, {
      cookie: `gray_vid=abc; ${OVERRIDE_COOKIE}=${await override("canary")}`,
    });
    expect(await readOverride(r.request, r.url, SECRET, NOW_MS)).toEqual({
      forced: "canary",
      problem: undefined,
      setCookie: undefined,
      enabled: true,
    });
  });

  it("clears an invalid cookie token and reports the problem", async () => {
    const expired = await mintToken(SECRET, "override", "canary", NOW_S - 10);
    const r = request(BASE, { cookie: `${OVERRIDE_COOKIE}=${expired}` });
    const result = await readOverride(r.request, r.url, SECRET, NOW_MS);
    expect(result.forced).toBeUndefined();
    expect(result.problem).toBe("expired");
    const [pair, ...attributes] = (result.setCookie ?? "").split(";").map((s) => s.trim());
    expect(pair).toBe("gray_override=");
    expect(attributes).toContain("Max-Age=0");
    expect(attributes).toContain("Path=/");
  });

  it("reports an invalid header token without touching the cookie", async () => {
    const r = request(BASE, { [TOKEN_HEADER]: "o.canary.1.nope" });
    expect(await readOverride(r.request, r.url, SECRET, NOW_MS)).toEqual({
      forced: undefined,
      problem: "malformed",
      setCookie: undefined,
      enabled: true,
    });
  });

  it("reports a debug token presented as an override as wrong_kind", async () => {
    const debug = await mintToken(SECRET, "debug", "-", NOW_S + TTL);
    const r = request(BASE, { [TOKEN_HEADER]: debug });
    expect((await readOverride(r.request, r.url, SECRET, NOW_MS)).problem).toBe("wrong_kind");
  });

  it("prefers the header token over the query token", async () => {
    const r = request(`${BASE}?${TOKEN_QUERY}=${await override("beta")}`, {
      [TOKEN_HEADER]: await override("canary"),
    });
    expect(await readOverride(r.request, r.url, SECRET, NOW_MS)).toEqual({
      forced: "canary",
      problem: undefined,
      setCookie: undefined,
      enabled: true,
    });
  });

  it("prefers the query token over the cookie token", async () => {
    const query = await override("beta");
    const r = request(`${BASE}?${TOKEN_QUERY}=${query}`, {
      cookie: `${OVERRIDE_COOKIE}=${await override("canary")}`,
    });
    const result = await readOverride(r.request, r.url, SECRET, NOW_MS);
    expect(result.forced).toBe("beta");
    expect(result.setCookie?.startsWith(`gray_override=${query};`)).toBe(true);
  });

  it("prefers the header token over the cookie token", async () => {
    const r = request(BASE, {
      [TOKEN_HEADER]: await override("canary"),
      cookie: `${OVERRIDE_COOKIE}=${await override("beta")}`,
    });
    expect((await readOverride(r.request, r.url, SECRET, NOW_MS)).forced).toBe("canary");
  });
});

describe("searchWithoutToken", () => {
  function strip(url: string): string {
    return searchWithoutToken(new URL(url));
  }

  it("removes gray_token and keeps the other parameters in order", () => {
    expect(strip(`${BASE}?a=1&gray_token=t&b=2`)).toBe("?a=1&b=2");
  });

  it("returns an empty string when gray_token was the only parameter", () => {
    expect(strip(`${BASE}?gray_token=t`)).toBe("");
  });

  it("removes a percent-encoded gray%5Ftoken", () => {
    expect(strip(`${BASE}?gray%5Ftoken=t&a=1`)).toBe("?a=1");
  });

  it("removes every gray_token parameter", () => {
    expect(strip(`${BASE}?gray_token=t&a=1&gray_token=u`)).toBe("?a=1");
  });

  it("removes a gray_token without a value", () => {
    expect(strip(`${BASE}?flag&gray_token`)).toBe("?flag");
  });

  it("keeps other parameters byte for byte", () => {
    expect(strip(`${BASE}?q=a%20b+c&x=%2F%2f&gray_token=t&y=%E2%9C%93&z=%zz&e=`)).toBe(
      "?q=a%20b+c&x=%2F%2f&y=%E2%9C%93&z=%zz&e=",
    );
  });

  it("keeps a parameter whose value is gray_token", () => {
    expect(strip(`${BASE}?a=gray_token&gray_token=t`)).toBe("?a=gray_token");
  });

  it("keeps parameters whose names only resemble gray_token", () => {
    expect(strip(`${BASE}?gray_tokens=1&xgray_token=2&gray_token=t`)).toBe(
      "?gray_tokens=1&xgray_token=2",
    );
  });

  it("returns the search unchanged when there is no token", () => {
    expect(strip(`${BASE}?b=2&a=1&a=%41`)).toBe("?b=2&a=1&a=%41");
  });

  it("returns an empty string for a URL without a query", () => {
    expect(strip(BASE)).toBe("");
  });
});
