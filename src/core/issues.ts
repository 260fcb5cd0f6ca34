import * as v from "valibot";

/** A JSON object (not an array, not null), whose own keys are read as data. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Formats a valibot issue as `<field>: <message>`, with the field written the
 * way an operator would point at it in JSON: `rules[0].match.header.name`.
 * `prefix` is the path of the value that was parsed (`""` for the document).
 */
export function describeIssue(issue: v.BaseIssue<unknown>, prefix = ""): string {
  let path = prefix;
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === "number") {
      path += `[${key}]`;
    } else if (typeof key === "string") {
      path += path === "" ? key : `.${key}`;
    }
  }
  return `${path === "" ? "document" : path}: ${issue.message}`;
}

/** Parses `value` with `schema`; on failure appends one message per issue to `errors`. */
export function parseInto<T>(
  schema: v.GenericSchema<unknown, T>,
  value: unknown,
  field: string,
  errors: string[],
): T | undefined {
  const parsed = v.safeParse(schema, value);
  if (parsed.success) {
    return parsed.output;
  }
  errors.push(...parsed.issues.map((issue) => describeIssue(issue, field)));
  return undefined;
}

/** Message for a strict object: unknown fields are named, missing ones called required. */
export function strictObjectMessage(
  allowed: readonly string[],
): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => {
    if (issue.expected === "never") {
      return `unknown field (allowed: ${allowed.join(", ")})`;
    }
    return issue.received === "undefined"
      ? "required"
      : `expected an object with fields ${allowed.join(", ")}, got ${issue.received}`;
  };
}

/**
 * A strict object schema that also refuses arrays (valibot's object schemas
 * take an array as an object with index keys, so `[]` would pass as `{}`).
 * Unknown fields are errors naming the allowed ones.
 */
export function strictJsonObject<const T extends v.ObjectEntries>(
  entries: T,
  allowed: readonly string[],
) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      isJsonObject,
      (issue) => `expected an object with fields ${allowed.join(", ")}, got ${issue.received}`,
    ),
    v.strictObject(entries, strictObjectMessage(allowed)),
  );
}
