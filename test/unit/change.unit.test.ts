import { describe, expect, it } from "vitest";
import { parseRollout } from "../../src/core/rollout";

// The optional `change` field (src/core/change.ts): who, why and what of the
// last manual change, validated strictly like the rest of the document.

const BASE = { origins: { stable: "https://v1.example.com" }, weights: { stable: 100 } };
const AT = "2026-01-01T12:00:00.000Z";

function parse(change: unknown) {
  return parseRollout(JSON.stringify({ ...BASE, change }), "default");
}

describe("the change field", () => {
  it("is optional, and read when present", () => {
    const none = parseRollout(JSON.stringify(BASE), "default");
    expect(none.ok && none.rollout.change).toBeNull();
    const with_ = parse({ action: "rollback", by: "alice", reason: "5xx on checkout", at: AT });
    expect(with_.ok && with_.rollout.change).toEqual({
      action: "rollback",
      by: "alice",
      reason: "5xx on checkout",
      at: Date.parse(AT),
    });
    const noReason = parse({ action: "set", by: "ci:deploy", at: AT });
    expect(noReason.ok && noReason.rollout.change?.reason).toBe("");
  });

  it.each([
    [[], "change: expected an object with fields action, by, reason, at"],
    [{ by: "a", at: AT }, "change.action: required"],
    [
      { action: "undo", by: "a", at: AT },
      "change.action: expected one of set, promote, pause, resume, rollback, edit",
    ],
    [
      { action: "set", by: "", at: AT },
      "change.by: expected a name (1 to 100 printable characters)",
    ],
    [
      { action: "set", by: "a\nb", at: AT },
      "change.by: expected a name (1 to 100 printable characters)",
    ],
    [
      { action: "set", by: "x".repeat(101), at: AT },
      "change.by: expected a name (1 to 100 printable characters)",
    ],
    [
      { action: "set", by: "a", reason: "r".repeat(501), at: AT },
      "change.reason: expected text (at most 500 printable characters)",
    ],
    [
      { action: "set", by: "a", at: "yesterday" },
      "change.at: expected an ISO 8601 UTC time such as 2026-01-01T12:00:00.000Z",
    ],
    [
      { action: "set", by: "a", at: AT, who: "b" },
      "change.who: unknown field (allowed: action, by, reason, at)",
    ],
  ])("rejects %j with a message naming the field", (change, message) => {
    const parsed = parse(change);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toContain(message);
  });
});
