/**
 * Why analysis figures could not be read: the one error type every metrics
 * adapter rejects with, so the controller can hold and record the reason.
 */

/** Why figures could not be read. */
export type MetricsErrorCode =
  "not_configured" | "bad_query" | "http" | "timeout" | "network" | "bad_response";

/** A failed read: the controller holds (never promotes, never rolls back) and records the reason. */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;
  /** HTTP status, for `http`. */
  readonly status: number | undefined;

  constructor(code: MetricsErrorCode, message: string, status?: number) {
    super(message);
    this.name = "MetricsError";
    this.code = code;
    this.status = status;
  }
}
