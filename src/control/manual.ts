/**
 * Manual changes in the history. The gray CLI writes only the rollout
 * document, carrying who, why and what in its `change` field
 * (src/core/change.ts); the controller, the only writer of `<key>::history`,
 * records that change when it first sees the revision, so the two writers of
 * KV never write the same key. docs/cli.md ("Who changed what") explains the
 * design.
 */

import { STABLE } from "../core/cohort";
import type { ManualChange } from "../core/change";
import { parseRollout } from "../core/rollout";
import { historyKey, parseHistory } from "./history";
import type { StepState } from "./history";
import { READ } from "./kv";
import type { RolloutKv } from "./kv";
import { percentText } from "./policy";
import { draft, saveDecision } from "./record";
import type { Draft, RolloutReport } from "./record";
import type { FetchLike } from "./fetch";

/**
 * How old a document's `change` may be and still be credited with a new
 * revision. Older, it was copied along by someone editing the document by
 * other means (`wrangler kv key put` of a fetched copy): that edit is
 * recorded as unattributed. KV propagation (about a minute) and the
 * controller's schedule (every minute) fit well inside.
 */
export const CHANGE_FRESH_MS = 10 * 60_000;

/** The change, if it was made recently enough to describe this revision. */
export function freshChange(change: ManualChange | null, now: number): ManualChange | null {
  return change !== null && Math.abs(now - change.at) <= CHANGE_FRESH_MS ? change : null;
}

/** The history entry of a manual change: `action: "manual"`, `code` the change's action. */
export function manualDraft(
  change: ManualChange,
  revision: string,
  from: number,
  to: number,
  dryRun: boolean,
  effect: string,
): Draft {
  const why = change.reason === "" ? "" : `: ${change.reason}`;
  return {
    ...draft(
      "manual",
      change.action,
      `${change.action} by ${change.by}${why} (${effect})`,
      revision,
      from,
      dryRun,
    ),
    to: to / 100,
    written: true,
    change: {
      action: change.action,
      by: change.by,
      reason: change.reason,
      at: new Date(change.at).toISOString(),
    },
  };
}

/**
 * A rollout without an `analysis` block is not the controller's to steer,
 * but a manual change to it is still recorded, once per revision, so the
 * history of every rollout says who changed it. `from`/`to` are the share of
 * the non-stable cohorts. Returns null when there is nothing to record.
 */
export async function recordUnmanagedChange(
  kv: RolloutKv,
  key: string,
  text: string,
  now: number,
  deps: { readonly fetch: FetchLike; readonly log: (message: string) => void },
): Promise<RolloutReport | null> {
  const parsed = parseRollout(text, key);
  if (!parsed.ok) {
    return null;
  }
  const change = freshChange(parsed.rollout.change, now);
  if (change === null) {
    return null;
  }
  const { revision, weights } = parsed.rollout;
  const loaded = parseHistory(await kv.get(historyKey(key), READ));
  const previous = loaded.record.state;
  if (previous?.revision === revision) {
    return null;
  }
  const share = 10_000 - (weights.get(STABLE) ?? 0);
  // The first recorded change of an unmanaged rollout has no earlier weight on record.
  const from = previous?.weight ?? share;
  const state: StepState = {
    revision,
    phase: "idle",
    weight: share,
    stepStartedAt: now,
    analysisStartedAt: now,
    revisions: [revision],
    failures: 0,
    noted: null,
  };
  const effect =
    previous === null
      ? `non-stable share ${percentText(share)}; no analysis block`
      : `non-stable share ${percentText(from)} -> ${percentText(share)}; no analysis block`;
  const entry = manualDraft(change, revision, from, share, false, effect);
  return saveDecision(kv, key, loaded.record, state, entry, now, null, deps);
}
