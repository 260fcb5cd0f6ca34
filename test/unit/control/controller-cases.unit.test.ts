import { describe, expect, it } from "vitest";
import { runController } from "../../../src/control/controller";
import type { ControllerDeps } from "../../../src/control/controller";
import { MetricsError } from "../../../src/control/metrics-source";
import { analysed, MINUTE, ORIGINS, setup, T0, traffic, windowOf } from "./controller-harness";

describe("runController, the preliminaries and failures", () => {
  it("records a pause once and does nothing else while paused", async () => {
    const t = setup(analysed({ paused: true }), () =>
      Promise.reject(new Error("must not be read")),
    );
    await t.run();
    await t.run();
    await t.run();
    expect(t.actions()).toEqual(["paused:1->1"]);
    expect(t.queries).toEqual([]);
  });

  it("records an invalid document once per revision and leaves unmanaged keys alone", async () => {
    const t = setup(
      { origins: ORIGINS, weights: { stable: 100 }, analysis: { steps: "fast" } },
      (q) => windowOf(q, []),
    );
    t.kv.values.set(
      "plain.example.com",
      JSON.stringify({ origins: ORIGINS, weights: { stable: 100 } }),
    );
    await t.run();
    await t.run();
    expect(t.history().entries.map((e) => [e.action, e.reason])).toEqual([
      [
        "invalid",
        "the document is invalid, nothing done: analysis.steps: expected a list of percents",
      ],
    ]);
    expect(t.kv.values.has("plain.example.com::history")).toBe(false);
  });

  it("does not overwrite a document edited between its read and its write, and restarts on the edit", async () => {
    const t = setup(analysed(), (q) => traffic(t.kv, 0.01)(q));
    await t.run();
    await t.run(10);
    expect(t.doc().weights.canary).toBe(5);
    let reads = 0;
    const human = JSON.stringify({ ...analysed(), weights: { stable: 98, canary: 2 } });
    t.kv.beforeGet = (key) => {
      if (key === "default" && ++reads === 2) {
        t.kv.values.set("default", human);
      }
    };
    await t.run(10);
    t.kv.beforeGet = null;
    expect(t.kv.values.get("default")).toBe(human);
    expect(t.history().entries.at(-1)).toMatchObject({
      action: "conflict",
      code: "document_changed",
      written: false,
      from: 5,
      to: 5,
    });
    await t.run();
    expect(t.history().entries.at(-1)).toMatchObject({
      action: "start",
      code: "restarted",
      from: 2,
    });
  });

  it("skips a run when KV serves an older revision it wrote itself", async () => {
    const t = setup(analysed(), (q) => traffic(t.kv, 0.01)(q));
    await t.run();
    const first = t.kv.values.get("default") ?? "";
    await t.run(10);
    expect(t.doc().weights.canary).toBe(5);
    t.kv.values.set("default", first);
    const before = t.history().entries.length;
    await t.run();
    expect(t.history().entries.length).toBe(before);
    expect(t.logs.at(-1)).toMatch(/KV returned an older revision/);
    // Minutes later the same old text is a human putting it back: an outside edit.
    await t.run(3);
    expect(t.history().entries.at(-1)).toMatchObject({
      action: "start",
      code: "restarted",
      from: 1,
    });
  });

  it("holds on a metrics error and says so once, however long it lasts", async () => {
    const t = setup(analysed(), () =>
      Promise.reject(new MetricsError("http", "SQL API answered 500: boom", 500)),
    );
    for (let i = 0; i < 15; i++) {
      await t.run();
    }
    expect(t.doc().weights.canary).toBe(1);
    const [, ...rest] = t.history().entries;
    // Figures are read on every run (a failure may roll back at any time), so the error shows at once.
    expect(rest.map((e) => [e.action, e.code, e.repeated])).toEqual([
      ["error", "metrics_unavailable", 14],
    ]);
    expect(rest[0]?.reason).toBe(
      "metrics could not be read (http: SQL API answered 500: boom); holding",
    );
  });

  it("keeps deciding when the webhook fails", async () => {
    const t = setup(analysed({ webhook: "https://hooks.example.com/x" }, 5), (q) =>
      traffic(t.kv, 0.08)(q),
    );
    t.failWebhook();
    await t.run();
    await t.run();
    await t.run();
    expect(t.doc().weights.canary).toBe(0);
    expect(
      t.logs.filter((l) => l.includes("webhook failed (connection refused); decision stands")),
    ).toHaveLength(3);
  });

  it("lists every page of keys, skips history keys and copies, and isolates a failing rollout", async () => {
    const t = setup(analysed(), (q) => windowOf(q, []));
    t.kv.pageSize = 1;
    t.kv.values.set("broken.example.com", JSON.stringify(analysed()));
    const deps: ControllerDeps = {
      now: () => T0,
      fetch: () => Promise.reject(new Error("unused")),
      metrics: { read: () => Promise.reject(new TypeError("bug")) },
      log: (m) => t.logs.push(m),
    };
    await runController({ ROLLOUTS: t.kv }, deps);
    const reports = await runController({ ROLLOUTS: t.kv }, { ...deps, now: () => T0 + MINUTE });
    expect(reports).toEqual([]);
    expect(t.logs.filter((l) => l.includes("TypeError: bug"))).toHaveLength(2);
    expect([...t.kv.values.keys()].sort()).toEqual([
      "broken.example.com",
      "broken.example.com::history",
      "broken.example.com::last-valid",
      "default",
      "default::history",
      "default::last-valid",
    ]);
  });
});
