/**
 * Where the last valid copy of a rollout lives in KV: beside the rollout, in
 * `<key>::last-valid`. Only the controller writes it (src/control/last-valid.ts);
 * the router reads it when it finds the rollout itself invalid and has no
 * valid version of its own (src/edge/rollout-store.ts). Such keys are never
 * rollouts: nothing that lists rollout keys may take them for one.
 */
export const LAST_VALID_SUFFIX = "::last-valid";

/** The key of the last valid copy of rollout `key`. */
export function lastValidKey(key: string): string {
  return `${key}${LAST_VALID_SUFFIX}`;
}

/** Whether a KV key holds a last valid copy (and so is never a rollout). */
export function isLastValidKey(name: string): boolean {
  return name.endsWith(LAST_VALID_SUFFIX);
}
