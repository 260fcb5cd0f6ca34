import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/core/token";
import { origins, putRollout, router } from "../support/harness";

/** A rollout whose canary origin refuses connections. */
function brokenCanary(fields: Record<string, unknown>, canaryWeight = 100): string {
  const o = origins();
  return JSON.stringify({
    origins: { stable: o.stable, canary: o.down },
    weights: { stable: 100 - canaryWeight, canary: canaryWeight },
    ...fields,
  });
}

describe("failover to stable", () => {
  it("retries an idempotent request once on stable and says so", async () => {
    await putRollout("failover.test", brokenCanary({ failover: {} }));
    const r = router();
    const { response, body } = await r.send("http://failover.test/page");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Gray-Failover")).toBe("1");
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(body).toContain('"origin":"stable"');
    expect(r.dataset.points).toHaveLength(1);
    expect(r.dataset.points[0]?.blobs?.slice(0, 2)).toEqual(["canary", "failover"]);
  });

  it("replays a small PUT body byte for byte", async () => {
    await putRollout("failover-put.test", brokenCanary({ failover: { maxBodyBytes: 1024 } }));
    const { response, body } = await router().send("http://failover-put.test/put", {
      method: "PUT",
      body: "x".repeat(500),
      headers: { "Content-Length": "500" },
    });
    expect(response.headers.get("X-Gray-Failover")).toBe("1");
    expect(body).toContain('"bodyLength":500');
  });

  it("fails over on a configured status", async () => {
    const o = origins();
    await putRollout(
      "failover-status.test",
      JSON.stringify({
        origins: { stable: o.stable, canary: o.canary },
        weights: { stable: 0, canary: 100 },
        failover: { statuses: [503] },
      }),
    );
    const r = router();
    const failed = await r.send("http://failover-status.test/status/503");
    expect(failed.response.headers.get("X-Gray-Failover")).toBe("1");
    expect(failed.response.status).toBe(503); // stable answers /status/503 too: its answer is passed on
    const other = await r.send("http://failover-status.test/status/500");
    expect(other.response.headers.get("X-Gray-Failover")).toBeNull();
    expect(other.response.status).toBe(500);
  });

  it("never replays a POST", async () => {
    await putRollout("failover-post.test", brokenCanary({ failover: {} }));
    const r = router();
    const { response } = await r.send("http://failover-post.test/", {
      method: "POST",
      body: "order=1",
    });
    expect(response.status).toBe(502);
    expect(response.headers.get("X-Gray-Failover")).toBeNull();
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("origin_error");
  });

  it("does not replay a body larger than maxBodyBytes", async () => {
    await putRollout("failover-big.test", brokenCanary({ failover: { maxBodyBytes: 10 } }));
    const { response } = await router().send("http://failover-big.test/", {
      method: "PUT",
      body: "x".repeat(100),
      headers: { "Content-Length": "100" },
    });
    expect(response.status).toBe(502);
  });

  it("is off unless the rollout asks for it", async () => {
    await putRollout("failover-off.test", brokenCanary({}));
    const { response } = await router().send("http://failover-off.test/");
    expect(response.status).toBe(502);
  });
});

describe("canary circuit breaker", () => {
  it("opens after enough failures, diverts to stable, then half-opens and closes", async () => {
    let clock = 5_000_000;
    const o = origins();
    await putRollout(
      "breaker.test",
      JSON.stringify({
        origins: { stable: o.stable, canary: o.down },
        weights: { stable: 0, canary: 100 },
        breaker: {
          minRequests: 5,
          failureRate: 0.5,
          coolDownSeconds: 10,
          halfOpenPercent: 100,
          halfOpenSuccesses: 2,
        },
      }),
    );
    const r = router({ now: () => clock });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await r.send("http://breaker.test/")).response.status);
    }
    // Five failures open the breaker; the rest go to stable.
    expect(statuses).toEqual([502, 502, 502, 502, 502, 200, 200, 200]);
    expect(r.dataset.points[4]?.blobs?.[9]).toBe("open");
    expect(r.dataset.points[5]?.blobs?.slice(0, 1)).toEqual(["stable"]);
    expect(r.dataset.points[5]?.blobs?.[7]).toBe("breaker");

    // The canary recovers; after the cool-down the breaker lets traffic through again.
    await putRollout(
      "breaker.test",
      JSON.stringify({
        origins: { stable: o.stable, canary: o.canary },
        weights: { stable: 0, canary: 100 },
        breaker: {
          minRequests: 5,
          failureRate: 0.5,
          coolDownSeconds: 10,
          halfOpenPercent: 100,
          halfOpenSuccesses: 2,
        },
      }),
    );
    clock += 10_000;
    const probe = await r.send("http://breaker.test/");
    expect(probe.response.headers.get("X-Gray-Cohort")).toBe("canary");
    expect(r.dataset.points.at(-1)?.blobs?.[9]).toBe("half_open");
    await r.send("http://breaker.test/");
    expect(r.dataset.points.at(-1)?.blobs?.[9]).toBe("closed");
    expect(r.breakers.snapshot()).toEqual([
      { circuit: "breaker.test/canary", state: "closed", requests: 0, failures: 0 },
    ]);
  });
});

describe("cache isolation", () => {
  it("turns a shared-cacheable response private by default, and never varies on Cookie", async () => {
    const o = origins();
    await putRollout(
      "cache.test",
      JSON.stringify({ origins: { stable: o.stable }, weights: { stable: 100 } }),
    );
    const { response } = await router().send("http://cache.test/cacheable");
    expect(response.headers.get("Cache-Control")).toBe("private, max-age=60");
    expect(response.headers.get("Vary") ?? "").not.toMatch(/cookie/i);
  });

  it("adds Vary: X-Gray-Cohort under the vary policy", async () => {
    const o = origins();
    await putRollout(
      "cache-vary.test",
      JSON.stringify({ origins: { stable: o.stable }, weights: { stable: 100 }, cache: "vary" }),
    );
    const { response } = await router().send("http://cache-vary.test/cacheable");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60, s-maxage=600");
    expect(response.headers.get("Vary")).toBe("Accept-Encoding, X-Gray-Cohort");
  });

  it("does not set the visitor cookie again on a returning visitor's cacheable asset", async () => {
    const o = origins();
    await putRollout(
      "cache-cookie.test",
      JSON.stringify({ origins: { stable: o.stable }, weights: { stable: 100 } }),
    );
    const r = router();
    const first = await r.send("http://cache-cookie.test/cacheable");
    const cookie = first.response.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const second = await r.send("http://cache-cookie.test/cacheable", {
      headers: { Cookie: cookie },
    });
    expect(second.response.headers.getSetCookie()).toEqual([]);
  });
});

describe("debug view", () => {
  const SECRET = "debug-secret";

  it("does not exist without a secret: the path is proxied", async () => {
    const o = origins();
    await putRollout(
      "debug-off.test",
      JSON.stringify({ origins: { stable: o.stable }, weights: { stable: 100 } }),
    );
    const { body } = await router().send("http://debug-off.test/__gray");
    expect(body).toContain('"url":"/__gray"');
  });

  it("answers 401 without a valid debug token, and JSON with one", async () => {
    const o = origins();
    await putRollout(
      "debug.test",
      JSON.stringify({
        origins: { stable: o.stable, canary: o.canary },
        weights: { stable: 90, canary: 10 },
        breaker: {},
      }),
    );
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const denied = await r.send("http://debug.test/__gray");
    expect(denied.response.status).toBe(401);
    const override = await mintToken(
      SECRET,
      "override",
      "canary",
      Math.floor(Date.now() / 1000) + 600,
    );
    expect(
      (await r.send("http://debug.test/__gray", { headers: { "X-Gray-Token": override } })).response
        .status,
    ).toBe(401);
    const token = await mintToken(SECRET, "debug", "-", Math.floor(Date.now() / 1000) + 600);
    const { response, body } = await r.send("http://debug.test/__gray", {
      headers: { "X-Gray-Token": token },
    });
    expect(response.status).toBe(200);
    const view: unknown = JSON.parse(body);
    expect(view).toMatchObject({
      rolloutKey: "debug.test",
      configState: "fresh",
      decidedBy: "weights",
      weights: { stable: 90, canary: 10 },
    });
    expect(view).toHaveProperty("bucket");
    expect(view).toHaveProperty("revision");
    expect(view).toHaveProperty("configAgeSeconds");
    expect(view).toHaveProperty("breakers");
  });

  it("serves the debug view on DEBUG_PATH when set", async () => {
    const o = origins();
    await putRollout(
      "debug-path.test",
      JSON.stringify({ origins: { stable: o.stable }, weights: { stable: 100 } }),
    );
    const r = router({ vars: { GRAY_SECRET: SECRET, DEBUG_PATH: "/ops/gray" } });
    const token = await mintToken(SECRET, "debug", "-", Math.floor(Date.now() / 1000) + 600);
    const { response } = await r.send(`http://debug-path.test/ops/gray?gray_token=${token}`);
    expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  });
});
