import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identifyVisitor } from "../../src/core/visitor";
import { parseEcho } from "../support/echo";
import { router } from "../support/harness";
import { points } from "../reliability/support";
import {
  anyText,
  asNodeSeesIt,
  bigHeaderSplit,
  everyKey,
  forbiddenHeaderValue,
  normalizeHeaderValue,
  RUNS,
} from "./support";

/**
 * Hostile Cookie headers, through the whole worker and through the pure
 * `identifyVisitor`. The visitor cookie is only ever a bucket choice: any
 * Cookie header gives a normal answer, the Cookie reaches the origin as sent,
 * the router's own Set-Cookie keeps its exact form (nothing from the request
 * leaks into it), and a well-formed copy routes exactly like the clean
 * cookie would.
 */

const NOW = Date.UTC(2026, 0, 15, 12);
const TODAY = Math.floor(NOW / 86_400_000);
const NEW_ID = "newvisitor0000000000ab";
const SET_COOKIE =
  /^gray_vid=1\.[A-Za-z0-9_-]{22}\.[0-9a-z]{1,6}; Max-Age=34560000; Path=\/; Secure; HttpOnly; SameSite=Lax$/;

/**
 * Independent reading of the README: the first `gray_vid` pair whose value is
 * `1.<22 base64url>.<day, base 36>`; refreshed when dated in the future or
 * 30+ days old; otherwise a new id.
 */
function expected(header: string): { id: string; setCookie: boolean } {
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== "gray_vid") {
      continue;
    }
    const match = /^1\.([A-Za-z0-9_-]{22})\.([0-9a-z]{1,6})$/.exec(pair.slice(eq + 1).trim());
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const day = parseInt(match[2], 36);
      return { id: match[1], setCookie: day > TODAY || TODAY - day >= 30 };
    }
  }
  return { id: NEW_ID, setCookie: true };
}

const id22 = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
const day = fc.oneof(
  fc.constantFrom(TODAY, TODAY - 29, TODAY - 30, TODAY + 1, 0),
  fc.nat({ max: 36 ** 6 - 1 }),
);
const ours = fc.tuple(id22, day).map(([id, d]) => `gray_vid=1.${id}.${d.toString(36)}`);
const garbageValue = fc.oneof(
  fc.string(),
  anyText,
  fc.string({ unit: "binary-ascii" }),
  fc.constantFrom(
    "",
    "1.",
    "1..",
    "2.AAAAAAAAAAAAAAAAAAAAAA.a",
    "1.AAAAAAAAAAAAAAAAAAAAAA.",
    "1.AAAAAAAAAAAAAAAAAAAAAA.zzzzzzz",
  ),
);
/** One `name=value` pair (or not even that), many of them hostile. */
const piece = fc.oneof(
  ours,
  garbageValue.map((v) => `gray_vid=${v}`),
  // Another name that only looks like ours.
  fc.tuple(fc.mixedCase(fc.constant("gray_vid")), id22).map(([name, id]) => `${name}=1.${id}.0`),
  fc
    .tuple(fc.constantFrom("xgray_vid", "gray_vid2", "gray-vid", "__Host-gray_vid"), id22)
    .map(([n, id]) => `${n}=1.${id}.0`),
  // Attribute, quoting and spacing tricks around a well-formed value.
  ours.map((c) => `${c}; Path=/evil; Domain=evil.example; Max-Age=0`),
  ours.map((c) => c.replace("=", " = ")),
  ours.map((c) => c.replace("gray_vid=", 'gray_vid="') + '"'),
  ours.map((c) => `${c}=trailing`),
  ours.map((c) => `${c}\u00a0`),
  fc.tuple(fc.string(), fc.string()).map(([k, v]) => `${k}=${v}`),
  garbageValue,
);
const cookieHeader = fc.oneof(
  fc
    .tuple(fc.array(piece, { maxLength: 8 }), fc.constantFrom("; ", ";", ", ", "\t; ", " "))
    .map(([pieces, sep]) => pieces.join(sep)),
  // Many copies.
  fc
    .tuple(piece, fc.integer({ min: 2, max: 800 }))
    .map(([p, n]) => Array.from({ length: n }, () => p).join("; ")),
  // Huge values: far past what browsers send (4 KiB per cookie).
  fc.integer({ min: 4_096, max: 100_000 }).map((n) => `gray_vid=${"A".repeat(n)}`),
  fc
    .tuple(fc.integer({ min: 4_096, max: 60_000 }), ours)
    .map(([n, c]) => `big=${"x".repeat(n)}; ${c}`),
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("any Cookie header, through the whole worker", () => {
  it("gets a normal answer, reaches the origin unchanged, routes like the clean cookie, one data point", async () => {
    const split = bigHeaderSplit();
    const r = router({ kv: () => everyKey(split.doc), now: () => NOW, newId: () => NEW_ID });
    await fc.assert(
      fc.asyncProperty(
        // Lone surrogates are left out: workerd writes each one as several U+FFFD
        // bytes where TextEncoder writes one, a runtime quirk unrelated to routing
        // (the pure cookie parser is fuzzed with them below).
        cookieHeader.filter((h) => h.length < 200_000 && !LONE_SURROGATE.test(h)),
        async (header) => {
          if (forbiddenHeaderValue(header)) {
            // The Fetch API refuses it: such a header cannot reach the worker (tested below).
            expect(() => new Headers([["cookie", header]])).toThrow(TypeError);
            return;
          }
          const before = r.dataset.points.length;
          const { response, body } = await r.send("http://cookie.test/page", {
            headers: { Cookie: header },
          });
          expect(response.status).toBe(200);
          const cohort = response.headers.get("X-Gray-Cohort") ?? "";
          expect(["stable", "canary"]).toContain(cohort);
          const echo = parseEcho(body);
          expect(echo.url.startsWith(`${split.bases[cohort] ?? "?"}/`)).toBe(true);
          const sent = normalizeHeaderValue(header);
          expect(echo.headers["cookie"] ?? "").toBe(asNodeSeesIt(sent));

          const ourCookies = response.headers
            .getSetCookie()
            .filter((c) => c.startsWith("gray_vid="));
          const want = expected(sent);
          expect(ourCookies).toHaveLength(want.setCookie ? 1 : 0);
          for (const cookie of ourCookies) {
            expect(cookie).toMatch(SET_COOKIE);
            expect(cookie.startsWith(`gray_vid=1.${want.id}.${TODAY.toString(36)};`)).toBe(true);
          }
          // The same visitor with nothing but a clean cookie lands in the same cohort.
          const clean = await r.send("http://cookie.test/page", {
            headers: { Cookie: `gray_vid=1.${want.id}.${TODAY.toString(36)}` },
          });
          expect(clean.response.headers.get("X-Gray-Cohort")).toBe(cohort);
          expect(r.dataset.points.length - before).toBe(2);
          expect(
            points(r.dataset)
              .slice(before)
              .every((p) => p.outcome === "ok"),
          ).toBe(true);
        },
      ),
      RUNS(120),
    );
  }, 30_000);
});

describe("bytes the Fetch API refuses in a header value", () => {
  /** A value with CR, LF or NUL somewhere inside (not only at the ends, which are trimmed). */
  const smuggled = fc
    .tuple(
      fc.oneof(ours, fc.string()),
      fc.constantFrom("\r", "\n", "\r\n", "\0", "\r\nSet-Cookie: x=1", "\nX-Gray-Cohort: canary"),
      fc.oneof(ours, fc.string({ minLength: 1 })),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}`)
    .filter((v) => forbiddenHeaderValue(v));

  it("cannot be put in a Cookie header: Headers and Request throw a TypeError, so the worker never sees them", () => {
    fc.assert(
      fc.property(smuggled, (value) => {
        expect(() => new Headers([["cookie", value]])).toThrow(TypeError);
        expect(() => new Request("http://cookie.test/", { headers: { cookie: value } })).toThrow(
          TypeError,
        );
      }),
      RUNS(300),
    );
  });

  it("are still harmless to the pure identifyVisitor: it never throws and picks the first well-formed copy", () => {
    fc.assert(
      fc.property(fc.oneof(smuggled, anyText, cookieHeader), (value) => {
        const visitor = identifyVisitor(value, NOW, () => NEW_ID);
        const want = expected(value);
        expect(visitor.id).toBe(want.id);
        expect(visitor.setCookie !== undefined).toBe(want.setCookie);
        if (visitor.setCookie !== undefined) {
          expect(visitor.setCookie).toMatch(SET_COOKIE);
        }
      }),
      RUNS(500),
    );
  });
});
