import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runController } from "../../src/control/controller";
import type { ControllerDeps, RolloutKv } from "../../src/control/controller";
import { mintToken } from "../../src/core/token";
import { putRollout, rolloutDoc, router } from "../support/harness";

// A broken put must not take a host down in isolates that start after it:
// the controller keeps a copy of each rollout's last valid version in KV.

const SECRET = "last-valid-secret";
const BROKEN = '{"origins": {"stable": "http://127.0.0.1:1"}, "weights": {"stable": 101}}';

/** The real namespace, listing only keys under `prefix` (tests share it), counting puts. */
function scoped(prefix: string): RolloutKv & { readonly puts: string[] } {
  const puts: string[] = [];
  return {
    puts,
    get: (key, options) => env.ROLLOUTS.get(key, options),
    put: (key, value) => {
      puts.push(key);
      return env.ROLLOUTS.put(key, value);
    },
    list: (options) =>
      env.ROLLOUTS.list(
        options?.cursor === undefined ? { prefix } : { prefix, cursor: options.cursor },
      ),
  };
}

const deps = (logs: string[] = []): ControllerDeps => ({
  now: Date.now,
  fetch: () => Promise.reject(new Error("no webhook in this test")),
  metrics: { read: () => Promise.reject(new Error("no metrics in this test")) },
  log: (m) => logs.push(m),
});

describe("the controller's last valid copy", () => {
  it("copies every valid rollout, with or without analysis, once per change", async () => {
    const kv = scoped("copy-");
    await putRollout("copy-plain.test", rolloutDoc(10));
    await putRollout("copy-rules.test", rolloutDoc(20, { rules: [] }));
    await runController({ ROLLOUTS: kv }, deps());
    expect(await env.ROLLOUTS.get("copy-plain.test::last-valid")).toBe(rolloutDoc(10));
    expect(await env.ROLLOUTS.get("copy-rules.test::last-valid")).toBe(
      rolloutDoc(20, { rules: [] }),
    );
    expect(kv.puts.sort()).toEqual(["copy-plain.test::last-valid", "copy-rules.test::last-valid"]);

    // Unchanged: nothing is written again, and copies are never taken for rollouts.
    kv.puts.length = 0;
    await runController({ ROLLOUTS: kv }, deps());
    expect(kv.puts).toEqual([]);
    expect(await env.ROLLOUTS.get("copy-plain.test::last-valid::last-valid")).toBeNull();

    // A new valid version replaces the copy; a broken one leaves it alone.
    await putRollout("copy-plain.test", rolloutDoc(30));
    await putRollout("copy-rules.test", BROKEN);
    await runController({ ROLLOUTS: kv }, deps());
    expect(kv.puts).toEqual(["copy-plain.test::last-valid"]);
    expect(await env.ROLLOUTS.get("copy-plain.test::last-valid")).toBe(rolloutDoc(30));
    expect(await env.ROLLOUTS.get("copy-rules.test::last-valid")).toBe(
      rolloutDoc(20, { rules: [] }),
    );
  });
});

describe("a new isolate after a broken put", () => {
  it("routes by the controller's copy, marked stale in the data point", async () => {
    await putRollout("cold.test", rolloutDoc(100));
    await runController({ ROLLOUTS: scoped("cold.test") }, deps());
    await putRollout("cold.test", BROKEN);

    const fresh = router();
    const { response } = await fresh.send("http://cold.test/");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    const [point] = fresh.dataset.points;
    expect(point?.blobs?.[1]).toBe("ok");
    expect(point?.blobs?.[5]).toBe("stale");
    expect(fresh.logs.join("\n")).toMatch(/KV key "cold\.test" holds an invalid rollout: weights/);
  });

  it("answers the 503 when there is no copy (the document never was valid)", async () => {
    await putRollout("never-valid.test", BROKEN);
    await runController({ ROLLOUTS: scoped("never-valid.test") }, deps());
    const { response, body } = await router().send("http://never-valid.test/");
    expect(response.status).toBe(503);
    expect(body).toMatch(/KV key "never-valid\.test" holds an invalid rollout/);
  });

  it("shows the current validation error in the debug view", async () => {
    await putRollout("debug-stale.test", rolloutDoc(0));
    await runController({ ROLLOUTS: scoped("debug-stale.test") }, deps());
    await putRollout("debug-stale.test", BROKEN);
    const token = await mintToken(SECRET, "debug", "-", Math.floor(Date.now() / 1000) + 600);
    const { response, body } = await router({ vars: { GRAY_SECRET: SECRET } }).send(
      "http://debug-stale.test/__gray",
      { headers: { "X-Gray-Token": token } },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({
      rolloutKey: "debug-stale.test",
      configState: "stale",
      configProblem: expect.stringMatching(/^weights\.stable: .*101/),
    });
  });
});
