/**
 * Who made the revision in force, for `status`: the document's `change` (a
 * change made with gray), else the controller's own write from the history,
 * else "by other means" (a `wrangler kv key put` the controller has seen).
 */

import type { HistoryRecord } from "../control/history";
import type { Snapshot } from "./snapshot";

/** Who made the revision in force. */
export interface LastChangeView {
  readonly at: string | null;
  /** A person or job (manual), `controller`, or `unknown` (edited by other means). */
  readonly by: string;
  readonly source: "manual" | "controller" | "unknown";
  readonly action: string;
  readonly reason: string;
}

/** Who made the revision in force, from the document's `change` or the history. */
export function lastChange(
  snapshot: Snapshot,
  json: Readonly<Record<string, unknown>>,
): LastChangeView | null {
  const parsed = snapshot.rollout.parsed;
  const change = parsed.ok ? parsed.rollout.change : null;
  if (change !== null) {
    return {
      at: new Date(change.at).toISOString(),
      by: change.by,
      source: "manual",
      action: change.action,
      reason: change.reason,
    };
  }
  return controllerChange(snapshot.history, snapshot.rollout.revision, json);
}

function controllerChange(
  history: HistoryRecord,
  revision: string,
  json: Readonly<Record<string, unknown>>,
): LastChangeView | null {
  if (history.state?.revision !== revision) {
    return json["analysis"] === undefined
      ? null
      : {
          at: null,
          by: "unknown",
          source: "unknown",
          action: "edit",
          reason: "not seen by the controller yet",
        };
  }
  const entry = [...history.entries].reverse().find((e) => e.written || e.action === "start");
  if (entry === undefined) {
    return null;
  }
  return entry.action === "start"
    ? {
        at: entry.at,
        by: "unknown",
        source: "unknown",
        action: "edit",
        reason: "edited by other means than gray (first seen by the controller then)",
      }
    : {
        at: entry.at,
        by: "controller",
        source: "controller",
        action: entry.action,
        reason: entry.reason,
      };
}
