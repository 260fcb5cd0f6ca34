/**
 * Combines check results into one decision for the rollout controller.
 */

import type { CheckName, CheckResult, Verdict } from "./types";

/**
 * Overall verdict: `fail` if any check failed (all failures are listed);
 * otherwise `inconclusive` with code `no_data` if any check saw a cohort with
 * no requests (so an empty canary can never pass); otherwise `pass` only if
 * every required check is present and passed; otherwise `inconclusive`.
 * `required` defaults to every check that has a result; an empty set of
 * checks is never a pass.
 */
export function overallVerdict(
  results: readonly CheckResult[],
  required?: readonly CheckName[],
): Verdict {
  const failed = unique(results.filter((r) => r.status === "fail").map((r) => r.check));
  if (failed.length > 0) {
    const details = results
      .filter((r) => r.status === "fail")
      .map((r) => `${r.check}: ${r.reason}`)
      .join("; ");
    return {
      status: "fail",
      code: "failed_checks",
      reason: `failed ${details}`,
      failed,
      pending: [],
    };
  }

  const requiredChecks = unique(required ?? results.map((r) => r.check));
  // A check counts as passed only if it has results and all of them pass.
  const pending = requiredChecks.filter((check) => {
    const own = results.filter((r) => r.check === check);
    return own.length === 0 || own.some((r) => r.status !== "pass");
  });

  const empty = results.filter((r) => r.code === "no_data");
  if (empty.length > 0) {
    const details = unique(empty.map((r) => r.reason)).join("; ");
    return {
      status: "inconclusive",
      code: "no_data",
      reason: `no data: ${details}`,
      failed: [],
      pending,
    };
  }
  if (requiredChecks.length === 0) {
    return {
      status: "inconclusive",
      code: "no_checks",
      reason: "no checks were evaluated",
      failed: [],
      pending: [],
    };
  }
  if (pending.length === 0) {
    return {
      status: "pass",
      code: "all_passed",
      reason: `all ${String(requiredChecks.length)} required checks passed`,
      failed: [],
      pending: [],
    };
  }
  const details = pending
    .map((check) => {
      const own = results.find((r) => r.check === check && r.status !== "pass");
      return own === undefined ? `${check}: no result` : `${check}: ${own.reason}`;
    })
    .join("; ");
  return {
    status: "inconclusive",
    code: "pending_checks",
    reason: `waiting for ${details}`,
    failed: [],
    pending,
  };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
