import { describe, expect, it } from "vitest";
import { analysed, setup, traffic } from "./controller-harness";
import { serialiseHistory } from "../../../src/control/history";

describe("runController", () => {
  it("ramps a healthy canary step by step to 100%, accumulating evidence across its own writes", async () => {
    const t = setup(analysed({ webhook: "https://hooks.example.com/x" }), (q) =>
      traffic(t.kv, 0.01)(q),
    );
    await t.run();
    for (let i = 0; i < 40 && t.history().state?.phase !== "idle"; i++) {
      await t.run();
    }
    expect(t.doc().weights).toEqual({ stable: 0, canary: 100 });
    expect(t.actions().filter((a) => !a.startsWith("hold"))).toEqual([
      "start:1->1",
      "promote:1->5",
      "promote:5->10",
      "promote:10->25",
      "promote:25->50",
      "complete:50->100",
    ]);
    const state = t.history().state;
    expect(state?.revisions).toHaveLength(6);
    const last = t.queries[t.queries.length - 1];
    expect(last?.revisions).toEqual(state?.revisions.slice(0, 5));
    expect(t.posts.map((p) => p.body.decision.action)).toEqual([
      "start",
      "hold",
      "promote",
      "hold",
      "promote",
      "hold",
      "promote",
      "hold",
      "promote",
      "hold",
      "complete",
    ]);
    expect(t.posts[2]?.body.text).toMatch(
      /^gray-router default: promote canary 1% -> 5%: promoted from 1% to 5%/,
    );
    const runsAfterIdle = t.queries.length;
    await t.run();
    expect(t.queries.length).toBe(runsAfterIdle);
  });

  it("rolls a failing canary back after two failing runs, with the figures in the history", async () => {
    const t = setup(analysed({}, 5), (q) => traffic(t.kv, 0.08)(q));
    await t.run();
    await t.run();
    expect(t.doc().weights.canary).toBe(5);
    await t.run();
    expect(t.doc().weights).toEqual({ stable: 100, canary: 0 });
    const rollback = t.history().entries.at(-1);
    expect(rollback).toMatchObject({
      action: "rollback",
      code: "checks_failed",
      written: true,
      from: 5,
      to: 0,
      failures: 2,
    });
    expect(rollback?.checks.find((c) => c.check === "error_rate_relative")).toMatchObject({
      status: "fail",
    });
    expect(rollback?.cohorts.map((c) => c.cohort)).toEqual(["canary", "stable"]);
    expect(t.history().state?.phase).toBe("idle");
  });

  it("keeps each history entry small: the verdict, each check's summary, cohort totals", async () => {
    const t = setup(analysed({}, 5), (q) => traffic(t.kv, 0.08)(q));
    await t.run();
    await t.run();
    await t.run();
    const entries = t.history().entries;
    const rollback = entries.at(-1);
    expect(rollback?.checks.length).toBeGreaterThanOrEqual(5);
    for (const check of rollback?.checks ?? []) {
      expect(check.summary).toBeDefined();
      expect(check.figures).toBeUndefined();
    }
    const bytes = (e: (typeof entries)[number]) =>
      new TextEncoder().encode(serialiseHistory({ state: null, entries: [e] })).length;
    // docs/canary-analysis.md ("History") states the size: under 3.5 KB an entry with six checks (4.5 KB with the working figures).
    expect(Math.max(...entries.map(bytes))).toBeLessThan(3584);
  });

  it("ramps down through rampDown steps after a rollback", async () => {
    const t = setup(
      analysed({ failuresToRollback: 1, rampDown: { steps: [20, 5], interval: 120 } }, 50),
      (q) => traffic(t.kv, 0.08)(q),
    );
    await t.run();
    await t.run();
    expect(t.doc().weights.canary).toBe(20);
    await t.run();
    expect(t.doc().weights.canary).toBe(20);
    await t.run();
    expect(t.doc().weights.canary).toBe(5);
    await t.run(2);
    expect(t.doc().weights.canary).toBe(0);
    expect(t.actions().filter((a) => !a.startsWith("hold"))).toEqual([
      "start:50->50",
      "rollback:50->20",
      "ramp_down:20->5",
      "ramp_down:5->0",
    ]);
  });

  it("in a dry run records what it would do and never writes the document", async () => {
    // The real canary keeps 1 % of the traffic, too little for the evidence gate above 10 %.
    const doc = analysed({ dryRun: true, interval: 60, evidence: null });
    const t = setup(doc, (q) => traffic(t.kv, 0.01)(q));
    for (let i = 0; i < 8; i++) {
      await t.run();
    }
    expect(t.doc()).toEqual(doc);
    const moves = t.history().entries.filter((e) => e.action === "promote");
    expect(moves.map((e) => [e.from, e.to, e.dryRun, e.written])).toEqual([
      [1, 5, true, false],
      [5, 10, true, false],
      [10, 25, true, false],
      [25, 50, true, false],
    ]);
    // The last step needs a full pass, which 1% of the traffic does not give within these minutes.
    expect(t.history().state?.weight).toBe(5000);
  });
});
