import { describe, expect, it } from "vitest";
import { readAnalysis } from "../../../src/core/analysis-schema";
import {
  appendEntry,
  HISTORY_LIMIT,
  parseHistory,
  serialiseHistory,
} from "../../../src/control/history";
import type { HistoryEntry } from "../../../src/control/history";
import { judgeWindow } from "../../../src/control/judging";
import type { CohortMetrics } from "../../../src/control/metrics-source";

function entry(fields: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    at: "2026-01-01T00:00:00.000Z",
    until: "2026-01-01T00:00:00.000Z",
    repeated: 1,
    action: "hold",
    code: "interval",
    reason: "waiting",
    dryRun: false,
    written: false,
    revision: "r1",
    from: 1,
    to: 1,
    failures: 0,
    verdict: null,
    checks: [],
    cohorts: [],
    ...fields,
  };
}

describe("history", () => {
  it("folds a repeated hold into the previous entry, keeping its first time", () => {
    const first = appendEntry([], entry());
    expect(first.isNew).toBe(true);
    const second = appendEntry(
      first.entries,
      entry({ at: "2026-01-01T00:01:00.000Z", until: "2026-01-01T00:01:00.000Z", reason: "newer" }),
    );
    expect(second.isNew).toBe(false);
    expect(second.entries).toEqual([
      entry({ repeated: 2, reason: "newer", until: "2026-01-01T00:01:00.000Z" }),
    ]);
  });

  it("starts a new entry when the action, code or revision changes", () => {
    let entries = appendEntry([], entry()).entries;
    for (const next of [
      entry({ code: "not_enough_data" }),
      entry({ action: "promote", code: "no_failure" }),
      entry({ action: "promote", code: "no_failure" }),
      entry({ revision: "r2" }),
    ]) {
      entries = appendEntry(entries, next).entries;
    }
    expect(entries.map((e) => [e.action, e.code, e.revision])).toEqual([
      ["hold", "interval", "r1"],
      ["hold", "not_enough_data", "r1"],
      ["promote", "no_failure", "r1"],
      ["promote", "no_failure", "r1"],
      ["hold", "interval", "r2"],
    ]);
  });

  it(`keeps the last ${HISTORY_LIMIT} entries`, () => {
    let entries: HistoryEntry[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      entries = appendEntry(entries, entry({ action: "promote", code: String(i) })).entries;
    }
    expect(entries).toHaveLength(HISTORY_LIMIT);
    expect(entries[0]?.code).toBe("5");
  });

  it("round-trips, rounding figures to 6 significant digits", () => {
    const record = {
      state: null,
      entries: [
        entry({
          checks: [
            {
              check: "x",
              status: "pass",
              code: "within_limit",
              figures: { p: 0.123456789, n: 12 },
            },
          ],
        }),
      ],
    };
    const parsed = parseHistory(serialiseHistory(record));
    expect(parsed.problem).toBeNull();
    expect(parsed.record.entries[0]?.checks[0]?.figures).toEqual({ p: 0.123457, n: 12 });
  });

  it("starts afresh, saying why, when the stored value is missing or broken", () => {
    expect(parseHistory(null)).toEqual({ record: { state: null, entries: [] }, problem: null });
    expect(parseHistory("{").problem).toMatch(/not JSON/);
    expect(parseHistory(JSON.stringify({ state: { phase: "x" }, entries: [] })).problem).toMatch(
      /unexpected shape \(state\./,
    );
  });
});

describe("judgeWindow", () => {
  const errors: string[] = [];
  const settings = readAnalysis({}, new Set(["stable", "canary"]), errors);
  const weights = new Map([
    ["stable", 9000],
    ["canary", 1000],
  ]);
  const cohort = (
    name: string,
    requests: number,
    errorCount: number,
    stepRequests: number,
    rows = requests,
  ): CohortMetrics => ({
    cohort: name,
    requests,
    errors: errorCount,
    stepRequests,
    rows,
    latencyMs: { p50: 100, p95: 200, p99: 400 },
  });

  it("checks the sample ratio on the current step's weights-decided requests only", () => {
    if (settings === null) {
      throw new Error(errors.join("; "));
    }
    // Cumulative counts from a 50/50 earlier step would be a mismatch against 90/10; the step's own are not.
    const j = judgeWindow(
      { cohorts: [cohort("stable", 50_000, 500, 9_000), cohort("canary", 50_000, 500, 1_000)] },
      settings,
      weights,
    );
    expect(j.results.find((r) => r.check === "sample_ratio")?.status).toBe("pass");
    expect(j.verdict.status).toBe("pass");
    const off = judgeWindow(
      { cohorts: [cohort("stable", 50_000, 500, 9_500), cohort("canary", 50_000, 500, 500)] },
      settings,
      weights,
    );
    expect(off).toMatchObject({ sampleRatioFailed: true, failing: [] });
  });

  it("raises the overdispersion to the mean sample interval of sampled data", () => {
    if (settings === null) {
      throw new Error(errors.join("; "));
    }
    const j = judgeWindow(
      {
        cohorts: [
          cohort("stable", 90_000, 900, 9_000, 9_000),
          cohort("canary", 10_000, 100, 1_000, 2_500),
        ],
      },
      settings,
      weights,
    );
    expect(j.overdispersion).toBe(10);
    expect(j.noData).toBe(false);
    const empty = judgeWindow({ cohorts: [] }, settings, weights);
    expect(empty).toMatchObject({ noData: true, enoughData: false, overdispersion: 1 });
  });
});
