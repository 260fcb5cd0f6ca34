import { describe, expect, it } from "vitest";
import { putRollout, rolloutDoc, router } from "../support/harness";

describe("isolate cache of rollouts (CONFIG_CACHE_SECONDS)", () => {
  it("keeps a rollout for CONFIG_CACHE_SECONDS, then sees the KV change", async () => {
    let clock = 1_000_000;
    await putRollout("cache.test", rolloutDoc(100));
    const r = router({ vars: { CONFIG_CACHE_SECONDS: "10" }, now: () => clock });
    expect((await r.send("http://cache.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    await putRollout("cache.test", rolloutDoc(0));
    clock += 9_999;
    expect((await r.send("http://cache.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    clock += 1;
    expect((await r.send("http://cache.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "stable",
    );
  });

  it("reads KV once per host per window, however many requests", async () => {
    await putRollout("reads.test", rolloutDoc(10));
    const r = router({ vars: { CONFIG_CACHE_SECONDS: "10" } });
    for (let i = 0; i < 100; i++) {
      await r.send("http://reads.test/");
    }
    expect(r.kvReads()).toBe(1);
  });

  it("shares one in-flight KV read between concurrent requests", async () => {
    await putRollout("default", rolloutDoc(10));
    const r = router({ vars: { CONFIG_CACHE_SECONDS: "10" } });
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => r.send("http://concurrent.test/")),
    );
    expect(responses.every((x) => x.response.status === 200)).toBe(true);
    // One read of the hostname's key (missing), one of `default`.
    expect(r.kvReads()).toBe(2);
  });

  it("reads KV on every request with CONFIG_CACHE_SECONDS=0", async () => {
    await putRollout("nocache.test", rolloutDoc(10));
    const r = router({ vars: { CONFIG_CACHE_SECONDS: "0" } });
    for (let i = 0; i < 5; i++) {
      await r.send("http://nocache.test/");
    }
    expect(r.kvReads()).toBe(5);
  });

  it("falls back to the default and logs when CONFIG_CACHE_SECONDS is not a number", async () => {
    await putRollout("badvar.test", rolloutDoc(10));
    const r = router({ vars: { CONFIG_CACHE_SECONDS: "ten" } });
    expect((await r.send("http://badvar.test/")).response.status).toBe(200);
    expect(r.logs.join("\n")).toMatch(/CONFIG_CACHE_SECONDS: expected a number of seconds/);
  });
});
