import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  epochDay,
  identifyVisitor,
  randomVisitorId,
  VISITOR_COOKIE,
  VISITOR_COOKIE_MAX_AGE,
  VISITOR_COOKIE_REFRESH_DAYS,
  visitorSetCookie,
} from "../../src/core/visitor";

/** Any string of Unicode code points, lone surrogates included. */
const anyText = fc.string({
  unit: fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
});

const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const THIRTY_DAYS_SECONDS = 30 * 86_400;

/** 2026-04-01T12:00:00Z. */
const NOW = Date.UTC(2026, 3, 1, 12);
const TODAY = epochDay(NOW);

/** A visitor id that came from an earlier response. */
const KNOWN_ID = "Zm9vYmFyYmF6cXV4cXV1eA";
const OTHER_ID = "b3RoZXJ2aXNpdG9yaWQxMg";
/** What the injected generator hands out for new visitors. */
const FRESH_ID = "fresh-id_0123456789abc";

const freshId = (): string => FRESH_ID;
const noNewId = (): string => {
  throw new Error("the generator must not be called for a returning visitor");
};

/** The Cookie header a browser sends back for a cookie issued on `day`. */
function cookieHeader(id: string, day: number): string {
  return `${VISITOR_COOKIE}=1.${id}.${day.toString(36)}`;
}

describe("visitor cookie constants", () => {
  it("names the cookie gray_vid", () => {
    expect(VISITOR_COOKIE).toBe("gray_vid");
  });

  it("keeps the cookie for at least 30 days", () => {
    expect(VISITOR_COOKIE_MAX_AGE).toBeGreaterThanOrEqual(THIRTY_DAYS_SECONDS);
  });

  it("refreshes the cookie well before it expires", () => {
    expect(VISITOR_COOKIE_REFRESH_DAYS * 86_400).toBeLessThan(VISITOR_COOKIE_MAX_AGE);
  });

  it("uses test ids of the production shape", () => {
    expect([KNOWN_ID, OTHER_ID, FRESH_ID].every((id) => ID_SHAPE.test(id))).toBe(true);
  });
});

describe("epochDay", () => {
  it("is 0 on the epoch", () => {
    expect(epochDay(0)).toBe(0);
  });

  it("changes exactly at UTC midnight", () => {
    expect(epochDay(86_400_000 - 1)).toBe(0);
    expect(epochDay(86_400_000)).toBe(1);
  });

  it("counts 20454 days to 2026-01-01", () => {
    expect(epochDay(Date.UTC(2026, 0, 1))).toBe(20_454);
  });
});

describe("visitorSetCookie", () => {
  const header = visitorSetCookie(KNOWN_ID, TODAY);

  it("writes version 1, the id and the day in base 36", () => {
    expect(header.startsWith(`gray_vid=1.${KNOWN_ID}.${TODAY.toString(36)}; `)).toBe(true);
  });

  it("is HttpOnly", () => {
    expect(header.split("; ")).toContain("HttpOnly");
  });

  it("is Secure", () => {
    expect(header.split("; ")).toContain("Secure");
  });

  it("is SameSite=Lax", () => {
    expect(header.split("; ")).toContain("SameSite=Lax");
  });

  it("is for Path=/", () => {
    expect(header.split("; ")).toContain("Path=/");
  });

  it("lives at least 30 days", () => {
    const maxAge = /(?:^|; )Max-Age=(\d+)(?:;|$)/.exec(header)?.[1];
    expect(Number(maxAge)).toBeGreaterThanOrEqual(THIRTY_DAYS_SECONDS);
  });

  it("is read back by identifyVisitor as a returning visitor", () => {
    const pair = header.split("; ")[0] ?? "";
    expect(identifyVisitor(pair, NOW, noNewId)).toEqual({
      id: KNOWN_ID,
      status: "returning",
      setCookie: undefined,
    });
  });
});

describe("identifyVisitor", () => {
  it("gives a visitor without a Cookie header a new id", () => {
    expect(identifyVisitor(null, NOW, freshId).id).toBe(FRESH_ID);
  });

  it("sends a new visitor a Set-Cookie for the new id, dated today", () => {
    expect(identifyVisitor(null, NOW, freshId)).toEqual({
      id: FRESH_ID,
      status: "new",
      setCookie: visitorSetCookie(FRESH_ID, TODAY),
    });
  });

  it("gives a visitor with other cookies only a new id", () => {
    expect(identifyVisitor("session=abc; theme=dark", NOW, freshId).status).toBe("new");
  });

  it("keeps a returning visitor's id and sends no Set-Cookie", () => {
    expect(identifyVisitor(cookieHeader(KNOWN_ID, TODAY), NOW, noNewId)).toEqual({
      id: KNOWN_ID,
      status: "returning",
      setCookie: undefined,
    });
  });

  it("finds the cookie among others, with spaces", () => {
    const header = `a=1;   ${cookieHeader(KNOWN_ID, TODAY)}  ; b=2`;
    expect(identifyVisitor(header, NOW, noNewId).id).toBe(KNOWN_ID);
  });

  it("sends no Set-Cookie to a visitor whose cookie is 29 days old", () => {
    expect(
      identifyVisitor(cookieHeader(KNOWN_ID, TODAY - 29), NOW, noNewId).setCookie,
    ).toBeUndefined();
  });

  it("refreshes a cookie that is 30 days old, keeping the id", () => {
    expect(identifyVisitor(cookieHeader(KNOWN_ID, TODAY - 30), NOW, noNewId)).toEqual({
      id: KNOWN_ID,
      status: "refreshed",
      setCookie: visitorSetCookie(KNOWN_ID, TODAY),
    });
  });

  it("refreshes a cookie that is a year old, keeping the id", () => {
    const visitor = identifyVisitor(cookieHeader(KNOWN_ID, TODAY - 365), NOW, noNewId);
    expect(visitor.id).toBe(KNOWN_ID);
    expect(visitor.setCookie).toBe(visitorSetCookie(KNOWN_ID, TODAY));
  });

  it("refreshes a cookie dated in the future, keeping the id", () => {
    expect(identifyVisitor(cookieHeader(KNOWN_ID, TODAY + 1), NOW, noNewId)).toEqual({
      id: KNOWN_ID,
      status: "refreshed",
      setCookie: visitorSetCookie(KNOWN_ID, TODAY),
    });
  });

  it("uses the first copy when several valid copies are sent", () => {
    const header = `${cookieHeader(KNOWN_ID, TODAY)}; ${cookieHeader(OTHER_ID, TODAY)}`;
    expect(identifyVisitor(header, NOW, noNewId).id).toBe(KNOWN_ID);
  });

  it("skips a malformed first copy and uses the first valid one", () => {
    const header = `gray_vid=garbage; ${cookieHeader(OTHER_ID, TODAY)}; ${cookieHeader(KNOWN_ID, TODAY)}`;
    expect(identifyVisitor(header, NOW, noNewId).id).toBe(OTHER_ID);
  });

  it("ignores a cookie whose name merely contains gray_vid", () => {
    const header = `x${cookieHeader(KNOWN_ID, TODAY)}; gray_vid2=1.${OTHER_ID}.${TODAY.toString(36)}`;
    expect(identifyVisitor(header, NOW, freshId).id).toBe(FRESH_ID);
  });

  const REPLACED: readonly (readonly [string, string])[] = [
    ["an empty value", "gray_vid="],
    ["a value that is not the router's format", "gray_vid=garbage"],
    ["a value without the day", `gray_vid=1.${KNOWN_ID}`],
    ["an id one character short", `gray_vid=1.${KNOWN_ID.slice(1)}.${TODAY.toString(36)}`],
    [
      "an id with a character outside base64url",
      `gray_vid=1.${KNOWN_ID.slice(1)}+.${TODAY.toString(36)}`,
    ],
    ["a day in upper case", `gray_vid=1.${KNOWN_ID}.${TODAY.toString(36).toUpperCase()}`],
    ["a day longer than six characters", `gray_vid=1.${KNOWN_ID}.0000000`],
    ["an unknown version", `gray_vid=2.${KNOWN_ID}.${TODAY.toString(36)}`],
    ["a 10 kB value", `gray_vid=1.${"A".repeat(10_000)}.${TODAY.toString(36)}`],
    ["a 10 kB run of ids", `gray_vid=1.${KNOWN_ID.repeat(460)}.${TODAY.toString(36)}`],
    [
      "a value with CR LF and a header after it",
      `gray_vid=1.${KNOWN_ID}.${TODAY.toString(36)}\r\nSet-Cookie: evil=1`,
    ],
    [
      "a value with a comma and an attribute after it",
      `gray_vid=1.${KNOWN_ID}.${TODAY.toString(36)}, Path=/evil`,
    ],
    ["a value with trailing junk after the day", `gray_vid=1.${KNOWN_ID}.${TODAY.toString(36)}.x`],
    [
      "a percent-encoded attribute",
      `gray_vid=1.${KNOWN_ID}.${TODAY.toString(36)}%3B%20Path%3D%2Fevil`,
    ],
  ];

  for (const [what, header] of REPLACED) {
    it(`replaces ${what} with a new id and a new cookie`, () => {
      expect(identifyVisitor(header, NOW, freshId)).toEqual({
        id: FRESH_ID,
        status: "new",
        setCookie: visitorSetCookie(FRESH_ID, TODAY),
      });
    });
  }

  it('never turns a "; Path=/evil" after the cookie into an attribute of the Set-Cookie it sends', () => {
    // `Path=/evil` is a separate cookie named Path in a Cookie header; the value `1.<id>.x`
    // is well formed (day "x" = day 33, long ago), so the id is kept and the cookie re-issued.
    const visitor = identifyVisitor(`gray_vid=1.${KNOWN_ID}.x; Path=/evil`, NOW, freshId);
    expect(visitor.setCookie).toBe(visitorSetCookie(visitor.id, TODAY));
    expect(visitor.setCookie).not.toContain("evil");
  });

  it("never throws and always yields a 22-character base64url id for any Cookie header", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          anyText.map((v) => `gray_vid=${v}`),
          anyText.map((v) => `gray_vid=1.${v}`),
        ),
        (header) => {
          const visitor = identifyVisitor(header, NOW, randomVisitorId);
          expect(visitor.id).toMatch(ID_SHAPE);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("only ever sends a Set-Cookie of the router's own form, whatever the Cookie header", () => {
    const form =
      /^gray_vid=1\.[A-Za-z0-9_-]{22}\.[0-9a-z]{1,6}; Max-Age=\d+; Path=\/; Secure; HttpOnly; SameSite=Lax$/;
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 100_000 }), (junk, day) => {
        const header = `gray_vid=1.${KNOWN_ID}.${day.toString(36)}${junk}`;
        const visitor = identifyVisitor(header, NOW, freshId);
        if (visitor.setCookie !== undefined) {
          expect(visitor.setCookie).toMatch(form);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("throws when the id generator returns something that is not 22 base64url characters", () => {
    expect(() => identifyVisitor(null, NOW, () => "too-short")).toThrow(/22 base64url/);
  });

  it("throws when the id generator returns characters outside base64url", () => {
    expect(() => identifyVisitor(null, NOW, () => "abcdefghij+/abcdefghij")).toThrow();
  });

  it("does not use the id generator for a returning visitor", () => {
    expect(identifyVisitor(cookieHeader(KNOWN_ID, TODAY), NOW, () => "bad").id).toBe(KNOWN_ID);
  });
});

describe("randomVisitorId", () => {
  it("returns 22 characters of [A-Za-z0-9_-]", () => {
    expect(randomVisitorId()).toMatch(ID_SHAPE);
  });

  it("always returns the id shape, over many calls", () => {
    const ids = Array.from({ length: 1_000 }, () => randomVisitorId());
    expect(ids.filter((id) => !ID_SHAPE.test(id))).toEqual([]);
  });

  it("differs between calls", () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => randomVisitorId()));
    expect(ids.size).toBe(1_000);
  });
});
