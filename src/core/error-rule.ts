/**
 * What the analysis counts, as data: which requests are errors and which
 * traffic is analysed. sql.ts renders these into SQL; the recorded source and
 * the series fold apply them in JavaScript, so the two cannot drift apart.
 */

/** Outcomes that are not errors by themselves; an origin status >= ERROR_STATUS still is. */
export const NON_ERROR_OUTCOMES: readonly string[] = [
  "ok",
  "client_abort",
  "client_timeout",
  "bad_request",
];
/** Origin statuses from here up are errors. */
export const ERROR_STATUS = 500;
/**
 * `decidedBy` values the analysis keeps: forced QA traffic (`override`) and
 * breaker-diverted traffic (`breaker`) are left out, since neither was
 * assigned by the weights being judged.
 */
export const ANALYSED_DECISIONS: readonly string[] = ["weights", "rule"];
/** The decisions the sample-ratio check counts: only these follow the top-level weights. */
export const WEIGHTS_DECISION = "weights";

/** Whether an outcome is an error whatever the status: every failed outcome except a client abort. */
export function isErrorOutcome(outcome: string): boolean {
  return !NON_ERROR_OUTCOMES.includes(outcome);
}

/** JS twin of the SQL error condition (sql.ts `ERROR_CONDITION`): an origin 5xx, or an error outcome. */
export function isError(status: number, outcome: string): boolean {
  return status >= ERROR_STATUS || isErrorOutcome(outcome);
}

/** JS twin of the SQL traffic filter. */
export function isAnalysed(decidedBy: string): boolean {
  return ANALYSED_DECISIONS.includes(decidedBy);
}
