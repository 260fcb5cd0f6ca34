import { beforeEach, describe, expect, it } from "vitest";
import { canaryWeight, readDocument } from "../../src/control/document";
import type { MetricsQuery, MetricsSource, WindowMetrics } from "../../src/control/metrics-source";
import { windowOf } from "../unit/control/controller-harness";
import type { Project } from "./harness";
import { rollout, useProject } from "./harness";

// `gray wait` for CI: against the real local state while the real controller
// runs on a simulated clock (each of gray's polls is a few simulated
// seconds), with scripted figures: a healthy canary completes (exit 0), a
// failing one is rolled back (exit 1), a slow ramp times out (exit 2).

const use = useProject();
let project: Project;
beforeEach(() => {
  project = use();
});

const T0 = Date.UTC(2026, 0, 1, 12);
const ANALYSIS = { steps: [50, 100], interval: 60, minRequests: 100 };

/** Figures in proportion to the document's canary weight: plenty of requests, the given canary error rate. */
function figures(canaryErrorRate: number): MetricsSource {
  return {
    read: async (q: MetricsQuery): Promise<WindowMetrics> => {
      const read = readDocument(q.key, (await project.kv.get(q.key, { type: "text" })) ?? "");
      const share = read.kind === "managed" ? canaryWeight(read.doc) / 10_000 : 0;
      return windowOf(q, [
        { cohort: "stable", rows: 100_000 * (1 - share), errorRate: 0.01 },
        { cohort: "canary", rows: 100_000 * share, errorRate: canaryErrorRate },
      ]);
    },
  };
}

/** `gray wait` while the controller runs every simulated minute; gray polls every 10 simulated seconds. */
async function waitWith(source: MetricsSource, argv: string[] = []) {
  let now = T0;
  let nextRun = T0;
  const runDue = async () => {
    while (nextRun <= now) {
      await project.runController(nextRun, source);
      nextRun += 60_000;
    }
  };
  await runDue();
  return project.gray(["wait", ...argv], {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await runDue();
      return true;
    },
  });
}

describe("gray wait --local", () => {
  it("exits 0 when the controller completes the ramp, printing each decision", async () => {
    await project.kv.put("default", rollout(50, { analysis: ANALYSIS }));
    const run = await waitWith(figures(0.01));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(
      "waiting for rollout default (local) to complete or roll back; timeout 2 h",
    );
    expect(run.stdout).toMatch(/complete +stopped +50 % → 100 %/);
    expect(run.stdout).toMatch(
      /\ncomplete: all checks passed at 50%; the canary takes all traffic; ramp complete\n$/,
    );
  });

  it("exits 1 when the controller rolls the canary back", async () => {
    await project.kv.put("default", rollout(50, { analysis: ANALYSIS }));
    const run = await waitWith(figures(0.2));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/rollback +checks_failed +50 % → 0 %/);
    expect(run.stdout).toMatch(
      /\nrolled back: rolled back from 50% to 0% after 2 failing run\(s\) in a row: failed /,
    );
  });

  it("exits 2 at the timeout, saying where the ramp stands", async () => {
    await project.kv.put("default", rollout(50, { analysis: { ...ANALYSIS, interval: 3600 } }));
    const run = await waitWith(figures(0.01), ["--timeout", "2m", "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      version: 1,
      key: "default",
      target: "local",
      result: "timeout",
      exitCode: 2,
      reason: "still waiting after 2 min: ramping at 50%",
      elapsedSeconds: 120,
    });
  });

  it("does not take a `complete` left by an earlier release for this one's", async () => {
    await project.kv.put("default", rollout(50, { analysis: ANALYSIS }));
    expect((await waitWith(figures(0.01))).code).toBe(0);
    // A new release: the canary back at its first step, as a CI job would put it.
    await project.kv.put("default", rollout(50, { analysis: ANALYSIS, salt: "release-2" }));
    const run = await waitWith(figures(0.2));
    expect(run.code).toBe(1);
  });

  it("exits 130 when interrupted", async () => {
    await project.kv.put("default", rollout(50, { analysis: { ...ANALYSIS, interval: 3600 } }));
    await project.runController(T0, figures(0.01));
    const run = await project.gray(["wait"], {
      now: () => T0,
      sleep: () => Promise.resolve(false),
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toBe("");
  });
});
