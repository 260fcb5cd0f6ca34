import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/errors";
import { helpText } from "../../src/cli/help";
import { parseDuration } from "../../src/cli/args";
import { controllerView } from "../../src/cli/controller-view";
import { waitState } from "../../src/cli/commands/wait";
import { cut } from "../../src/cli/render/terminal";
import { sparkline } from "../../src/cli/render/spark";
import { nextRun } from "../../src/cli/schedule";
import { readDocument } from "../../src/control/document";
import type { HistoryEntry, HistoryRecord, StepState } from "../../src/control/history";
import { rollout } from "./harness";

// The CLI's pure pieces: durations, the controller's schedule, sparklines,
// line cutting, the controller's next step, and when a wait is over.

const T0 = Date.UTC(2026, 0, 1, 12, 0, 20);

describe("durations", () => {
  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["15m", 900_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5m", 90_000],
  ])("%s is %i ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "soon", "2 h", "h", "1x", "-5m"])("%j is not a duration", (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe("the controller's schedule", () => {
  it("every minute: the next minute; every N minutes: the next multiple", () => {
    expect(nextRun(["* * * * *"], T0)).toBe(Date.UTC(2026, 0, 1, 12, 1));
    expect(nextRun(["*/5 * * * *"], T0)).toBe(Date.UTC(2026, 0, 1, 12, 5));
    expect(nextRun(["*/5 * * * *", "* * * * *"], T0)).toBe(Date.UTC(2026, 0, 1, 12, 1));
  });

  it("does not guess other schedules", () => {
    expect(nextRun(["0 3 * * *"], T0)).toBeNull();
    expect(nextRun([], T0)).toBeNull();
  });
});

describe("sparklines and lines", () => {
  it("draws heights from the scale; a missing value is a blank", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], { min: 0 })).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([0, null, 7], { min: 0 })).toBe("▁ █");
    expect(sparkline([null, null])).toBe("  ");
    // A flat low error rate stays low against the floor of the scale.
    expect(sparkline([0.001, 0.001], { min: 0, atLeast: 0.01 })).toBe("▂▂");
  });

  it("cuts to the width without breaking colour sequences", () => {
    const red = "\u001b[31mabcdef\u001b[39m";
    expect(cut(red, 3)).toBe("\u001b[31mabc\u001b[39m");
    expect(cut("abc", 10)).toBe("abc");
  });
});

const ANALYSIS = { steps: [10, 50, 100], interval: 60, rampDown: { steps: [5] } };

function managed(text: string) {
  const read = readDocument("default", text);
  if (read.kind !== "managed") {
    throw new Error("expected a managed document");
  }
  return read;
}

function state(fields: Partial<StepState> & { revision: string }): StepState {
  return {
    phase: "ramping",
    weight: 1000,
    stepStartedAt: T0 - 30_000,
    analysisStartedAt: T0 - 30_000,
    revisions: [fields.revision],
    failures: 0,
    noted: null,
    ...fields,
  };
}

function entry(fields: Partial<HistoryEntry>): HistoryEntry {
  return {
    at: new Date(T0).toISOString(),
    until: new Date(T0).toISOString(),
    repeated: 1,
    action: "hold",
    code: "interval",
    reason: "",
    dryRun: false,
    written: false,
    revision: "",
    from: 10,
    to: 10,
    failures: 0,
    verdict: null,
    checks: [],
    cohorts: [],
    ...fields,
  };
}

describe("the controller's next step, as the policy would take it", () => {
  const next = Date.UTC(2026, 0, 1, 12, 1);

  it("before the controller has seen a revision: it will record it (a manual rollback goes on down)", () => {
    const text = rollout(5, {
      analysis: ANALYSIS,
      change: { action: "rollback", by: "alice", at: new Date(T0).toISOString() },
    });
    const { doc } = managed(text);
    const view = controllerView({
      doc,
      state: null,
      last: null,
      judged: null,
      now: T0,
      nextRunAt: next,
    });
    expect(view.state).toBe("waiting_for_controller");
    expect(view.next).toEqual({
      at: new Date(next).toISOString(),
      action: "manual",
      code: "rollback",
      reason: "records rollback by alice and rolls back from 5% through rampDown",
      target: 5,
    });
  });

  it("paused: nothing", () => {
    const { doc } = managed(rollout(10, { analysis: { ...ANALYSIS, paused: true } }));
    const view = controllerView({
      doc,
      state: null,
      last: null,
      judged: null,
      now: T0,
      nextRunAt: next,
    });
    expect(view).toMatchObject({ state: "paused", next: null });
  });

  it("ramping within the interval: hold; with figures that cannot be read: an error hold", () => {
    const { doc } = managed(rollout(10, { analysis: ANALYSIS }));
    const s = state({ revision: doc.revision });
    const held = controllerView({
      doc,
      state: s,
      last: null,
      judged: { error: "network: down" },
      now: T0,
      nextRunAt: next,
    });
    expect(held.next).toMatchObject({ action: "error", code: "metrics_unavailable", target: 10 });
  });

  it("rolling back through rampDown: the next step down once its interval has passed", () => {
    const { doc } = managed(rollout(5, { analysis: ANALYSIS }));
    const s = state({
      revision: doc.revision,
      phase: "rolling_back",
      weight: 500,
      stepStartedAt: T0 - 120_000,
    });
    const view = controllerView({
      doc,
      state: s,
      last: null,
      judged: null,
      now: T0,
      nextRunAt: next,
    });
    expect(view.next).toMatchObject({ action: "ramp_down", code: "rolled_back", target: 0 });
  });

  it("idle after completing, or at 0 after a rollback", () => {
    const { doc } = managed(rollout(100, { analysis: ANALYSIS }));
    const done = controllerView({
      doc,
      state: state({ revision: doc.revision, phase: "idle", weight: 10_000 }),
      last: entry({ action: "complete", code: "stopped" }),
      judged: null,
      now: T0,
      nextRunAt: next,
    });
    expect(done).toMatchObject({ state: "complete", summary: "ramp complete at 100%", next: null });
    const zero = managed(rollout(0, { analysis: ANALYSIS })).doc;
    const back = controllerView({
      doc: zero,
      state: state({ revision: zero.revision, phase: "idle", weight: 0 }),
      last: entry({ action: "rollback", code: "checks_failed", to: 0 }),
      judged: null,
      now: T0,
      nextRunAt: next,
    });
    expect(back.state).toBe("rolled_back");
    expect(back.summary).toBe(
      "canary at 0% after a rollback: a new first weight starts a ramp (gray set canary=10)",
    );
  });
});

describe("when a wait is over", () => {
  const text = rollout(50, { analysis: ANALYSIS });
  const read = readDocument("default", text);
  const revision = managed(text).doc.revision;
  const record = (s: StepState | null, entries: HistoryEntry[] = []): HistoryRecord => ({
    state: s,
    entries,
  });

  it("waits until the controller has seen the revision in force", () => {
    expect(waitState(read, revision, record(state({ revision: "other" })))).toEqual({
      kind: "waiting",
      why: `the controller has not seen revision ${revision} yet`,
    });
  });

  it("complete, rolled back, or still going", () => {
    const idle = state({ revision, phase: "idle", weight: 0 });
    expect(
      waitState(read, revision, record(idle, [entry({ action: "complete", reason: "done" })])),
    ).toEqual({ kind: "complete", why: "done" });
    expect(
      waitState(
        read,
        revision,
        record(idle, [entry({ action: "manual", code: "rollback", reason: "by alice" })]),
      ),
    ).toEqual({
      kind: "rolled_back",
      why: "by alice",
    });
    expect(waitState(read, revision, record(state({ revision }))).kind).toBe("waiting");
  });
});

describe("the documented exit codes", () => {
  it("docs/cli.md and --help list every code the CLI returns", async () => {
    const docs = await readFile(
      path.resolve(import.meta.dirname, "..", "..", "docs", "cli.md"),
      "utf8",
    );
    const help = helpText(null);
    for (const code of Object.values(EXIT)) {
      expect(docs, `docs/cli.md: exit ${code}`).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
      expect(help, `--help: exit ${code}`).toMatch(new RegExp(`(^|[ :·])${code} `, "m"));
    }
  });
});
