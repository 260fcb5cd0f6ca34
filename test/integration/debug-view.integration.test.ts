import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/core/token";
import { putRollout, rolloutDoc, router } from "../support/harness";

const SECRET = "debug-view-secret";
const inMinutes = (m: number): number => Math.floor(Date.now() / 1000) + m * 60;

describe("debug view: what it says about tokens", () => {
  it("says a token is missing when none was sent, and names a bad one's problem", async () => {
    await putRollout("dv-tokens.test", rolloutDoc(10));
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const none = await r.send("http://dv-tokens.test/__gray");
    expect(none.response.status).toBe(401);
    expect(none.body).toBe("gray-router: the debug view needs a valid debug token (none was sent)");
    const garbled = await r.send("http://dv-tokens.test/__gray", {
      headers: { "X-Gray-Token": "not-a-token" },
    });
    expect(garbled.body).toBe("gray-router: the debug view needs a valid debug token (malformed)");
    const override = await mintToken(SECRET, "override", "canary", inMinutes(10));
    const wrong = await r.send(`http://dv-tokens.test/__gray?gray_token=${override}`);
    expect(wrong.body).toBe("gray-router: the debug view needs a valid debug token (wrong_kind)");
  });

  it("reports no override problem for the debug token it was opened with", async () => {
    await putRollout("dv-override.test", rolloutDoc(10));
    const r = router({ vars: { GRAY_SECRET: SECRET } });
    const token = await mintToken(SECRET, "debug", "-", inMinutes(10));
    for (const init of [
      { url: "http://dv-override.test/__gray", headers: { "X-Gray-Token": token } },
      { url: `http://dv-override.test/__gray?gray_token=${token}`, headers: {} },
    ]) {
      const { response, body } = await r.send(init.url, { headers: init.headers });
      expect(response.status).toBe(200);
      expect(JSON.parse(body)).toMatchObject({
        overrideProblem: null,
        configState: "fresh",
        configProblem: null,
      });
    }
  });
});
