import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rolloutDoc } from "../support/harness";

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
});
