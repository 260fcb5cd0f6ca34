/**
 * Reading an answer of a metrics service that answers like the Analytics
 * Engine SQL API: `{meta, data, rows}` JSON whose cells ClickHouse may quote.
 * Pure: shared by the SQL API transport, the analysis rows and the series, so
 * an answer is checked the same way whichever service gave it.
 */

import * as v from "valibot";
import { MetricsError } from "./metrics-error";

/** Column metadata of an answer. */
const metaSchema = v.array(v.object({ name: v.string(), type: v.string() }));

/**
 * The JSON of an answer's body, as received (its shape is checked by
 * whoever reads it); rejects with a `bad_response` MetricsError otherwise.
 */
export function parseJsonAnswer(body: string, service: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new MetricsError(
      "bad_response",
      `${service} answered with something other than JSON: ${excerpt(body)}`,
    );
  }
}

/**
 * Parses a `{meta, data, rows}` answer whose rows follow `row`; rejects with
 * a `bad_response` MetricsError naming where the answer differs.
 */
export function parseAnswer<T>(
  body: string,
  row: v.GenericSchema<unknown, T>,
  service: string,
): T[] {
  return validateAnswer(envelope(row), parseJsonAnswer(body, service), service).data;
}

/** The schema of a `{meta, data, rows}` answer whose rows follow `row`. */
export function envelope<T extends v.GenericSchema>(row: T) {
  return v.object({ meta: metaSchema, data: v.array(row), rows: v.number() });
}

/** One line of at most 300 characters, for messages. */
export function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 300
    ? `${oneLine.slice(0, 300)}...`
    : oneLine === ""
      ? "(empty body)"
      : oneLine;
}

// ClickHouse's JSON output quotes 64-bit integers ("1234"), and the API does
// not document which columns come back as numbers; accept both.
/** A sample-weighted count: a number, or a quoted one. */
export const countCell = v.union([
  v.pipe(v.number(), v.finite(), v.minValue(0)),
  v.pipe(v.string(), v.regex(/^\d+(\.\d+)?([eE][+-]?\d+)?$/), v.transform(Number), v.finite()),
]);

// ClickHouse writes NaN (a quantile over no rows) as null, or "nan" when quoted.
/** A latency quantile in ms, or null when there were no rows. */
export const millisecondsCell = v.union([
  countCell,
  v.pipe(
    v.union([v.null(), v.picklist(["nan", "NaN", "inf", "-inf"])]),
    v.transform(() => null),
  ),
]);

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
