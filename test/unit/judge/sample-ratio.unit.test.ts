import { describe, expect, it } from "vitest";
import { checkSampleRatio } from "../../../src/core/judge/sample-ratio";
import { DEFAULT_JUDGE_SETTINGS } from "../../../src/core/judge/settings";
import { cell, spread } from "./cells";

const settings = DEFAULT_JUDGE_SETTINGS;
const weights = { stable: 90, canary: 10 };
const check = (cells: ReturnType<typeof spread>, current = "r2", w = weights) =>
  checkSampleRatio(cells, current, w, "canary", settings);

describe("checkSampleRatio on new visitors", () => {
  it("passes when new visitors split as the weights say, whatever the requests do", () => {
    // One canary visitor made thousands of requests: requests are 50/50, new visitors 90/10.
    const r = check([
      ...spread({ cohort: "stable", stratum: "r2", rows: 9000, newRows: 900 }),
      ...spread({ cohort: "canary", stratum: "r2", rows: 9000, newRows: 100 }),
    ]);
    expect(r.status).toBe("pass");
    expect(r.summary).toMatchObject({ label: "canary share of new visitors", limit: 0.1 });
    expect(r.summary.estimate).toBeCloseTo(0.1, 12);
  });

  it("fails when new visitors do not split as the weights say", () => {
    const r = check([
      ...spread({ cohort: "stable", stratum: "r2", rows: 950, newRows: 950 }),
      ...spread({ cohort: "canary", stratum: "r2", rows: 50, newRows: 50 }),
    ]);
    expect(r.status).toBe("fail");
    expect(r.code).toBe("sample_ratio_mismatch");
    expect(r.figures["pValue"]).toBeLessThan(0.001);
  });

  it("looks at the current revision only", () => {
    const r = check([
      ...spread({ cohort: "stable", stratum: "r1", rows: 990, newRows: 990 }),
      ...spread({ cohort: "canary", stratum: "r1", rows: 10, newRows: 10 }),
      ...spread({ cohort: "stable", stratum: "r2", rows: 900, newRows: 900 }),
      ...spread({ cohort: "canary", stratum: "r2", rows: 100, newRows: 100 }),
    ]);
    expect(r.status).toBe("pass");
  });

  it("counts sampled new visitors at their effective size", () => {
    // 18 vs 2 stored rows standing for 1,000 visitors: too few to judge.
    const r = check([
      ...spread({ cohort: "stable", stratum: "r2", rows: 18, newRows: 18, weight: 50 }),
      ...spread({ cohort: "canary", stratum: "r2", rows: 2, newRows: 2, weight: 50 }),
    ]);
    expect(r.code).toBe("insufficient_data");
    expect(r.figures["effectiveVisitors"]).toBeCloseTo(20, 10);
  });

  it("fails when a cohort with weight 0 gets visitors", () => {
    const r = check(
      [
        ...spread({ cohort: "stable", stratum: "r2", rows: 100, newRows: 100 }),
        ...spread({ cohort: "canary", stratum: "r2", rows: 3, newRows: 3 }),
      ],
      "r2",
      { stable: 100, canary: 0 },
    );
    expect(r.status).toBe("fail");
  });

  it("waits while the current revision has no weights-decided requests", () => {
    expect(check([], "r2").code).toBe("insufficient_data");
  });
});

describe("checkSampleRatio without new visitors (application stickiness)", () => {
  const clustered = (canaryPerCluster: number, clusters = 64) =>
    Array.from({ length: clusters }, (_, i) => [
      cell({
        cohort: "stable",
        stratum: "r2",
        cluster: i,
        rows: 90,
        requests: 90,
        requestsSq: 90,
        assigned: 90,
      }),
      cell({
        cohort: "canary",
        stratum: "r2",
        cluster: i,
        rows: canaryPerCluster + (i % 5) - 2,
        requests: canaryPerCluster + (i % 5) - 2,
        requestsSq: canaryPerCluster + (i % 5) - 2,
        assigned: canaryPerCluster + (i % 5) - 2,
      }),
    ]).flat();

  it("tests the canary's share of requests with bucket clusters as units", () => {
    const r = check(clustered(10));
    expect(r.status).toBe("pass");
    expect(r.summary.label).toBe("canary share of requests (bucket clusters)");
  });

  it("fails a share far from the weights", () => {
    expect(check(clustered(30)).status).toBe("fail");
  });

  it("waits for enough clusters", () => {
    expect(check(clustered(10, 5)).code).toBe("insufficient_data");
  });
});
