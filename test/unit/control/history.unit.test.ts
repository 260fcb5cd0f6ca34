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
import type { WindowMetrics } from "../../../src/control/metrics-source";
import { spread } from "../judge/cells";

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

describe("history written by the previous version", () => {
  it("is read, not dropped: checks without a summary, cohorts without the new figures", () => {
    const old = {
      state: {
        revision: "3f0c2a91",
        phase: "ramping",
        weight: 500,
        stepStartedAt: 1767225600000,
        analysisStartedAt: 1767224000000,
        revisions: ["9b1d44e0", "3f0c2a91"],
        failures: 0,
        noted: null,
      },
      entries: [
        entry({
          checks: [
            {
              check: "error_rate_relative",
              status: "inconclusive",
              code: "undecided",
              figures: { canaryRequests: 204 },
            },
          ],
          cohorts: [
            {
              cohort: "canary",
              requests: 204,
              errors: 2,
              stepRequests: 204,
              rows: 204,
              latencyMs: { p50: 99, p95: 231, p99: 402 },
            },
          ],
        }),
      ],
    };
    const parsed = parseHistory(JSON.stringify(old));
    expect(parsed.problem).toBeNull();
    expect(parsed.record).toEqual(old);
  });
});

describe("judgeWindow", () => {
  const errors: string[] = [];
  const settings = readAnalysis({}, new Set(["stable", "canary"]), errors);
  const weights = new Map([
    ["stable", 9000],
    ["canary", 1000],
  ]);
  const window = (cells: WindowMetrics["cells"], current = "r2"): WindowMetrics => ({
    strata: ["r1", "r2"],
    current,
    cells,
    quantiles: [],
  });

  it("checks the sample ratio on the current revision's new visitors only", () => {
    if (settings === null) {
      throw new Error(errors.join("; "));
    }
    // A 50/50 earlier revision would be a mismatch against 90/10; the current one's visitors are not.
    const earlier = [
      ...spread({ cohort: "stable", stratum: "r1", rows: 40_000, errors: 400, newRows: 5000 }),
      ...spread({ cohort: "canary", stratum: "r1", rows: 40_000, errors: 400, newRows: 5000 }),
    ];
    const now = (canaryNew: number) => [
      ...spread({ cohort: "stable", stratum: "r2", rows: 9000, errors: 90, newRows: 9000 }),
      ...spread({ cohort: "canary", stratum: "r2", rows: 1000, errors: 10, newRows: canaryNew }),
    ];
    const j = judgeWindow(window([...earlier, ...now(1000)]), settings, weights);
    expect(j.results.find((r) => r.check === "sample_ratio")?.status).toBe("pass");
    const off = judgeWindow(window([...earlier, ...now(500)]), settings, weights);
    expect(off).toMatchObject({ sampleRatioFailed: true, failing: [] });
  });

  it("says when there are no data or too few stored rows", () => {
    if (settings === null) {
      throw new Error(errors.join("; "));
    }
    expect(judgeWindow(window([]), settings, weights)).toMatchObject({
      noData: true,
      enoughData: false,
    });
    // 150 rows standing for 1,500 requests: not enough stored rows.
    const sampled = judgeWindow(
      window([
        ...spread({ cohort: "stable", stratum: "r2", rows: 1350, weight: 10 }),
        ...spread({ cohort: "canary", stratum: "r2", rows: 150, weight: 10 }),
      ]),
      settings,
      weights,
    );
    expect(sampled).toMatchObject({ noData: false, enoughData: false });
  });
});
