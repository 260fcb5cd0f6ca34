import { describe, expect, it } from "vitest";
import { readAnalysis } from "../../../src/core/analysis-schema";
import type { AnalysisSettings } from "../../../src/core/analysis-schema";
import type { StepState } from "../../../src/control/history";
import type { AnalysisJudgement } from "../../../src/control/judging";
import type { CheckName, Verdict } from "../../../src/core/judge";
import {
  decideRamp,
  decideRampDown,
  reachableSteps,
  rollbackTarget,
} from "../../../src/control/policy";
import type { PolicyInput } from "../../../src/control/policy";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function settings(raw: Record<string, unknown> = {}): AnalysisSettings {
  const errors: string[] = [];
  const s = readAnalysis({ interval: 600, ...raw }, new Set(["stable", "canary"]), errors);
  if (s === null) {
    throw new Error(errors.join("; "));
  }
  return s;
}

function state(weight: number, minutesAtStep = 10, failures = 0): StepState {
  return {
    revision: "r",
    phase: "ramping",
    weight,
    stepStartedAt: T0 - minutesAtStep * MINUTE,
    analysisStartedAt: T0 - 60 * MINUTE,
    revisions: ["r"],
    failures,
    noted: null,
  };
}

function judgement(
  status: Verdict["status"],
  options: {
    failed?: CheckName[];
    noData?: boolean;
    enoughData?: boolean;
    resolution?: number | null;
  } = {},
): AnalysisJudgement {
  const failed = options.failed ?? [];
  return {
    verdict: {
      status,
      code:
        status === "pass"
          ? "all_passed"
          : status === "fail"
            ? "failed_checks"
            : options.noData
              ? "no_data"
              : "pending_checks",
      reason: `verdict ${status}`,
      failed,
      pending: [],
    },
    results: failed.includes("sample_ratio")
      ? [
          {
            check: "sample_ratio",
            status: "fail",
            code: "sample_ratio_mismatch",
            reason: "srm",
            figures: {},
            summary: {
              label: "canary share of new visitors",
              unit: "share",
              estimate: 0.2,
              lower: 0.15,
              upper: 0.25,
              limit: 0.1,
              failAbove: null,
              samples: [],
            },
          },
        ]
      : [],
    failing: failed.filter((c) => c !== "sample_ratio"),
    sampleRatioFailed: failed.includes("sample_ratio"),
    noData: options.noData ?? false,
    enoughData: options.enoughData ?? true,
    resolution: options.resolution === undefined ? Number.POSITIVE_INFINITY : options.resolution,
  };
}

function decide(input: Partial<PolicyInput> & { judgement: PolicyInput["judgement"] }) {
  return decideRamp({
    settings: settings(),
    state: state(100),
    now: T0,
    maxWeight: 10_000,
    ...input,
  });
}

describe("decideRamp", () => {
  it("holds until the interval has passed at the step", () => {
    const d = decide({ state: state(100, 4), judgement: judgement("pass") });
    expect(d).toMatchObject({ action: "hold", code: "interval", target: 100 });
    expect(d.reason).toBe("at 1% for 4 of 10 minutes");
  });

  it("promotes an intermediate step on enough data and no failure, a pass not being needed", () => {
    expect(decide({ judgement: judgement("inconclusive") })).toMatchObject({
      action: "promote",
      code: "no_failure",
      target: 500,
    });
    expect(decide({ judgement: judgement("inconclusive", { enoughData: false }) })).toMatchObject({
      action: "hold",
      code: "not_enough_data",
    });
  });

  it("holds a promotion above evidence.above until the error margin is resolved", () => {
    // Default gate: above 10 %, the margin must be 2 standard errors.
    const short = judgement("inconclusive", { resolution: 1.6 });
    const gated = decide({ state: state(1000), judgement: short });
    expect(gated).toMatchObject({ action: "hold", code: "gathering_evidence", target: 1000 });
    expect(gated.reason).toContain("1.60 standard errors");
    expect(
      decide({ state: state(1000), judgement: judgement("inconclusive", { resolution: null }) }),
    ).toMatchObject({ action: "hold", code: "gathering_evidence" });
    expect(
      decide({ state: state(1000), judgement: judgement("inconclusive", { resolution: 2 }) }),
    ).toMatchObject({ action: "promote", code: "no_failure", target: 2500 });
    // Promotions up to the gate's weight are not held: 1 % and 5 % have little traffic.
    expect(decide({ state: state(100), judgement: short })).toMatchObject({
      action: "promote",
      target: 500,
    });
    expect(decide({ state: state(500), judgement: short })).toMatchObject({
      action: "promote",
      target: 1000,
    });
    // A canary started above the gate is held there too; null turns the gate off.
    expect(decide({ state: state(2500), judgement: short })).toMatchObject({
      action: "hold",
      code: "gathering_evidence",
    });
    const off = settings({ evidence: null });
    expect(decide({ settings: off, state: state(1000), judgement: short })).toMatchObject({
      action: "promote",
      target: 2500,
    });
    const stricter = settings({ evidence: { above: 1, standardErrors: 3 } });
    expect(
      decide({
        settings: stricter,
        state: state(100),
        judgement: judgement("inconclusive", { resolution: 2.5 }),
      }),
    ).toMatchObject({ action: "hold", code: "gathering_evidence" });
  });

  it("lets failing checks roll back a canary the evidence gate holds", () => {
    const failing = judgement("fail", { failed: ["error_rate_relative"], resolution: 1 });
    expect(decide({ state: state(1000, 12, 1), judgement: failing })).toMatchObject({
      action: "rollback",
      target: 0,
    });
  });

  it("needs a pass for every step with promoteWhen pass", () => {
    const s = settings({ promoteWhen: "pass" });
    expect(decide({ settings: s, judgement: judgement("inconclusive") })).toMatchObject({
      action: "hold",
      code: "waiting_for_pass",
    });
    expect(decide({ settings: s, judgement: judgement("pass") })).toMatchObject({
      action: "promote",
      code: "checks_passed",
    });
  });

  it("needs a pass for the last step, and completes there", () => {
    expect(decide({ state: state(5000), judgement: judgement("inconclusive") })).toMatchObject({
      action: "hold",
      code: "waiting_for_pass",
    });
    expect(decide({ state: state(5000), judgement: judgement("pass") })).toMatchObject({
      action: "complete",
      code: "stopped",
      target: 10_000,
      swap: false,
      phase: "idle",
    });
    const promote = settings({ onComplete: "promote" });
    expect(
      decide({ settings: promote, state: state(5000), judgement: judgement("pass") }),
    ).toMatchObject({ action: "complete", code: "promoted_to_stable", swap: true });
  });

  it("promotes the last step after passTimeout with no failing check and enough data", () => {
    // Default passTimeout: 60 minutes at the step.
    expect(decide({ state: state(5000, 59), judgement: judgement("inconclusive") })).toMatchObject({
      action: "hold",
      code: "waiting_for_pass",
    });
    const done = decide({ state: state(5000, 60), judgement: judgement("inconclusive") });
    expect(done).toMatchObject({ action: "complete", target: 10_000 });
    expect(done.reason).toContain("passTimeout");
    expect(
      decide({
        state: state(5000, 60),
        judgement: judgement("inconclusive", { enoughData: false }),
      }),
    ).toMatchObject({ action: "hold", code: "waiting_for_pass" });
    const never = settings({ passTimeout: null });
    expect(
      decide({ settings: never, state: state(5000, 600), judgement: judgement("inconclusive") }),
    ).toMatchObject({ action: "hold", code: "waiting_for_pass" });
    const pass = settings({ promoteWhen: "pass", passTimeout: 900 });
    expect(
      decide({ settings: pass, state: state(100, 15), judgement: judgement("inconclusive") }),
    ).toMatchObject({ action: "promote", code: "pass_timeout", target: 500 });
  });

  it("completes a ramp that ends below 100% after a pass at its last step", () => {
    const s = settings({ steps: [10, 50] });
    expect(
      decide({ settings: s, state: state(5000), judgement: judgement("inconclusive") }),
    ).toMatchObject({ action: "hold", code: "waiting_for_pass" });
    expect(decide({ settings: s, state: state(5000), judgement: judgement("pass") })).toMatchObject(
      { action: "complete", target: 5000, phase: "idle" },
    );
  });

  it("completes at once when a human already gave the canary everything", () => {
    expect(
      decide({ state: state(10_000, 0), judgement: judgement("inconclusive", { noData: true }) }),
    ).toMatchObject({ action: "complete" });
  });

  it("counts failing runs and rolls back after failuresToRollback in a row", () => {
    const first = decide({
      state: state(500, 2, 0),
      judgement: judgement("fail", { failed: ["error_rate_relative"] }),
    });
    expect(first).toMatchObject({ action: "hold", code: "failing", failures: 1, target: 500 });
    expect(first.reason).toMatch(/\(1 of 2 failing runs before a rollback\)$/);
    const second = decide({
      state: state(500, 2, 1),
      judgement: judgement("fail", { failed: ["error_rate_relative"] }),
    });
    expect(second).toMatchObject({
      action: "rollback",
      code: "checks_failed",
      target: 0,
      phase: "idle",
      failures: 2,
    });
    expect(second.reason).toMatch(
      /^rolled back from 5% to 0% after 2 failing run\(s\) in a row: verdict fail$/,
    );
  });

  it("resets the count after a run without failure", () => {
    expect(decide({ state: state(500, 2, 1), judgement: judgement("inconclusive") }).failures).toBe(
      0,
    );
  });

  it("rolls back through rampDown when one is set", () => {
    const s = settings({ failuresToRollback: 1, rampDown: { steps: [25, 5] } });
    expect(
      decide({
        settings: s,
        state: state(5000),
        judgement: judgement("fail", { failed: ["latency_p95"] }),
      }),
    ).toMatchObject({
      action: "rollback",
      target: 2500,
      phase: "rolling_back",
    });
    expect(
      decide({
        settings: s,
        state: state(500),
        judgement: judgement("fail", { failed: ["latency_p95"] }),
      }),
    ).toMatchObject({ target: 0, phase: "idle" });
  });

  it("never promotes without data, and holds (or fails) as onNoData says", () => {
    expect(decide({ judgement: judgement("inconclusive", { noData: true }) })).toMatchObject({
      action: "hold",
      code: "no_data",
    });
    const strict = settings({ onNoData: "rollback", failuresToRollback: 1 });
    expect(
      decide({ settings: strict, judgement: judgement("inconclusive", { noData: true }) }),
    ).toMatchObject({ action: "rollback", code: "no_data" });
  });

  it("lets a sample-ratio mismatch block promotion but never roll back", () => {
    const d = decide({
      state: state(100, 10, 1),
      judgement: judgement("fail", { failed: ["sample_ratio"] }),
    });
    expect(d).toMatchObject({ action: "hold", code: "sample_ratio_mismatch", failures: 0 });
    expect(d.reason).toBe("promotion blocked: srm");
  });

  it("holds on a metrics error without touching the failure count", () => {
    expect(
      decide({ state: state(500, 30, 1), judgement: { error: "timeout: slow" } }),
    ).toMatchObject({
      action: "error",
      code: "metrics_unavailable",
      failures: 1,
      target: 500,
    });
  });

  it("caps the steps at what other cohorts leave", () => {
    expect(reachableSteps([100, 500, 1000, 5000, 10_000], 7000)).toEqual([
      100, 500, 1000, 5000, 7000,
    ]);
    expect(reachableSteps([100, 500], 7000)).toEqual([100, 500]);
    expect(
      decide({ state: state(5000), maxWeight: 7000, judgement: judgement("pass") }),
    ).toMatchObject({ action: "promote", target: 7000 });
    expect(
      decide({ state: state(7000), maxWeight: 7000, judgement: judgement("pass") }),
    ).toMatchObject({ action: "complete", target: 7000 });
  });

  it("never raises a canary from 0 %", () => {
    expect(decide({ state: state(0), judgement: judgement("pass") })).toMatchObject({
      action: "hold",
      code: "at_zero",
      target: 0,
      phase: "idle",
    });
  });

  it("starts from the next step above a weight a human set between steps", () => {
    expect(decide({ state: state(700), judgement: judgement("inconclusive") })).toMatchObject({
      action: "promote",
      target: 1000,
    });
  });
});

describe("ramping down", () => {
  const s = settings({ rampDown: { steps: [25, 5], interval: 120 } });

  it("goes one ramp-down step lower per interval, then stops at 0", () => {
    expect(rollbackTarget(s.rampDown, 5000)).toBe(2500);
    expect(rollbackTarget(null, 5000)).toBe(0);
    const wait = decideRampDown(s, { ...state(2500, 1), phase: "rolling_back" }, T0);
    expect(wait).toMatchObject({
      action: "hold",
      code: "ramp_down_interval",
      phase: "rolling_back",
      target: 2500,
    });
    expect(decideRampDown(s, { ...state(2500, 2), phase: "rolling_back" }, T0)).toMatchObject({
      action: "ramp_down",
      target: 500,
      phase: "rolling_back",
    });
    expect(decideRampDown(s, { ...state(500, 2), phase: "rolling_back" }, T0)).toMatchObject({
      action: "ramp_down",
      code: "rolled_back",
      target: 0,
      phase: "idle",
    });
  });
});
