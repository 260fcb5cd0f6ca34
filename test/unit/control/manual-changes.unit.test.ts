import { describe, expect, it } from "vitest";
import { MINUTE, T0, analysed, setup, traffic, windowOf } from "./controller-harness";

// Manual changes (src/control/manual.ts): the gray CLI writes only the
// document, with who/why/what in its `change` field; the controller, the only
// writer of the history, records the change when it first sees the revision,
// and acts on it.

/** The document as gray writes it: the edit plus a `change` stamped `at`. */
function edited(
  doc: Record<string, unknown>,
  change: { action: string; by: string; reason?: string },
  at: number,
): string {
  return JSON.stringify({ ...doc, change: { ...change, at: new Date(at).toISOString() } });
}

describe("manual changes in the history", () => {
  it("records a weight set with gray, by whom and why, and restarts the analysis from the new weight", async () => {
    const c = setup(analysed({ interval: 60 }, 5), (q) => traffic(c.kv, 0.01)(q));
    await c.run();
    const at = T0 + MINUTE + 10_000;
    c.kv.values.set(
      "default",
      edited(
        analysed({ interval: 60 }, 25),
        { action: "set", by: "alice", reason: "go faster" },
        at,
      ),
    );
    await c.run();
    const entry = c.history().entries.at(-1);
    expect(entry).toMatchObject({
      action: "manual",
      code: "set",
      from: 5,
      to: 25,
      written: true,
      change: { action: "set", by: "alice", reason: "go faster", at: new Date(at).toISOString() },
    });
    expect(entry?.reason).toBe("set by alice: go faster (canary at 25%; analysis restarted)");
    expect(c.history().state).toMatchObject({ phase: "ramping", weight: 2500 });
    // The controller's own next write (a promotion) no longer carries alice's change.
    await c.run(2);
    expect(c.actions().at(-1)).toBe("promote:25->50");
    expect(c.doc().weights).toEqual({ stable: 50, canary: 50 });
    expect(c.doc()).not.toHaveProperty("change");
  });

  it("records a rollback to 0 and then stays idle", async () => {
    const c = setup(analysed({}, 10), (q) => traffic(c.kv, 0.01)(q));
    await c.run();
    c.kv.values.set(
      "default",
      edited(analysed({}, 0), { action: "rollback", by: "ci:deploy-42" }, T0 + MINUTE),
    );
    await c.run();
    expect(c.history().entries.at(-1)).toMatchObject({
      action: "manual",
      code: "rollback",
      from: 10,
      to: 0,
    });
    expect(c.history().entries.at(-1)?.reason).toBe(
      "rollback by ci:deploy-42 (canary at 0%; a new first weight starts a ramp)",
    );
    expect(c.history().state?.phase).toBe("idle");
    const count = c.history().entries.length;
    await c.run(5);
    expect(c.history().entries).toHaveLength(count);
  });

  it("a rollback that leaves the canary on its first ramp-down step goes on down through rampDown", async () => {
    const analysis = { rampDown: { steps: [25, 5], interval: 60 } };
    const c = setup(analysed(analysis, 50), (q) => traffic(c.kv, 0.01)(q));
    await c.run();
    c.kv.values.set(
      "default",
      edited(analysed(analysis, 25), { action: "rollback", by: "bob" }, T0 + MINUTE),
    );
    await c.run();
    expect(c.history().state?.phase).toBe("rolling_back");
    expect(c.history().entries.at(-1)?.reason).toBe(
      "rollback by bob (canary at 25%, rolling back through rampDown)",
    );
    await c.run();
    await c.run();
    expect(c.actions().slice(-2)).toEqual(["ramp_down:25->5", "ramp_down:5->0"]);
    expect(c.doc().weights).toEqual({ stable: 100, canary: 0 });
  });

  it("credits a pause and a resume to whoever made them, once each", async () => {
    const c = setup(analysed({}, 10), (q) => traffic(c.kv, 0.01)(q));
    await c.run();
    c.kv.values.set(
      "default",
      edited(
        analysed({ paused: true }, 10),
        { action: "pause", by: "alice", reason: "incident 7" },
        T0 + MINUTE,
      ),
    );
    await c.run();
    await c.run();
    c.kv.values.set(
      "default",
      edited(analysed({}, 10), { action: "resume", by: "alice" }, T0 + 3 * MINUTE),
    );
    await c.run();
    const manual = c.history().entries.filter((e) => e.action === "manual");
    expect(manual.map((e) => [e.code, e.change?.by, e.reason])).toEqual([
      [
        "pause",
        "alice",
        'pause by alice: incident 7 (paused at 10%; nothing happens until "paused" is removed)',
      ],
      ["resume", "alice", "resume by alice (canary at 10%; analysis restarted)"],
    ]);
    expect(c.history().state?.phase).toBe("ramping");
  });

  it("does not credit a stale change: a copy edited by other means is an unattributed edit", async () => {
    const c = setup(analysed({}, 5), (q) => traffic(c.kv, 0.01)(q));
    await c.run();
    // A `change` from long ago, carried along by someone editing a fetched copy.
    c.kv.values.set(
      "default",
      edited(analysed({}, 10), { action: "set", by: "alice" }, T0 - 3600_000),
    );
    await c.run();
    expect(c.history().entries.at(-1)).toMatchObject({ action: "start", code: "restarted" });
    expect(c.history().entries.at(-1)).not.toHaveProperty("change");
  });

  it("records changes made with gray to a rollout without analysis, once per revision", async () => {
    const plain = {
      origins: { stable: "https://v1.example.com", canary: "https://v2.example.com" },
      weights: { stable: 90, canary: 10 },
    };
    const c = setup(plain, (q) => windowOf(q, []));
    await c.run();
    expect(c.history().entries).toHaveLength(0);
    c.kv.values.set(
      "default",
      edited(
        { ...plain, weights: { stable: 50, canary: 50 } },
        { action: "set", by: "alice" },
        T0 + MINUTE,
      ),
    );
    await c.run();
    await c.run();
    c.kv.values.set(
      "default",
      edited(
        { ...plain, weights: { stable: 100, canary: 0 } },
        { action: "rollback", by: "bob" },
        T0 + 3 * MINUTE,
      ),
    );
    await c.run();
    expect(c.history().entries.map((e) => [e.action, e.code, e.from, e.to, e.change?.by])).toEqual([
      // The first recorded change has no earlier weight on record: from = to.
      ["manual", "set", 50, 50, "alice"],
      ["manual", "rollback", 50, 0, "bob"],
    ]);
    expect(c.history().entries[0]?.reason).toBe(
      "set by alice (non-stable share 50%; no analysis block)",
    );
  });
});
