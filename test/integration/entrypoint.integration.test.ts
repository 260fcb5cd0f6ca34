import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { RecordingDataset, rolloutDoc } from "../support/harness";

// The deployed entry point (src/index.ts) with the bindings from wrangler.toml.
describe("worker entry point", () => {
  it("routes with the real bindings and wiring", async () => {
    await env.ROLLOUTS.put("entry.test", rolloutDoc(100));
    const response = await exports.default.fetch("http://entry.test/hello");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    expect(response.headers.getSetCookie().some((c) => c.startsWith("gray_vid="))).toBe(true);
    expect(await response.text()).toContain('"origin":"canary"');
  });

  it("answers the contract's 503 when no rollout exists", async () => {
    await env.ROLLOUTS.delete("default");
    const response = await exports.default.fetch("http://entry-missing.test/");
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/"entry-missing\.test" and "default"/);
  });

  it("writes one data point per request to the METRICS binding", async () => {
    await env.ROLLOUTS.put("entry-metrics.test", rolloutDoc(100));
    const metrics = new RecordingDataset();
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("http://entry-metrics.test/hello"),
      { ...env, METRICS: metrics },
      ctx,
    );
    await response.text();
    await waitOnExecutionContext(ctx);
    expect(metrics.points).toHaveLength(1);
    expect(metrics.points[0]?.indexes).toEqual(["entry-metrics.test"]);
    expect(metrics.points[0]?.blobs?.slice(0, 2)).toEqual(["canary", "ok"]);
  });
});
