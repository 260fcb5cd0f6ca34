import { describe, expect, it } from "vitest";
import { overallVerdict } from "../../../src/core/judge/verdict";
import type { CheckName, CheckResult, ReasonCode, Status } from "../../../src/core/judge/types";

const result = (check: CheckName, status: Status, code?: ReasonCode): CheckResult => ({
  check,
  status,
  code:
    code ??
    (status === "pass" ? "within_limit" : status === "fail" ? "exceeds_limit" : "undecided"),
  reason: `${check} is ${status}`,
  figures: {},
  summary: {
    label: check,
    unit: "rate",
    estimate: null,
    lower: null,
    upper: null,
    limit: null,
    failAbove: true,
    samples: [],
  },
});

describe("overallVerdict", () => {
  it("fails if any check fails and lists every failure", () => {
    const v = overallVerdict([
      result("error_rate_absolute", "pass"),
      result("error_rate_relative", "fail"),
      result("latency_p99", "inconclusive"),
      result("sample_ratio", "fail", "sample_ratio_mismatch"),
    ]);
    expect(v.status).toBe("fail");
    expect(v.code).toBe("failed_checks");
    expect(v.failed).toEqual(["error_rate_relative", "sample_ratio"]);
    expect(v.reason).toContain("error_rate_relative");
    expect(v.reason).toContain("sample_ratio");
  });

  it("passes only when all checks pass", () => {
    const checks: CheckName[] = [
      "error_rate_absolute",
      "error_rate_relative",
      "latency_p50",
      "sample_ratio",
    ];
    const v = overallVerdict(checks.map((c) => result(c, "pass")));
    expect(v.status).toBe("pass");
    expect(v.code).toBe("all_passed");
    expect(v.pending).toEqual([]);
  });

  it("is inconclusive while some check is inconclusive, naming it", () => {
    const v = overallVerdict([
      result("error_rate_relative", "pass"),
      result("latency_p95", "inconclusive"),
    ]);
    expect(v.status).toBe("inconclusive");
    expect(v.code).toBe("pending_checks");
    expect(v.pending).toEqual(["latency_p95"]);
    expect(v.reason).toContain("latency_p95");
  });

  it("reports no data distinctly and never passes on it", () => {
    const v = overallVerdict([
      result("error_rate_absolute", "inconclusive", "no_data"),
      result("sample_ratio", "pass"),
    ]);
    expect(v.status).toBe("inconclusive");
    expect(v.code).toBe("no_data");
    // Even if the caller requires only passing checks.
    const w = overallVerdict(
      [result("error_rate_relative", "inconclusive", "no_data"), result("sample_ratio", "pass")],
      ["sample_ratio"],
    );
    expect(w.status).toBe("inconclusive");
    expect(w.code).toBe("no_data");
  });

  it("lets a failure win over no data", () => {
    const v = overallVerdict([
      result("error_rate_relative", "inconclusive", "no_data"),
      result("sample_ratio", "fail", "sample_ratio_mismatch"),
    ]);
    expect(v.status).toBe("fail");
  });

  it("honours an explicit required list", () => {
    const results = [result("error_rate_relative", "pass"), result("latency_p99", "inconclusive")];
    expect(overallVerdict(results, ["error_rate_relative"]).status).toBe("pass");
    const missing = overallVerdict(results, ["error_rate_relative", "sample_ratio"]);
    expect(missing.status).toBe("inconclusive");
    expect(missing.pending).toEqual(["sample_ratio"]);
    expect(missing.reason).toContain("sample_ratio: no result");
  });

  it("never passes with no checks", () => {
    expect(overallVerdict([]).status).toBe("inconclusive");
    expect(overallVerdict([]).code).toBe("no_checks");
    expect(overallVerdict([result("sample_ratio", "pass")], []).code).toBe("no_checks");
  });

  it("requires every result of a repeated check to pass", () => {
    const v = overallVerdict([
      result("latency_p50", "pass"),
      result("latency_p50", "inconclusive"),
    ]);
    expect(v.status).toBe("inconclusive");
  });
});
