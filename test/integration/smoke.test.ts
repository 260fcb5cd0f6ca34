import { env, exports } from "cloudflare:workers";
import { inject, it, expect } from "vitest";
it("works", async () => {
  await env.ROLLOUTS.put("default", "x");
  const port = inject("originPort");
  const r = await exports.default.fetch(`http://h.test/?o=http://127.0.0.1:${port}/p`);
  expect(await r.text()).toBe("kv=x origin=hello from node /p");
});
