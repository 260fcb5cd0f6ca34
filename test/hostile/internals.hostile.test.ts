import { describe, expect, it } from "vitest";
import { router } from "../support/harness";
import { MemoryKv } from "../reliability/support";
import { echoSplit } from "./support";

/**
 * What the router says when it fails itself: a generic one-line 503, never a
 * 500 page, never a stack, a path or an error message; the details go to the
 * worker log only.
 */

describe("an unexpected internal error", () => {
  it("answers a generic one-line 503 with no internals and logs the stack", async () => {
    const kv = new MemoryKv({ "internal.test": echoSplit().doc });
    const r = router({ kv: () => kv });
    r.store.load = () => {
      throw new Error("boom: secret-internal-detail at /srv/app/config.ts");
    };
    const { response, body } = await r.send("http://internal.test/x");
    expect(response.status).toBe(503);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(body).toBe("gray-router: internal error (details are in the worker logs)");
    expect(r.logs.join("\n")).toMatch(
      /gray-router: internal error: Error: boom: secret-internal-detail/,
    );
    expect(r.logs.join("\n")).toMatch(/\n\s+at /);
  });
});
