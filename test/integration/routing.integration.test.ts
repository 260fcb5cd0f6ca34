import { describe, expect, it } from "vitest";
import { seededIds } from "../support/ids";
import { putRollout, rolloutDoc, router, visitorCookie } from "../support/harness";

/** Sends `count` new visitors (no cookie) and counts cohorts. */
async function split(
  r: ReturnType<typeof router>,
  host: string,
  count: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const { response } = await r.send(`http://${host}/`);
    const cohort = response.headers.get("X-Gray-Cohort") ?? "none";
    seen.set(cohort, (seen.get(cohort) ?? 0) + 1);
  }
  return seen;
}

describe("cohort assignment through the worker", () => {
  it("sets a visitor cookie with the contract's attributes on the first response", async () => {
    await putRollout("cookie.test", rolloutDoc(10));
    const { response } = await router().send("http://cookie.test/");
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("gray_vid="));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie ?? "")?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(30 * 86_400);
  });

  it("keeps a visitor in the same cohort when the cookie is sent back, and does not set it again", async () => {
    await putRollout("sticky.test", rolloutDoc(50));
    const r = router();
    for (let visitor = 0; visitor < 20; visitor++) {
      const first = await r.send("http://sticky.test/");
      const cookie = visitorCookie(first.response);
      expect(cookie).toBeDefined();
      const cohort = first.response.headers.get("X-Gray-Cohort");
      for (let again = 0; again < 5; again++) {
        const next = await r.send("http://sticky.test/page", {
          headers: { Cookie: `other=1; ${cookie}` },
        });
        expect(next.response.headers.get("X-Gray-Cohort")).toBe(cohort);
        expect(visitorCookie(next.response)).toBeUndefined();
      }
    }
  });

  it("splits 4,000 new visitors 90/10 within one percentage point", async () => {
    await putRollout("share.test", rolloutDoc(10));
    const r = router({ newId: seededIds(42) });
    const seen = await split(r, "share.test", 4000);
    const canaryShare = (seen.get("canary") ?? 0) / 4000;
    expect(Math.abs(canaryShare - 0.1)).toBeLessThan(0.01);
    expect((seen.get("stable") ?? 0) + (seen.get("canary") ?? 0)).toBe(4000);
  }, 60_000);

  it("ramps monotonically and rolls back immediately when KV changes", async () => {
    await putRollout("ramp.test", rolloutDoc(5));
    const r = router(); // CONFIG_CACHE_SECONDS=0: every request reads KV
    const visitors: { cookie: string; cohorts: string[] }[] = [];
    for (let i = 0; i < 200; i++) {
      const { response } = await r.send("http://ramp.test/");
      visitors.push({
        cookie: visitorCookie(response) ?? "",
        cohorts: [response.headers.get("X-Gray-Cohort") ?? ""],
      });
    }
    for (const weight of [10, 25, 50, 0]) {
      await putRollout("ramp.test", rolloutDoc(weight));
      for (const v of visitors) {
        const { response } = await r.send("http://ramp.test/", { headers: { Cookie: v.cookie } });
        v.cohorts.push(response.headers.get("X-Gray-Cohort") ?? "");
      }
    }
    // During the ramp (5 -> 10 -> 25 -> 50) nobody leaves the canary once in it.
    for (const v of visitors) {
      const ramp = v.cohorts.slice(0, 4);
      const firstCanary = ramp.indexOf("canary");
      if (firstCanary !== -1) {
        expect(ramp.slice(firstCanary).every((c) => c === "canary")).toBe(true);
      }
    }
    const at50 = visitors.filter((v) => v.cohorts[3] === "canary").length;
    expect(at50).toBeGreaterThan(60);
    // Rollback to 0: every visitor's very next request goes to stable.
    expect(visitors.every((v) => v.cohorts[4] === "stable")).toBe(true);
  }, 30_000);

  it("reads the hostname's own key before `default`, lower-cased and without the port", async () => {
    await putRollout("default", rolloutDoc(0));
    await putRollout("own.test", rolloutDoc(100));
    const r = router();
    const own = await r.send("http://OWN.test:8080/");
    expect(own.response.headers.get("X-Gray-Cohort")).toBe("canary");
    const other = await r.send("http://unknown-host.test/");
    expect(other.response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(r.dataset.points.map((p) => p.indexes?.[0])).toEqual(["own.test", "default"]);
  });

  it("replaces a malformed or oversized visitor cookie instead of failing", async () => {
    await putRollout("badcookie.test", rolloutDoc(50));
    const r = router();
    for (const bad of [
      "gray_vid=garbage",
      `gray_vid=${"A".repeat(8000)}`,
      "gray_vid=1.short.0",
      "gray_vid=",
    ]) {
      const { response } = await r.send("http://badcookie.test/", { headers: { Cookie: bad } });
      expect(response.status).toBe(200);
      expect(visitorCookie(response)).toMatch(/^gray_vid=1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+$/);
    }
  });
});
