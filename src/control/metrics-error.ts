/**
 * Why analysis figures could not be read: the one error type every metrics
 * adapter rejects with, so the controller can hold and record the reason.
 */

import * as v from "valibot";

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

/**
 * Validates an answer of a metrics service (`service` names it in the
 * message) against `schema`; a `bad_response` MetricsError names where it
 * differs from the expected `{meta, data, rows}` form.
 */
export function validateAnswer<T extends v.GenericSchema>(
  schema: T,
  json: unknown,
  service: string,
): v.InferOutput<T> {
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where =
      issue === undefined ? "" : ` at ${v.getDotPath(issue) ?? "the top level"}: ${issue.message}`;
    throw new MetricsError(
      "bad_response",
      `${service} answer is not in the expected {meta, data, rows} form${where}`,
    );
  }
  return parsed.output;
}
