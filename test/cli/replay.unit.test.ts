import { beforeAll, describe, expect, it } from "vitest";
import { readDocument } from "../../src/control/document";
import type { ControlledDocument } from "../../src/control/document";
import { historyKey, parseHistory } from "../../src/control/history";
import type { HistoryEntry } from "../../src/control/history";
import { readAndJudge } from "../../src/control/judging";
import { runController } from "../../src/control/controller";
import { RecordedMetricsSource } from "../../src/control/recorded-source";
import type { RecordedPoint } from "../../src/control/recorded-source";
import { exportColumns, importColumns } from "../../src/report/point-columns";
import type { PointColumns } from "../../src/report/point-columns";
import { REPLAY_BUDGET, replayChecks, replayPlan, replayPoints } from "../../src/report/replay";
import type { ReplayInput } from "../../src/report/replay";
import { normal, sfc32 } from "../../scripts/simulate/random";
import { MemoryKv } from "../support/memory-kv";
import { positionalPoint } from "./points";

// The report's judge replay reads its minutes through a window that moves
// forward over the points (each point added and removed once). What it must
// show is what the controller's own reading of the same points gives: here
// every replayed minute is read again the plain way (the recorded-points
// twin over that minute's points, the replay before the moving window) and
// compared, on a rollout played through the real controller with a ramp,
// holds, a manual change (a second revision) and a rollback, long and busy
// enough that only every n-th minute is replayed.

const KEY = "default";
const MINUTES = 150;
const PER_MINUTE = 200;
const ANALYSIS = {
  steps: [5, 25, 50, 100],
  interval: 1200,
  window: 3600,
  minRequests: 100,
  failuresToRollback: 2,
  // This rollout is about the replay, not the evidence gate: at 10 canary requests a
  // minute the gate would hold it at 5 % for most of the run, with no promotion to replay.
  evidence: null,
};

function rolloutText(canary: number, by: string): string {
  return JSON.stringify({
    origins: { stable: "http://127.0.0.1:8701", canary: "http://127.0.0.1:8702" },
    weights: { stable: 100 - canary, canary },
    analysis: ANALYSIS,
    change: { action: "edit", by, reason: "test", at: new Date(START).toISOString() },
  });
}

const START = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A rollout through the real controller: healthy, a manual edit at minute 60, failing from 120. */
async function record(): Promise<{
  doc: ControlledDocument;
  entries: HistoryEntry[];
  points: RecordedPoint[];
}> {
  const kv = new MemoryKv();
  const points: RecordedPoint[] = [];
  const random = sfc32(7);
  let now = START;
  const controller = (): Promise<unknown> =>
    runController(
      { ROLLOUTS: kv },
      {
        now: () => now,
        fetch: () => Promise.reject(new Error("no webhook here")),
        metrics: new RecordedMetricsSource(
          () => points,
          () => now,
        ),
        log: () => undefined,
      },
    );
  await kv.put(KEY, rolloutText(5, "tester"));
  await controller();
  for (let minute = 0; minute < MINUTES; minute++) {
    if (minute === 60) {
      const current = JSON.parse((await kv.get(KEY)) ?? "{}") as {
        weights: { canary: number };
      };
      await kv.put(KEY, rolloutText(current.weights.canary, "someone"));
    }
    const text = (await kv.get(KEY)) ?? "";
    const read = readDocument(KEY, text);
    if (read.kind !== "managed") {
      throw new Error("the recorded rollout is not managed");
    }
    const weight = read.doc.weights.get("canary") ?? 0;
    const failing = minute >= 75;
    for (let i = 0; i < PER_MINUTE; i++) {
      const bucket = Math.floor(random() * 10_000);
      const canary = bucket < weight;
      const bad = canary && failing;
      points.push({
        at: now + Math.floor((i * 60_000) / PER_MINUTE),
        point: positionalPoint({
          revision: read.doc.revision,
          cohort: canary ? "canary" : "stable",
          bucket,
          status: random() < (bad ? 0.2 : 0.01) ? 500 : 200,
          durationMs: Math.round((bad ? 60 : 40) * Math.exp(0.4 * normal(random))),
          visitor: random() < 0.3 ? "new" : "returning",
          weightPercent: (canary ? weight : 10_000 - weight) / 100,
          // A few QA requests, which the analysis leaves out.
          decidedBy: i % 50 === 49 ? "override" : "weights",
        }),
      });
    }
    now += 60_000;
    await controller();
  }
  const text = (await kv.get(KEY)) ?? "";
  const read = readDocument(KEY, text);
  if (read.kind !== "managed") {
    throw new Error("the recorded rollout is not managed");
  }
  const entries = parseHistory(await kv.get(historyKey(KEY))).record.entries;
  return { doc: read.doc, entries: [...entries], points };
}

describe("the judge replay", () => {
  let recorded: Awaited<ReturnType<typeof record>>;
  let input: ReplayInput;
  beforeAll(async () => {
    recorded = await record();
    input = {
      doc: recorded.doc,
      entries: recorded.entries,
      points: replayPoints(recorded.points, KEY),
      from: START,
      to: START + MINUTES * 60_000,
    };
  });

  it("is tested on a ramp with holds, a manual change and a rollback, replaying every n-th minute", () => {
    // Every point is this rollout's: the plan's indexes are the recorded points' too.
    expect(input.points.length).toBe(recorded.points.length);
    const actions = recorded.entries.map((e) => e.action);
    expect(actions).toContain("promote");
    expect(actions.filter((a) => a === "hold").length).toBeGreaterThanOrEqual(2);
    // The edit at minute 60 starts a new analysis on a second revision.
    expect(actions).toContain("start");
    expect(actions[actions.length - 1]).toBe("rollback");
    const plan = replayPlan(input);
    const minutes = plan.map((s) => s.at);
    // Over budget: fewer minutes than the rollout has, each decision's among them.
    const cost = plan.reduce((total, s) => total + (s.hi - s.lo), 0);
    expect(cost).toBeGreaterThan(0);
    expect(minutes.length).toBeLessThan(MINUTES);
    expect(minutes.length).toBeGreaterThan(MINUTES / 10);
    for (const e of recorded.entries) {
      expect(minutes).toContain(Math.ceil(Date.parse(e.at) / 60_000) * 60_000);
    }
    expect(new Set(plan.map((s) => s.state.revisions.join())).size).toBeGreaterThan(1);
    expect(REPLAY_BUDGET).toBeLessThan(MINUTES * PER_MINUTE * (ANALYSIS.window / 60));
  });

  it("gives at every replayed minute what the plain reading of that minute's points gives", async () => {
    const frames = await replayChecks(input);
    const plan = replayPlan(input);
    const expected = [];
    for (const step of plan) {
      const window = recorded.points.slice(step.lo, step.hi);
      const judged = await readAndJudge(
        step.doc,
        step.state,
        step.at,
        new RecordedMetricsSource(
          () => window,
          () => step.at,
        ),
      );
      if (!("error" in judged)) {
        expected.push({ at: step.at, results: judged.judgement.results });
      }
    }
    expect(frames.length).toBe(plan.length);
    expect(frames).toEqual(expected);
    // The comparison covers failing and passing checks, not only empty ones.
    const statuses = new Set(frames.flatMap((f) => f.results.map((r) => r.status)));
    expect(statuses).toContain("fail");
    expect(statuses).toContain("pass");
  });

  it("reads the collector's column export as the points it holds", () => {
    const since = START + 30 * 60_000;
    const imported = importColumns(exportColumns(recorded.points, KEY, since));
    expect(imported).toEqual(
      replayPoints(
        recorded.points.filter((p) => p.at >= since),
        KEY,
      ),
    );
    expect(importColumns(exportColumns(recorded.points, "another", 0))).toEqual([]);
  });

  it("refuses an export whose columns disagree, with the field and what was expected", () => {
    const good = exportColumns(recorded.points.slice(0, 10), KEY, 0);
    const bad = (change: Partial<PointColumns>): unknown => importColumns({ ...good, ...change });
    expect(bad({ status: good.status.slice(1) })).toEqual({
      error: "status: expected 10 values (as many as at), got 9",
    });
    expect(bad({ cohort: good.cohort.map(() => good.texts.length) })).toEqual({
      error: `cohort: expected positions in texts (0 to ${good.texts.length - 1})`,
    });
    expect(bad({ at: [...good.at].reverse() })).toEqual({
      error: "at: expected times in ascending order (value 1 goes back)",
    });
  });
});
