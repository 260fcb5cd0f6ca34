import { describe, expect, it } from "vitest";
import { putRollout, rolloutDoc, router } from "../support/harness";

describe("smoke", () => {
  it("proxies to a cohort", async () => {
    await putRollout("default", rolloutDoc(10));
    const r = router();
    const { response, body } = await r.send("http://smoke.test/hello?x=1");
    console.log(response.status, [...response.headers], body, r.dataset.points, r.logs);
    expect(response.status).toBe(200);
  });
});
