/**
 * The report's header: the rollout's facts and its verdict in one sentence
 * with its reason. From `gray status`'s view (the CLI and the live page), or
 * from a document and its history alone (the simulation, which has no
 * status).
 */

import type { StatusView } from "../cli/status-view";
import { isRollback } from "../cli/controller-view";
import { STABLE } from "../core/cohort";
import { isJsonObject } from "../core/issues";
import type { ControlledDocument } from "../control/document";
import type { HistoryEntry } from "../control/history";
import type { ReportHead } from "./model";

/** The head from a status. */
export function headFromStatus(status: StatusView, entries: readonly HistoryEntry[]): ReportHead {
  const verdict = status.verdict;
  const last = entries[entries.length - 1];
  const controller = status.controller;
  const next = "next" in controller && controller.next !== null ? controller.next : null;
  const change = status.lastChange;
  return {
    key: status.key,
    at: status.at,
    weights: status.document.weights,
    canary: canaryOf(status.document.analysis, status.document.weights, entries),
    header: {
      revision: status.document.revision,
      origins: Object.entries(status.document.origins),
      weights: Object.entries(status.document.weights),
      state: controller.state,
      summary: controller.summary,
      verdict:
        verdict === null
          ? lastDecision(controller.summary, last)
          : `Judge: ${verdict.status}: ${verdict.reason}${next === null ? "" : `. Next run: ${next.action} (${next.code})`}`,
      verdictStatus: verdict?.status ?? (last !== undefined && isRollback(last) ? "fail" : "none"),
      lastChange:
        change === null
          ? null
          : `${change.action} by ${change.by} at ${change.at ?? "?"}${change.reason === "" ? "" : ` (${change.reason})`}`,
    },
  };
}

/** The head from a document and its history (no live judgement). */
export function headFromDocument(
  doc: ControlledDocument,
  entries: readonly HistoryEntry[],
  at: number,
): ReportHead {
  const weights = Object.fromEntries([...doc.weights].map(([c, w]) => [c, w / 100]));
  const last = entries[entries.length - 1];
  const state =
    last === undefined
      ? "waiting_for_controller"
      : last.action === "complete"
        ? "complete"
        : isRollback(last)
          ? "rolled_back"
          : "ramping";
  const origins = isJsonObject(doc.json["origins"]) ? doc.json["origins"] : {};
  return {
    key: doc.key,
    at: new Date(at).toISOString(),
    weights,
    canary: doc.analysis.canary,
    header: {
      revision: doc.revision,
      origins: Object.entries(origins).map(([c, o]) => [c, String(o)]),
      weights: Object.entries(weights),
      state,
      summary: `canary at ${weights[doc.analysis.canary] ?? 0}%`,
      verdict: lastDecision(state, last),
      verdictStatus:
        last === undefined
          ? "none"
          : isRollback(last)
            ? "fail"
            : state === "complete"
              ? "pass"
              : "none",
      lastChange: null,
    },
  };
}

function lastDecision(summary: string, last: HistoryEntry | undefined): string {
  return last === undefined
    ? summary
    : `${summary}. Last decision, ${last.action} at ${last.at}: ${last.reason}`;
}

function canaryOf(
  analysis: unknown,
  weights: Readonly<Record<string, number>>,
  entries: readonly HistoryEntry[],
): string | null {
  const named = isJsonObject(analysis) ? analysis["canary"] : undefined;
  if (typeof named === "string") {
    return named;
  }
  const others = Object.keys(weights).filter((c) => c !== STABLE);
  return others[0] ?? (entries.length > 0 ? "canary" : null);
}
