import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/core/token";
import { parseEcho } from "../support/echo";
import { origins, router } from "../support/harness";
import { MemoryKv, onlyStable, points } from "../reliability/support";
import { echoSplit, RUNS } from "./support";

/**
 * The router's one secret, GRAY_SECRET (HMAC key of QA override and debug
 * tokens), and the tokens signed with it: neither ever reaches an origin, a
 * client-visible body or header, or a log line; forged tokens are ignored,
 * never an error.
 */

const SECRET = "test-secret-7f3a9c2e5b1d4f60a8c7e9b2d4f6a1c3";

function secretRouter() {
  const split = echoSplit(0);
  const kv = new MemoryKv({
    "secret.test": split.doc,
    "down.test": onlyStable(origins().down),
    "broken.test": '{"origins":{},"weights":{}}',
  });
  const r = router({ kv: () => kv, vars: { GRAY_SECRET: SECRET, ORIGIN_TIMEOUT_SECONDS: "5" } });
  return { r, split };
}

/** Every byte a client or origin could see, and every log line: none may hold the secret. */
function expectNoSecret(texts: readonly string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SECRET);
  }
}

function visible(response: Response, body: string): string[] {
  return [body, ...[...response.headers].map(([name, value]) => `${name}: ${value}`)];
}

describe("GRAY_SECRET and the tokens signed with it", () => {
  it("never reach the origin: X-Gray-Token, the gray_token parameter and the override cookie are removed", async () => {
    const { r } = secretRouter();
    const token = await mintToken(
      SECRET,
      "override",
      "canary",
      Math.floor(Date.now() / 1000) + 600,
    );
    for (const [url, headers] of [
      ["http://secret.test/p?a=1&gray_token=" + token + "&b=2", {}],
      ["http://secret.test/p?a=1&b=2", { "X-Gray-Token": token }],
      ["http://secret.test/p?a=1&b=2", { Cookie: `x=1; gray_override=${token}; y=2` }],
    ] as const) {
      const { response, body } = await r.send(url, { headers });
      expect(response.status).toBe(200);
      // The valid token forced the canary: it was read, and still not passed on.
      expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
      const echo = parseEcho(body);
      expect(echo.url).toBe("/cbase/p?a=1&b=2");
      expect(body).not.toContain(token);
      expect(echo.headers["x-gray-token"]).toBeUndefined();
      expectNoSecret(visible(response, body));
    }
    expectNoSecret(r.logs);
  });

  it("are never echoed in the router's own answers or logs, whatever the client sends as a token", async () => {
    const { r } = secretRouter();
    const guess = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        SECRET,
        `o.canary.9999999999.${SECRET}`,
        "d.-.1.AAAA",
        "o.canary.1.".padEnd(300, "A"),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        guess,
        fc.constantFrom("secret.test", "down.test", "broken.test"),
        fc.constantFrom("/p", "/__gray"),
        async (token, host, path) => {
          const before = r.dataset.points.length;
          const headers = new Headers();
          try {
            headers.set("X-Gray-Token", token);
          } catch {
            return; // A value the Fetch API refuses cannot be sent.
          }
          const { response, body } = await r.send(`http://${host}${path}`, { headers });
          expect(response.status).not.toBe(500);
          // A forged token is ignored: stable (weight 100) serves, or the host's own failure shows.
          expect([200, 401, 502, 503, 504]).toContain(response.status);
          expectNoSecret(visible(response, body));
          if (response.status === 200 && path === "/p") {
            expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
            expect(parseEcho(body).headers["x-gray-token"]).toBeUndefined();
          }
          if (path === "/p") {
            expect(r.dataset.points.length - before).toBe(1);
          }
        },
      ),
      RUNS(60),
    );
    expectNoSecret(r.logs);
    expect(points(r.dataset).every((p) => p.outcome !== "ok" || p.cohort === "stable")).toBe(true);
  }, 30_000);
});
