import guide from "../../../docs/canary-analysis.md?raw";
import { describe, expect, it } from "vitest";
import {
  ANALYSIS_DEFAULTS,
  ANALYSIS_FIELDS,
  readAnalysis,
} from "../../../src/core/analysis-schema";
import type { AnalysisSettings } from "../../../src/core/analysis-schema";

const TWO = new Set(["stable", "canary"]);

function accepted(raw: unknown, cohorts: ReadonlySet<string> = TWO): AnalysisSettings {
  const errors: string[] = [];
  const settings = readAnalysis(raw, cohorts, errors);
  if (settings === null) {
    throw new Error(`expected valid settings, got ${errors.join(" | ")}`);
  }
  expect(errors).toEqual([]);
  return settings;
}

function rejected(raw: unknown, cohorts: ReadonlySet<string> = TWO): string[] {
  const errors: string[] = [];
  expect(readAnalysis(raw, cohorts, errors)).toBeNull();
  expect(errors.length).toBeGreaterThan(0);
  return errors;
}

describe("readAnalysis", () => {
  it("is null without errors when the block is absent", () => {
    const errors: string[] = [];
    expect(readAnalysis(undefined, TWO, errors)).toBeNull();
    expect(errors).toEqual([]);
  });

  it("fills every default for an empty block, the canary being the only non-stable cohort", () => {
    expect(accepted({})).toEqual({
      canary: "canary",
      steps: [100, 500, 1000, 2500, 5000, 10_000],
      intervalSeconds: ANALYSIS_DEFAULTS.interval,
      windowSeconds: ANALYSIS_DEFAULTS.window,
      minRequests: 200,
      maxErrorRate: 0.05,
      errorMargin: 0.005,
      relativeErrorMargin: 0.5,
      maxLatencyRatio: { p50: 1.2, p95: 1.25, p99: 1.5 },
      minLatencyRequests: { p50: 200, p95: 400, p99: 1000 },
      minLatencyDeltaMs: 0,
      overdispersion: 1,
      failuresToRollback: 2,
      onNoData: "hold",
      promoteWhen: "no-failure",
      passTimeoutSeconds: 3600,
      evidence: { aboveHundredths: 1000, standardErrors: 2 },
      paused: false,
      dryRun: false,
      onComplete: "stop",
      rampDown: null,
      webhook: null,
    });
  });

  it("reads every field", () => {
    const settings = accepted(
      {
        canary: "beta",
        steps: [0.5, 2.25, 50],
        interval: 120,
        window: 3600,
        minRequests: 500,
        maxErrorRate: null,
        errorMargin: 0.01,
        relativeErrorMargin: 1,
        maxLatencyRatio: { p50: null, p99: 2 },
        minLatencyRequests: { p95: 2000 },
        minLatencyDeltaMs: 5,
        overdispersion: 3,
        failuresToRollback: 3,
        onNoData: "rollback",
        promoteWhen: "pass",
        passTimeout: 900,
        evidence: { above: 25, standardErrors: 3 },
        paused: true,
        dryRun: true,
        onComplete: "promote",
        rampDown: { steps: [25, 5], interval: 120 },
        webhook: "https://hooks.example.com/services/T0/B0/x",
      },
      new Set(["stable", "canary", "beta"]),
    );
    expect(settings).toMatchObject({
      canary: "beta",
      steps: [50, 225, 5000],
      intervalSeconds: 120,
      windowSeconds: 3600,
      maxErrorRate: null,
      maxLatencyRatio: { p50: null, p95: 1.25, p99: 2 },
      minLatencyRequests: { p50: 200, p95: 2000, p99: 1000 },
      onNoData: "rollback",
      promoteWhen: "pass",
      passTimeoutSeconds: 900,
      evidence: { aboveHundredths: 2500, standardErrors: 3 },
      paused: true,
      dryRun: true,
      onComplete: "promote",
      rampDown: { steps: [2500, 500, 0], intervalSeconds: 120 },
      webhook: "https://hooks.example.com/services/T0/B0/x",
    });
  });

  it("reads the evidence gate: partial objects keep the other default, null turns it off", () => {
    expect(accepted({ evidence: { standardErrors: 2.5 } }).evidence).toEqual({
      aboveHundredths: 1000,
      standardErrors: 2.5,
    });
    expect(accepted({ evidence: { above: 0 } }).evidence).toEqual({
      aboveHundredths: 0,
      standardErrors: 2,
    });
    expect(accepted({ evidence: null }).evidence).toBeNull();
  });

  it("is documented: one row per field in docs/canary-analysis.md, the gate's default as the code has it", () => {
    for (const field of ANALYSIS_FIELDS) {
      expect(guide).toMatch(new RegExp(`^\\| \`${field}\` +\\|`, "m"));
    }
    const { above, standardErrors } = ANALYSIS_DEFAULTS.evidence;
    expect(guide).toContain(`| \`{"above": ${above}, "standardErrors": ${standardErrors}}\``);
  });

  it("allows plain http webhooks on loopback only", () => {
    expect(accepted({ webhook: "http://127.0.0.1:9/hook" }).webhook).toBe(
      "http://127.0.0.1:9/hook",
    );
    expect(rejected({ webhook: "http://hooks.example.com/x" })).toEqual([
      "analysis.webhook: expected an https URL without credentials (http only for localhost)",
    ]);
    expect(rejected({ webhook: "https://user:secret@hooks.example.com/" })[0]).toMatch(
      /^analysis\.webhook: /,
    );
    expect(rejected({ webhook: "not a url" })[0]).toMatch(/^analysis\.webhook: /);
  });

  it.each([
    [{ wat: 1 }, /^analysis\.wat: unknown field \(allowed: canary, steps, /],
    [[], /^analysis: expected an object with fields canary, /],
    [{ steps: [] }, /^analysis\.steps: expected at least one step$/],
    [{ steps: [5, 1] }, /^analysis\.steps: expected strictly ascending percents$/],
    [{ steps: [1, 1] }, /^analysis\.steps: expected strictly ascending percents$/],
    [{ steps: [0, 10] }, /^analysis\.steps\[0\]: expected a percent above 0, at most 100/],
    [
      { steps: [10.555] },
      /^analysis\.steps\[0\]: expected a percent above 0, at most 100, with at most two decimals$/,
    ],
    [{ steps: ["5"] }, /^analysis\.steps\[0\]: expected a percent \(a JSON number\)$/],
    [{ interval: 30 }, /^analysis\.interval: expected an integer from 60 to 86400$/],
    [{ interval: 90.5 }, /^analysis\.interval: expected an integer from 60 to 86400$/],
    [{ window: 60 }, /^analysis\.window: expected an integer from 300 to 86400$/],
    [{ minRequests: 0 }, /^analysis\.minRequests: expected an integer from 1 to/],
    [{ maxErrorRate: 1 }, /^analysis\.maxErrorRate: expected a rate above 0 and below 1, or null$/],
    [{ errorMargin: -0.1 }, /^analysis\.errorMargin: expected a rate from 0 to below 1$/],
    [
      { relativeErrorMargin: "big" },
      /^analysis\.relativeErrorMargin: expected a number from 0 to 100$/,
    ],
    [
      { maxLatencyRatio: { p90: 2 } },
      /^analysis\.maxLatencyRatio\.p90: unknown field \(allowed: p50, p95, p99\)$/,
    ],
    [{ maxLatencyRatio: { p95: 0 } }, /^analysis\.maxLatencyRatio\.p95: expected a ratio above 0/],
    [
      { minLatencyRequests: { p99: 0.5 } },
      /^analysis\.minLatencyRequests\.p99: expected an integer from 1 to/,
    ],
    [{ overdispersion: 0.5 }, /^analysis\.overdispersion: expected a number from 1 to 1000$/],
    [{ failuresToRollback: 0 }, /^analysis\.failuresToRollback: expected an integer from 1 to 60$/],
    [{ onNoData: "promote" }, /^analysis\.onNoData: expected "hold" or "rollback"$/],
    [{ promoteWhen: "always" }, /^analysis\.promoteWhen: expected "no-failure" or "pass"$/],
    [
      { passTimeout: 30 },
      /^analysis\.passTimeout: expected seconds \(an integer from 60 to 604800\), or null$/,
    ],
    [{ passTimeout: "1h" }, /^analysis\.passTimeout: expected seconds/],
    [
      { evidence: { above: 100 } },
      /^analysis\.evidence\.above: expected a percent from 0 to below 100, with at most two decimals$/,
    ],
    [
      { evidence: { standardErrors: 0 } },
      /^analysis\.evidence\.standardErrors: expected a number from 0.5 to 10$/,
    ],
    [
      { evidence: { above: 10, sigma: 2 } },
      /^analysis\.evidence\.sigma: unknown field \(allowed: above, standardErrors\)$/,
    ],
    [{ evidence: [] }, /^analysis\.evidence: expected an object with fields above, standardErrors/],
    [{ paused: "yes" }, /^analysis\.paused: expected true or false$/],
    [{ dryRun: 1 }, /^analysis\.dryRun: expected true or false$/],
    [{ onComplete: "delete" }, /^analysis\.onComplete: expected "stop" or "promote"$/],
    [
      { rampDown: { steps: [5, 25] } },
      /^analysis\.rampDown\.steps: expected strictly descending percents/,
    ],
    [
      { rampDown: { steps: [100] } },
      /^analysis\.rampDown\.steps\[0\]: expected a percent above 0 and below 100/,
    ],
    [
      { rampDown: { steps: [10], every: 60 } },
      /^analysis\.rampDown\.every: unknown field \(allowed: steps, interval\)$/,
    ],
    [{ rampDown: {} }, /^analysis\.rampDown\.steps: required$/],
  ])("rejects %j with a message naming the field", (raw, message) => {
    expect(rejected(raw)).toContainEqual(expect.stringMatching(message));
  });

  it("reports every problem, not just the first", () => {
    expect(rejected({ interval: 1, window: 1, typo: true })).toHaveLength(3);
  });

  it("needs the canary named when there are several non-stable cohorts, and never analyses stable", () => {
    const three = new Set(["stable", "a", "b"]);
    expect(rejected({}, three)).toEqual([
      "analysis.canary: required when there are several non-stable cohorts (a, b)",
    ]);
    expect(accepted({ canary: "b" }, three).canary).toBe("b");
    expect(rejected({}, new Set(["stable"]))).toEqual([
      "analysis.canary: no cohort besides stable to analyse (add one to origins)",
    ]);
    expect(rejected({ canary: "stable" })[0]).toMatch(
      /^analysis\.canary: "stable" is the baseline/,
    );
    expect(rejected({ canary: "gamma" })).toEqual([
      'analysis.canary: unknown cohort "gamma" (it has no origin)',
    ]);
  });
});
