/**
 * The rollout document as the controller sees it: the raw text (kept so the
 * write can be refused when someone changed it), its revision, the routing
 * fields validated exactly as the router validates them, and the `analysis`
 * block. Also the two edits the controller makes: new weights, and
 * "the canary becomes the new stable".
 */

import { STABLE } from "../core/cohort";
import { parseRollout, revisionOf } from "../core/rollout";
import { isJsonObject } from "../core/issues";
import type { AnalysisSettings } from "../core/analysis-schema";
import type { ManualChange } from "../core/change";

/** A document with a valid `analysis` block. */
export interface ControlledDocument {
  readonly key: string;
  readonly text: string;
  readonly revision: string;
  readonly json: Readonly<Record<string, unknown>>;
  /** Cohort -> weight in hundredths; every cohort with an origin is present. */
  readonly weights: ReadonlyMap<string, number>;
  readonly analysis: AnalysisSettings;
  /** The manual change the document records (`change`, written by the gray CLI), if any. */
  readonly change: ManualChange | null;
}

/** What reading a document gave. */
export type DocumentRead =
  | { readonly kind: "unmanaged" }
  | { readonly kind: "invalid"; readonly revision: string; readonly errors: readonly string[] }
  | { readonly kind: "managed"; readonly doc: ControlledDocument };

/**
 * Reads a KV document. Not JSON, or no `analysis`: not the controller's
 * business (the router reports broken documents itself). With `analysis`,
 * the whole document goes through the router's own parser (parseRollout),
 * once, so the controller acts only on documents the router would route by.
 */
export function readDocument(key: string, text: string): DocumentRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "unmanaged" };
  }
  if (!isJsonObject(json) || !Object.hasOwn(json, "analysis")) {
    return { kind: "unmanaged" };
  }
  const parsed = parseRollout(text, key);
  if (!parsed.ok) {
    return { kind: "invalid", revision: revisionOf(text), errors: parsed.errors };
  }
  const { rollout } = parsed;
  if (rollout.analysis === null) {
    // Unreachable: parseRollout reads a present `analysis` block or reports it.
    return { kind: "invalid", revision: rollout.revision, errors: ["analysis: could not be read"] };
  }
  return {
    kind: "managed",
    doc: {
      key,
      text,
      revision: rollout.revision,
      json,
      weights: rollout.weights,
      analysis: rollout.analysis,
      change: rollout.change,
    },
  };
}

/** Hundredths the canary can have: whatever the other non-stable cohorts leave. */
export function maxCanaryWeight(doc: ControlledDocument): number {
  let others = 0;
  for (const [cohort, weight] of doc.weights) {
    if (cohort !== STABLE && cohort !== doc.analysis.canary) {
      others += weight;
    }
  }
  return 10_000 - others;
}

/** The canary's current weight in hundredths. */
export function canaryWeight(doc: ControlledDocument): number {
  return doc.weights.get(doc.analysis.canary) ?? 0;
}

/**
 * The document text with the canary at `hundredths` (capped at what the other
 * cohorts leave) and `stable` taking up the difference; every other field,
 * and the order of the fields, is kept.
 */
export function withCanaryWeight(doc: ControlledDocument, hundredths: number): string {
  const max = maxCanaryWeight(doc);
  const target = Math.max(0, Math.min(hundredths, max));
  const weights = new Map(doc.weights);
  weights.set(doc.analysis.canary, target);
  weights.set(STABLE, max - target);
  return serialise({ ...ownJson(doc), weights: weightsObject(doc.json["weights"], weights) });
}

/**
 * The document after a completed ramp with `onComplete: "promote"`: `stable`
 * gets the canary's origin (and its timeout, if it had one), the canary goes
 * back to 0 and `stable` takes its share. The canary cohort keeps its origin,
 * so the next release only needs a new canary origin and a first weight.
 */
export function withCanaryPromoted(doc: ControlledDocument): string {
  const canary = doc.analysis.canary;
  const origins = isJsonObject(doc.json["origins"]) ? { ...doc.json["origins"] } : {};
  origins[STABLE] = origins[canary];
  const weights = new Map(doc.weights);
  weights.set(canary, 0);
  weights.set(STABLE, maxCanaryWeight(doc));
  const next: Record<string, unknown> = {
    ...ownJson(doc),
    origins,
    weights: weightsObject(doc.json["weights"], weights),
  };
  const timeouts = doc.json["timeouts"];
  if (isJsonObject(timeouts)) {
    // The old stable's timeout was tuned for the old version: stable takes the
    // canary's, or none (the default).
    const copy = Object.fromEntries(
      Object.entries(timeouts).filter(([cohort]) => cohort !== STABLE),
    );
    if (Object.hasOwn(timeouts, canary)) {
      copy[STABLE] = timeouts[canary];
    }
    next["timeouts"] = copy;
  }
  return serialise(next);
}

/**
 * The document's fields for a write of the controller's own: without the
 * `change` a human's edit carried, which would otherwise be credited with the
 * controller's step (the history keeps who changed what).
 */
function ownJson(doc: ControlledDocument): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc.json).filter(([field]) => field !== "change"));
}

/** Writes hundredths back as percents, in the original object's key order, then any new cohorts. */
export function weightsObject(
  original: unknown,
  weights: ReadonlyMap<string, number>,
): Record<string, number> {
  const result: Record<string, number> = {};
  const order = isJsonObject(original) ? Object.keys(original) : [];
  for (const cohort of [...order, ...weights.keys()]) {
    const value = weights.get(cohort);
    if (value !== undefined && !Object.hasOwn(result, cohort)) {
      const inOriginal = order.includes(cohort);
      // Cohorts the author left out (weight 0) stay out unless they now have a weight.
      if (inOriginal || value > 0 || cohort === STABLE) {
        result[cohort] = value / 100;
      }
    }
  }
  return result;
}

/** A document as the controller and the gray CLI write it: two-space JSON, a final newline. */
export function serialise(json: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}
