import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/core/token";
import { parseEcho } from "../support/echo";
import { origins, putRollout, router } from "../support/harness";

const SECRET = "test-secret-for-overrides";

function doc(fields: Record<string, unknown>): string {
  const o = origins();
  return JSON.stringify({
    origins: { stable: o.stable, canary: o.canary },
    weights: { stable: 100, canary: 0 },
    ...fields,
  });
}

const inHours = (h: number): number => Math.floor(Date.now() / 1000) + h * 3600;

describe("targeting rules", () => {
  it("pins requests with a header to the canary, first matching rule wins", async () => {
    await putRollout(
      "rules.test",
      doc({
        rules: [
          {
            name: "internal",
            match: { header: { name: "X-Employee", equals: "yes" } },
            cohort: "canary",
          },
          { name: "catch-all-api", match: { path: { prefix: "/api/" } }, exclude: true },
        ],
      }),
    );
    const r = router();
    const pinned = await r.send("http://rules.test/api/x", { headers: { "x-employee": "yes" } });
    expect(pinned.response.headers.get("X-Gray-Cohort")).toBe("canary");
    const excluded = await r.send("http://rules.test/api/x");
    expect(excluded.response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(r.dataset.points.map((p) => [p.blobs?.[7], p.blobs?.[8]])).toEqual([
      ["rule", "internal"],
      ["rule", "catch-all-api"],
    ]);
  });

  it("applies a rule's own weights to one country (request.cf.country)", async () => {
    await putRollout(
      "country.test",
      doc({
        rules: [
          { name: "nl-half", match: { country: ["NL"] }, weights: { stable: 50, canary: 50 } },
        ],
      }),
    );
    const r = router();
    const seen = { nl: new Set<string>(), de: new Set<string>() };
    for (let i = 0; i < 60; i++) {
      const nl = await r.send("http://country.test/", { cf: { country: "NL" } });
      seen.nl.add(nl.response.headers.get("X-Gray-Cohort") ?? "");
      const de = await r.send("http://country.test/", { cf: { country: "DE" } });
      seen.de.add(de.response.headers.get("X-Gray-Cohort") ?? "");
    }
    expect(seen.nl).toEqual(new Set(["stable", "canary"]));
    expect(seen.de).toEqual(new Set(["stable"]));
  });

  it("keeps known bots on stable", async () => {
    await putRollout(
      "bots.test",
      JSON.stringify({
        ...JSON.parse(doc({})),
        weights: { stable: 0, canary: 100 },
        rules: [{ match: { bot: true }, exclude: true }],
      }),
    );
    const r = router();
    const bot = await r.send("http://bots.test/", {
      headers: {
        "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      },
    });
    expect(bot.response.headers.get("X-Gray-Cohort")).toBe("stable");
    const human = await r.send("http://bots.test/", {
      headers: { "User-Agent": "Mozilla/5.0 (X11; Linux) Chrome/140" },
    });
    expect(human.response.headers.get("X-Gray-Cohort")).toBe("canary");
  });

  it("answers promptly even with a pathological regex and a hostile header", async () => {
    await putRollout(
      "redos.test",
      doc({
        rules: [
          {
            name: "redos",
            match: { header: { name: "X-Probe", regex: "^(a+)+$" } },
            cohort: "canary",
          },
        ],
      }),
    );
    const r = router();
    // 2,000 a's and a final "!": exponential for a backtracking engine, linear here.
    const { response } = await r.send("http://redos.test/", {
      headers: { "X-Probe": `${"a".repeat(2000)}!` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
    const match = await r.send("http://redos.test/", { headers: { "X-Probe": "a".repeat(2000) } });
    expect(match.response.headers.get("X-Gray-Cohort")).toBe("canary");
  });

  it("rejects a rule naming an unknown cohort and a regex the safe engine refuses, naming the field", async () => {
    await putRollout(
      "badrules.test",
      doc({
        rules: [
          { match: { method: ["GET"] }, cohort: "canary-x" },
          { match: { header: { name: "x", regex: "(a)\\1" } }, cohort: "canary" },
        ],
      }),
    );
    const r = router();
    const { response } = await r.send("http://badrules.test/");
    expect(response.status).toBe(503);
    const log = r.logs.join("\n");
    expect(log).toMatch(/rules\[0\]\.cohort: unknown cohort "canary-x"/);
    expect(log).toMatch(/rules\[1\]\.match\.header\.regex: /);
  });
});

describe("stickiness by an application id", () => {
  it("gives the same user id the same cohort on every device (any visitor cookie)", async () => {
    await putRollout(
      "sticky-user.test",
      doc({ weights: { stable: 50, canary: 50 }, stickiness: { header: "X-User-Id" } }),
    );
    const r = router();
    for (const user of ["u-1", "u-2", "u-3", "u-4", "u-5", "u-6"]) {
      const cohorts = new Set<string>();
      for (let device = 0; device < 5; device++) {
        const { response } = await r.send("http://sticky-user.test/", {
          headers: { "X-User-Id": user },
        });
        cohorts.add(response.headers.get("X-Gray-Cohort") ?? "");
      }
      expect(cohorts.size).toBe(1);
    }
  });
});

describe("signed QA overrides", () => {
  it("forces a cohort at 0 % with a valid header token, tagged in metrics", async () => {
    await putRollout("qa.test", doc({}));
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const token = await mintToken(SECRET, "override", "canary", inHours(1));
    const { response, body } = await r.send("http://qa.test/", {
      headers: { "X-Gray-Token": token },
    });
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    expect(parseEcho(body).headers["x-gray-token"]).toBeUndefined();
    expect(r.dataset.points[0]?.blobs?.[7]).toBe("override");
  });

  it("sets a short-lived cookie from the query form and strips the token before forwarding", async () => {
    await putRollout("qa-query.test", doc({}));
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const token = await mintToken(SECRET, "override", "canary", inHours(1));
    const first = await r.send(`http://qa-query.test/page?a=1&gray_token=${token}&b=2`);
    expect(first.response.headers.get("X-Gray-Cohort")).toBe("canary");
    expect(parseEcho(first.body).url).toBe("/page?a=1&b=2");
    const cookie = first.response.headers
      .getSetCookie()
      .find((c) => c.startsWith("gray_override="));
    expect(cookie).toMatch(/Max-Age=(3[0-5]\d\d|3600); Path=\/; Secure; HttpOnly; SameSite=Lax/);
    const again = await r.send("http://qa-query.test/next", {
      headers: { Cookie: cookie?.split(";")[0] ?? "" },
    });
    expect(again.response.headers.get("X-Gray-Cohort")).toBe("canary");
    expect(parseEcho(again.body).headers["cookie"]).toBeUndefined();
  });

  it("ignores and counts forged, expired and wrong-secret tokens", async () => {
    await putRollout("qa-bad.test", doc({}));
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const good = await mintToken(SECRET, "override", "canary", inHours(1));
    const cases: [string, string][] = [
      [good.replace(".canary.", ".stable."), "bad_signature"],
      [await mintToken(SECRET, "override", "canary", inHours(-1)), "expired"],
      [await mintToken("another-secret", "override", "canary", inHours(1)), "bad_signature"],
      [await mintToken(SECRET, "override", "canary", inHours(24 * 30)), "too_long_lived"],
      ["garbage", "malformed"],
    ];
    for (const [token, problem] of cases) {
      const { response } = await r.send("http://qa-bad.test/", {
        headers: { "X-Gray-Token": token },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
      expect(r.dataset.points.at(-1)?.blobs?.slice(7, 9)).toEqual(["weights", problem]);
    }
  });

  it("ignores tokens entirely when no secret is set", async () => {
    await putRollout("qa-off.test", doc({}));
    const token = await mintToken(SECRET, "override", "canary", inHours(1));
    const { response } = await router().send("http://qa-off.test/", {
      headers: { "X-Gray-Token": token },
    });
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
  });

  it("leaves the query and Cookie untouched when overrides are off", async () => {
    await putRollout("qa-off-query.test", doc({}));
    const { body } = await router().send("http://qa-off-query.test/p?gray_token=abc&x=1", {
      headers: { Cookie: "gray_override=abc; a=1" },
    });
    const echo = parseEcho(body);
    expect(echo.url).toBe("/p?gray_token=abc&x=1");
    expect(echo.headers["cookie"]).toBe("gray_override=abc; a=1");
  });
});

describe("A/B/n", () => {
  it("rolls one canary back to 0 (or leaves it without a weight) while the others keep their visitors", async () => {
    const o = origins();
    const three = (b: number | undefined): string =>
      JSON.stringify({
        origins: { stable: o.stable, canary: o.canary, "canary-b": `${o.canary}/b` },
        weights:
          b === undefined
            ? { stable: 80, canary: 20 }
            : { stable: 80 - b, canary: 20, "canary-b": b },
      });
    await putRollout("abn-rollback.test", three(20));
    const r = router();
    const visitors: { cookie: string; before: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const { response } = await r.send("http://abn-rollback.test/");
      visitors.push({
        cookie: response.headers.getSetCookie()[0]?.split(";")[0] ?? "",
        before: response.headers.get("X-Gray-Cohort") ?? "",
      });
    }
    expect(visitors.some((v) => v.before === "canary-b")).toBe(true);
    for (const weight of [0, undefined]) {
      await putRollout("abn-rollback.test", three(weight));
      for (const v of visitors) {
        const { response } = await r.send("http://abn-rollback.test/", {
          headers: { Cookie: v.cookie },
        });
        const now = response.headers.get("X-Gray-Cohort");
        // canary-b's visitors go back to stable; canary keeps exactly its own.
        expect(now).toBe(v.before === "canary-b" ? "stable" : v.before);
      }
    }
  }, 30_000);

  it("splits three cohorts by weight", async () => {
    const o = origins();
    await putRollout(
      "abn.test",
      JSON.stringify({
        origins: { stable: o.stable, canary: o.canary, "canary-b": `${o.canary}/b` },
        weights: { stable: 40, canary: 30, "canary-b": 30 },
      }),
    );
    const r = router();
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const { response, body } = await r.send("http://abn.test/x");
      const cohort = response.headers.get("X-Gray-Cohort") ?? "";
      counts.set(cohort, (counts.get(cohort) ?? 0) + 1);
      if (cohort === "canary-b") {
        expect(parseEcho(body).url).toBe("/b/x");
      }
    }
    for (const [cohort, share] of [
      ["stable", 0.4],
      ["canary", 0.3],
      ["canary-b", 0.3],
    ] as const) {
      expect(Math.abs((counts.get(cohort) ?? 0) / 600 - share)).toBeLessThan(0.07);
    }
  }, 30_000);
});
