import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canaryWeight,
  maxCanaryWeight,
  readDocument,
  withCanaryPromoted,
  withCanaryWeight,
} from "../../../src/control/document";
import type { ControlledDocument } from "../../../src/control/document";
import { HISTORY_SUFFIX, historyKey, isHistoryKey } from "../../../src/control/history";
import { parseRollout, revisionOf } from "../../../src/core/rollout";

const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };

function managed(doc: Record<string, unknown>): ControlledDocument {
  const read = readDocument("default", JSON.stringify(doc));
  if (read.kind !== "managed") {
    throw new Error(`expected a managed document, got ${JSON.stringify(read)}`);
  }
  return read.doc;
}

describe("readDocument", () => {
  it("leaves documents without analysis, and non-JSON, to the router", () => {
    expect(
      readDocument("default", JSON.stringify({ origins: ORIGINS, weights: { stable: 100 } })),
    ).toEqual({ kind: "unmanaged" });
    expect(readDocument("default", "{not json")).toEqual({ kind: "unmanaged" });
    expect(readDocument("default", "[1]")).toEqual({ kind: "unmanaged" });
  });

  it("validates the routing fields like the router, and the analysis block", () => {
    const badRouting = readDocument(
      "default",
      JSON.stringify({ origins: ORIGINS, weights: { stable: 90 }, analysis: {} }),
    );
    expect(badRouting).toMatchObject({
      kind: "invalid",
      errors: ["weights: must sum to exactly 100, got 90"],
    });
    const badAnalysis = readDocument(
      "default",
      JSON.stringify({ origins: ORIGINS, weights: { stable: 100 }, analysis: { steps: [] } }),
    );
    expect(badAnalysis).toMatchObject({
      kind: "invalid",
      errors: ["analysis.steps: expected at least one step"],
    });
  });

  it("keeps the text, and computes the revision the router writes to blob5", () => {
    const text = JSON.stringify({ origins: ORIGINS, weights: { stable: 95, canary: 5 } });
    const parsed = parseRollout(text, "default");
    expect(parsed.ok && parsed.rollout.revision).toBe(revisionOf(text));
    const doc = managed({ origins: ORIGINS, weights: { stable: 95, canary: 5 }, analysis: {} });
    expect(doc.revision).toBe(revisionOf(doc.text));
    expect(canaryWeight(doc)).toBe(500);
  });
});

describe("document edits", () => {
  it("moves weight between the canary and stable only, keeping every other field and the order", () => {
    const doc = managed({
      origins: { ...ORIGINS, beta: "https://v3.example.com" },
      weights: { stable: 80, canary: 5, beta: 15 },
      salt: "s",
      analysis: { canary: "canary" },
    });
    expect(maxCanaryWeight(doc)).toBe(8500);
    const next = JSON.parse(withCanaryWeight(doc, 1000));
    expect(Object.keys(next)).toEqual(["origins", "weights", "salt", "analysis"]);
    expect(next.weights).toEqual({ stable: 75, canary: 10, beta: 15 });
    expect(JSON.parse(withCanaryWeight(doc, 10_000)).weights).toEqual({
      stable: 0,
      canary: 85,
      beta: 15,
    });
    expect(JSON.parse(withCanaryWeight(doc, 0)).weights).toEqual({
      stable: 85,
      canary: 0,
      beta: 15,
    });
  });

  it("adds the canary to weights when the author left it out, and writes two-decimal percents", () => {
    const doc = managed({ origins: ORIGINS, weights: { stable: 100 }, analysis: {} });
    const text = withCanaryWeight(doc, 1);
    expect(JSON.parse(text).weights).toEqual({ stable: 99.99, canary: 0.01 });
    expect(readDocument("default", text).kind).toBe("managed");
  });

  it("promotes the canary to stable: stable gets its origin and timeout, the canary goes to 0", () => {
    const doc = managed({
      origins: ORIGINS,
      weights: { stable: 0, canary: 100 },
      timeouts: { stable: 5, canary: 12 },
      analysis: { onComplete: "promote" },
    });
    const next = JSON.parse(withCanaryPromoted(doc));
    expect(next.origins).toEqual({ stable: ORIGINS.canary, canary: ORIGINS.canary });
    expect(next.weights).toEqual({ stable: 100, canary: 0 });
    expect(next.timeouts).toEqual({ stable: 12, canary: 12 });
    const noTimeout = managed({
      origins: ORIGINS,
      weights: { stable: 0, canary: 100 },
      timeouts: { stable: 5 },
      analysis: {},
    });
    expect(JSON.parse(withCanaryPromoted(noTimeout)).timeouts).toEqual({});
  });
});

describe("history keys", () => {
  it("sit beside the rollout and are recognised", () => {
    expect(historyKey("www.example.com")).toBe("www.example.com::history");
    expect(isHistoryKey("www.example.com::history")).toBe(true);
    expect(isHistoryKey("[::1]")).toBe(false);
    expect(isHistoryKey("default")).toBe(false);
  });

  it("are never a hostname the router could look up", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (host) => {
        let hostname: string;
        try {
          hostname = new URL(`http://${host}${HISTORY_SUFFIX}/`).hostname;
        } catch {
          return;
        }
        expect(isHistoryKey(hostname.toLowerCase())).toBe(false);
      }),
      { seed: 5, numRuns: 500 },
    );
    for (const host of ["[::1]", "[2001:db8::]", "[::]"]) {
      expect(isHistoryKey(new URL(`http://${host}/`).hostname)).toBe(false);
    }
  });
});
