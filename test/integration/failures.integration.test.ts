import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KvReader } from "../../src/edge/rollout-store";
import { origins, putRollout, rolloutDoc, router } from "../support/harness";

describe("origin failures", () => {
  it("answers 502 with a one-line reason when the origin refuses connections", async () => {
    const o = origins();
    await putRollout(
      "down.test",
      JSON.stringify({ origins: { stable: o.down }, weights: { stable: 100 } }),
    );
    const r = router();
    const { response, body } = await r.send("http://down.test/x");
    expect(response.status).toBe(502);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(body).toMatch(/^gray-router: the "stable" origin could not be reached/);
    expect(body).not.toContain("\n");
    expect(r.dataset.points).toHaveLength(1);
    expect(r.dataset.points[0]?.blobs?.slice(0, 2)).toEqual(["stable", "origin_error"]);
    expect(r.dataset.points[0]?.doubles?.[0]).toBe(0);
  });

  it("answers 504 when the origin sends no headers within ORIGIN_TIMEOUT_SECONDS", async () => {
    await putRollout("slow.test", rolloutDoc(0));
    const r = router({ vars: { ORIGIN_TIMEOUT_SECONDS: "0.3" } });
    const { response, body } = await r.send("http://slow.test/slow?ms=2000");
    expect(response.status).toBe(504);
    expect(body).toMatch(/^gray-router: the "stable" origin timed out/);
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("timeout");
  });

  it("does not time out a slow body once the headers have arrived", async () => {
    await putRollout("slowbody.test", rolloutDoc(0));
    const r = router({ vars: { ORIGIN_TIMEOUT_SECONDS: "0.2" } });
    const { response, body } = await r.send("http://slowbody.test/stream?chunks=3&gap=200");
    expect(response.status).toBe(200);
    expect(body).toMatch(/data: 2 /);
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("ok");
  });
});

describe("rollout problems (fail safe)", () => {
  it("answers 503 naming the host and both keys when no rollout exists", async () => {
    await env.ROLLOUTS.delete("default");
    const r = router();
    const { response, body } = await r.send("http://nothing.test/");
    expect(response.status).toBe(503);
    expect(body).toBe(
      'gray-router: host "nothing.test": no rollout: KV keys "nothing.test" and "default" are missing',
    );
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=UTF-8");
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("config_error");
  });

  it("answers 503 naming the host and key for an invalid document with no earlier valid one", async () => {
    await putRollout("invalid.test", '{"origins":{"stable":"http://x"},"weights":{"stable":90}}');
    await putRollout("default", rolloutDoc(0));
    const r = router();
    const { response, body } = await r.send("http://invalid.test/");
    // An invalid hostname document does not fall back to `default`.
    expect(response.status).toBe(503);
    expect(body).toMatch(
      /^gray-router: host "invalid\.test": KV key "invalid\.test" holds an invalid rollout/,
    );
    expect(body).not.toContain("\n");
    expect(r.logs.join("\n")).toMatch(/weights: must sum to exactly 100, got 90/);
    expect(r.logs.filter((line) => line.includes("holds an invalid rollout"))).toHaveLength(1);
  });

  it("keeps the last valid rollout when the document becomes invalid, and recovers when it is fixed", async () => {
    await putRollout("lastvalid.test", rolloutDoc(100));
    const r = router();
    expect((await r.send("http://lastvalid.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    for (const broken of [
      "{not json",
      '{"origins":{},"weights":{}}',
      '{"origins":{"stable":"x"},"weights":{"stable":100},"wieghts":1}',
    ]) {
      await putRollout("lastvalid.test", broken);
      const { response } = await r.send("http://lastvalid.test/");
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    }
    expect(r.dataset.points.slice(1).every((p) => p.blobs?.[5] === "stale")).toBe(true);
    await putRollout("lastvalid.test", rolloutDoc(0));
    expect((await r.send("http://lastvalid.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "stable",
    );
  });

  it("answers 503 naming both keys when the host has none and `default` is invalid", async () => {
    await putRollout("default", '{"origins":{"stable":"http://x"},"weights":{"stable":90}}');
    const { response, body } = await router().send("http://no-own-key.test/");
    expect(response.status).toBe(503);
    expect(body).toBe(
      'gray-router: host "no-own-key.test": KV key "no-own-key.test" is missing and KV key "default" holds an invalid rollout (see the worker logs); no earlier valid rollout',
    );
  });

  it("moves a host to `default` when its own key is deleted", async () => {
    await putRollout("moving.test", rolloutDoc(100));
    await putRollout("default", rolloutDoc(0));
    const r = router();
    expect((await r.send("http://moving.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    await env.ROLLOUTS.delete("moving.test");
    const { response } = await r.send("http://moving.test/");
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(r.dataset.points.map((p) => p.indexes?.[0])).toEqual(["moving.test", "default"]);
  });

  it("keeps the last valid rollout per key: one host's stale rollout never serves another", async () => {
    await putRollout("host-a.test", rolloutDoc(100));
    await putRollout("host-b.test", "{broken");
    const r = router();
    expect((await r.send("http://host-a.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    await putRollout("host-a.test", "{broken");
    expect((await r.send("http://host-a.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    expect((await r.send("http://host-b.test/")).response.status).toBe(503);
  });

  it("keeps the last valid rollout when the key is deleted", async () => {
    await putRollout("deleted.test", rolloutDoc(100));
    await env.ROLLOUTS.delete("default");
    const r = router();
    expect((await r.send("http://deleted.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    await env.ROLLOUTS.delete("deleted.test");
    const { response } = await r.send("http://deleted.test/");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
  });

  it("keeps the last valid rollout when KV cannot be read or hangs", async () => {
    await putRollout("kvdown.test", rolloutDoc(100));
    let mode: "real" | "throw" | "hang" = "real";
    const kv: KvReader = {
      get: (key, options) => {
        if (mode === "throw") {
          return Promise.reject(new Error("KV is down"));
        }
        if (mode === "hang") {
          return new Promise(() => undefined);
        }
        return env.ROLLOUTS.get(key, options);
      },
    };
    const r = router({ kv: () => kv, kvTimeoutMs: 200 });
    expect((await r.send("http://kvdown.test/")).response.headers.get("X-Gray-Cohort")).toBe(
      "canary",
    );
    for (const failure of ["throw", "hang"] as const) {
      mode = failure;
      const { response } = await r.send("http://kvdown.test/");
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    }
    expect(r.logs.join("\n")).toMatch(
      /could not read KV keys "kvdown\.test" and "default" \(KV is down\)/,
    );
    expect(r.logs.join("\n")).toMatch(/KV read timed out after 200 ms/);
  });

  it("answers 503 when KV cannot be read and no rollout was ever seen", async () => {
    const kv: KvReader = { get: () => Promise.reject(new Error("KV is down")) };
    const { response, body } = await router({ kv: () => kv }).send("http://neverseen.test/");
    expect(response.status).toBe(503);
    expect(body).toBe(
      'gray-router: host "neverseen.test": could not read KV keys "neverseen.test" and "default" (KV is down)',
    );
  });
});
