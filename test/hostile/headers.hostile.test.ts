import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { router } from "../support/harness";
import { faultyOrigin, points } from "../reliability/support";
import {
  asNodeSeesIt,
  bigHeaderSplit,
  everyKey,
  forbiddenHeaderValue,
  normalizeHeaderValue,
  RUNS,
} from "./support";

/**
 * Hostile request headers through the whole worker: spoofed router headers
 * in any case, spoofed forwarding headers, CR/LF injection, oversized values
 * and hop-by-hop tricks. The origin is the faulty origin's echo (it accepts
 * 256 KiB of headers), cohorts told apart by base path.
 */

const KB = 1024;

/** A header value the Fetch API accepts, up to `max` characters, sometimes huge. */
const value = (max: number) =>
  fc
    .oneof(
      fc.string({ maxLength: max }),
      fc.string({ unit: "binary-ascii", maxLength: max }),
      fc.constantFrom("canary", "stable", "evil.example", "https", "gopher", "127.0.0.1:22"),
      fc.integer({ min: 1, max: 64 * KB }).map((n) => "v".repeat(n)),
    )
    .filter((v) => !forbiddenHeaderValue(v));

/** `X-Gray-<anything>` in any letter case. */
const routerHeaderName = fc
  .oneof(
    fc.constantFrom("cohort", "override", "debug", "token", "bucket", ""),
    fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  )
  .chain((suffix) => fc.mixedCase(fc.constant(`x-gray-${suffix}`)));

const forwardingName = fc
  .constantFrom("x-forwarded-host", "x-forwarded-proto")
  .chain((n) => fc.mixedCase(fc.constant(n)));

function cohortOf(url: string, bases: Record<string, string>): string | undefined {
  return Object.keys(bases).find((cohort) => url.startsWith(`${bases[cohort] ?? "?"}/`));
}

describe("spoofed router and forwarding headers", () => {
  it("never reach the origin: X-Gray-* is dropped in any case, X-Forwarded-Host/-Proto carry the truth", async () => {
    const split = bigHeaderSplit();
    const r = router({ kv: () => everyKey(split.doc) });
    const spoofed = fc.array(fc.tuple(fc.oneof(routerHeaderName, forwardingName), value(40)), {
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(
        spoofed,
        fc.constantFrom("http", "https"),
        fc.boolean(),
        async (pairs, scheme, withHost) => {
          const headers = new Headers();
          for (const [name, v] of pairs) {
            headers.append(name, v);
          }
          const hostHeader = "spoof.test:8443";
          if (withHost) {
            headers.set("Host", hostHeader);
          }
          const before = r.dataset.points.length;
          const { response, body } = await r.send(`${scheme}://spoof.test/h`, { headers });
          expect(response.status).toBe(200);
          const echo = parseEcho(body);
          const cohort = cohortOf(echo.url, split.bases);
          expect(cohort).toBeDefined();
          expect(response.headers.get("X-Gray-Cohort")).toBe(cohort);
          const routerHeaders = Object.keys(echo.headers).filter((n) => n.startsWith("x-gray-"));
          expect(routerHeaders).toEqual(["x-gray-cohort"]);
          expect(echo.headers["x-gray-cohort"]).toBe(cohort);
          expect(echo.headers["x-forwarded-host"]).toBe(withHost ? hostHeader : "spoof.test");
          expect(echo.headers["x-forwarded-proto"]).toBe(scheme);
          expect(r.dataset.points.length - before).toBe(1);
        },
      ),
      RUNS(80),
    );
  }, 30_000);

  it("cannot be smuggled past the filter by naming them in Connection", async () => {
    const split = bigHeaderSplit();
    const { body } = await router({ kv: () => everyKey(split.doc) }).send("http://conn.test/c", {
      headers: {
        Connection: "X-Gray-Cohort, x-forwarded-host, X-Forwarded-Proto, host, keep-alive",
        "X-Gray-Cohort": "canary",
        "X-Forwarded-Host": "evil.example",
      },
    });
    const echo = parseEcho(body);
    const cohort = cohortOf(echo.url, split.bases);
    expect(echo.headers["x-gray-cohort"]).toBe(cohort);
    expect(echo.headers["x-forwarded-host"]).toBe("conn.test");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(echo.headers["host"]).toBe(new URL(faultyOrigin()).host);
  });

  it.each([
    ["Forwarded", "for=203.0.113.7;host=evil.example;proto=https"],
    ["X-Forwarded-Port", "443"],
    ["X-Forwarded-Prefix", "/admin"],
    ["X-Forwarded-Server", "evil.example"],
    ["X-Forwarded-Scheme", "https"],
    ["X-Forwarded-Ssl", "on"],
  ])(
    "a client's %s never reaches the origin (it would contradict X-Forwarded-Host/-Proto)",
    async (name, spoof) => {
      const split = bigHeaderSplit();
      const { response, body } = await router({ kv: () => everyKey(split.doc) }).send(
        "http://fwd.test/f",
        {
          headers: { [name]: spoof },
        },
      );
      expect(response.status).toBe(200);
      expect(parseEcho(body).headers[name.toLowerCase()]).toBeUndefined();
    },
  );

  it("passes X-Forwarded-For through as received (documented in SECURITY.md: Cloudflare's edge appends the client address)", async () => {
    const split = bigHeaderSplit();
    const { body } = await router({ kv: () => everyKey(split.doc) }).send("http://xff.test/f", {
      headers: { "X-Forwarded-For": "203.0.113.7, 198.51.100.1" },
    });
    expect(parseEcho(body).headers["x-forwarded-for"]).toBe("203.0.113.7, 198.51.100.1");
  });
});

describe("hop-by-hop headers", () => {
  it("never reach the origin, whatever their case, nor the headers Connection names", async () => {
    const split = bigHeaderSplit();
    const r = router({ kv: () => everyKey(split.doc) });
    const hop = fc
      .constantFrom(
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "proxy-authorization",
        "proxy-authenticate",
      )
      .chain((n) => fc.mixedCase(fc.constant(n)));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(hop, { minLength: 1, maxLength: 4, selector: (n) => n.toLowerCase() }),
        async (names) => {
          const headers = new Headers({
            Connection: "X-Secret-Hop",
            "X-Secret-Hop": "internal",
            "X-Kept": "kept",
          });
          for (const name of names) {
            headers.set(
              name,
              name.toLowerCase() === "upgrade" ? "h2c" : "Basic c2VjcmV0OnNlY3JldA==",
            );
          }
          const { response, body } = await r.send("http://hop.test/h", { headers });
          expect(response.status).toBe(200);
          const echo = parseEcho(body);
          for (const name of names) {
            expect(echo.headers[name.toLowerCase()]).toBeUndefined();
          }
          expect(echo.headers["x-secret-hop"]).toBeUndefined();
          expect(echo.headers["x-kept"]).toBe("kept");
        },
      ),
      RUNS(25),
    );
  }, 30_000);
});

describe("CR/LF and other bytes the Fetch API refuses", () => {
  const injected = fc
    .tuple(
      value(20),
      fc.constantFrom(
        "\r\n",
        "\n",
        "\r",
        "\0",
        "\r\nX-Gray-Cohort: canary",
        "\r\n\r\nGET /admin HTTP/1.1\r\n",
      ),
      value(20).filter((v) => v.trim() !== ""),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}`)
    .filter((v) => forbiddenHeaderValue(v));

  it("cannot be put in any header value: Headers and Request throw, so nothing is injected upstream", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("x-custom", "cookie", "x-gray-cohort", "x-forwarded-host", "user-agent"),
        injected,
        (name, v) => {
          expect(() => new Headers([[name, v]])).toThrow(TypeError);
          expect(() => new Headers().append(name, v)).toThrow(TypeError);
          expect(() => new Request("http://crlf.test/", { headers: { [name]: v } })).toThrow(
            TypeError,
          );
        },
      ),
      RUNS(300),
    );
  });

  it("cannot be put in a header name either", () => {
    const badName = fc
      .tuple(
        fc.stringMatching(/^[a-z-]{0,8}$/),
        fc.constantFrom(" ", ":", "\r\n", "\n", "(", "@", "\0", '"', "{", ","),
        fc.stringMatching(/^[a-z-]{0,8}$/),
      )
      .map(([a, bad, b]) => `${a}${bad}${b}`);
    fc.assert(
      fc.property(badName, (name) => {
        expect(() => new Headers([[name, "v"]])).toThrow(TypeError);
      }),
      RUNS(200),
    );
  });

  it("at the ends of a value are trimmed, not sent: a trailing CRLF cannot start a new header", async () => {
    const split = bigHeaderSplit();
    const headers = new Headers([["X-Custom", "\r\n\tvalue\r\n"]]);
    expect(headers.get("X-Custom")).toBe("value");
    const { body } = await router({ kv: () => everyKey(split.doc) }).send("http://trim.test/t", {
      headers,
    });
    expect(parseEcho(body).headers["x-custom"]).toBe("value");
  });
});

describe("oversized header values", () => {
  it.each([16 * KB, 64 * KB])(
    "of %i bytes reach the origin unchanged when ordinary, and are still dropped or replaced when spoofed",
    async (size) => {
      const split = bigHeaderSplit();
      const r = router({ kv: () => everyKey(split.doc) });
      const big = "b".repeat(size);
      const { response, body } = await r.send("http://big.test/b", {
        headers: { "X-Big": big, "X-Gray-Cohort": big, "X-Forwarded-Host": big },
      });
      expect(response.status).toBe(200);
      const echo = parseEcho(body);
      expect(echo.headers["x-big"]).toBe(big);
      expect(echo.headers["x-gray-cohort"]).toBe(cohortOf(echo.url, split.bases));
      expect(echo.headers["x-forwarded-host"]).toBe("big.test");
      expect(points(r.dataset)).toMatchObject([{ outcome: "ok", status: 200 }]);
    },
  );

  it("any accepted value of up to 64 KiB in an ordinary header arrives as the runtime encoded it", async () => {
    const split = bigHeaderSplit();
    const r = router({ kv: () => everyKey(split.doc) });
    await fc.assert(
      fc.asyncProperty(value(200), async (v) => {
        const { response, body } = await r.send("http://any.test/a", { headers: { "X-Any": v } });
        expect(response.status).toBe(200);
        const normalized = normalizeHeaderValue(v);
        expect(parseEcho(body).headers["x-any"] ?? "").toBe(asNodeSeesIt(normalized));
      }),
      RUNS(60),
    );
  }, 30_000);
});
