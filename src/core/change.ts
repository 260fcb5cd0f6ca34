/**
 * The optional `change` field of a rollout document: who made the last
 * manual change, why, and what it was. The `gray` CLI writes it with every
 * edit; the controller, seeing a new revision that carries a recent one,
 * records it in the history with who and why and acts on it (a pause, a
 * rollback with ramp-down, ...). The router itself never reads it. Keeping it
 * in the document (rather than in a second KV key) means the edit and its
 * author arrive together: KV orders nothing across keys.
 */

import * as v from "valibot";
import { isJsonObject, parseInto, strictJsonObject } from "./issues";

/** What a manual change did; `edit` is a whole document put with `gray set --file`. */
export const CHANGE_ACTIONS = ["set", "promote", "pause", "resume", "rollback", "edit"] as const;

/** A manual change, as the document records it. */
export interface ManualChange {
  readonly action: (typeof CHANGE_ACTIONS)[number];
  /** Who made it: a user name or a CI job, 1..100 printable characters. */
  readonly by: string;
  /** Why, in the operator's words; empty when not given. */
  readonly reason: string;
  /** When it was made (ms since the epoch), from the ISO 8601 `at` field. */
  readonly at: number;
}

/** Every field of `change`. */
export const CHANGE_FIELDS = ["action", "by", "reason", "at"] as const;

/** Printable text on one line: names and reasons end up in logs and terminals. */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

const changeSchema = strictJsonObject(
  {
    action: v.picklist(CHANGE_ACTIONS, `expected one of ${CHANGE_ACTIONS.join(", ")}`),
    by: v.pipe(
      v.string("expected a name (1 to 100 printable characters)"),
      v.minLength(1, "expected a name (1 to 100 printable characters)"),
      v.maxLength(100, "expected a name (1 to 100 printable characters)"),
      v.regex(PRINTABLE, "expected a name (1 to 100 printable characters)"),
    ),
    reason: v.optional(
      v.pipe(
        v.string("expected text (at most 500 printable characters)"),
        v.maxLength(500, "expected text (at most 500 printable characters)"),
        v.regex(PRINTABLE, "expected text (at most 500 printable characters)"),
      ),
    ),
    at: v.pipe(
      v.string("expected an ISO 8601 UTC time such as 2026-01-01T12:00:00.000Z"),
      v.isoTimestamp("expected an ISO 8601 UTC time such as 2026-01-01T12:00:00.000Z"),
      v.check(
        (text) => Number.isFinite(Date.parse(text)),
        "expected an ISO 8601 UTC time such as 2026-01-01T12:00:00.000Z",
      ),
    ),
  },
  CHANGE_FIELDS,
);

/**
 * Reads the optional `change` field. Returns null when it is absent, or when
 * it is invalid after appending one `change.<field>: ...` message per problem.
 */
export function readChange(raw: unknown, errors: string[]): ManualChange | null {
  if (raw === undefined) {
    return null;
  }
  if (!isJsonObject(raw)) {
    errors.push(`change: expected an object with fields ${CHANGE_FIELDS.join(", ")}`);
    return null;
  }
  const parsed = parseInto(changeSchema, raw, "change", errors);
  if (parsed === undefined) {
    return null;
  }
  return {
    action: parsed.action,
    by: parsed.by,
    reason: parsed.reason ?? "",
    at: Date.parse(parsed.at),
  };
}
