import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";

/** Any string of Unicode code points, lone surrogates included (cheaper than `unit: "binary"`). */
const anyText = fc.string({
  unit: fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
});

/** The contract's example document. */
const CONTRACT_EXAMPLE = `{
  "origins": { "stable": "https://v1.example.com", "canary": "https://v2.example.com/base" },
  "weights": { "stable": 90, "canary": 10 }
}`;

const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com/base" };

function text(doc: unknown): string {
  return typeof doc === "string" ? doc : JSON.stringify(doc);
}

/** The parsed rollout; fails the test with the errors if the document was rejected. */
function accepted(doc: unknown, key = "default"): Rollout {
  const result = parseRollout(text(doc), key);
  if (!result.ok) {
    throw new Error(`expected a valid rollout, got errors: ${result.errors.join(" | ")}`);
  }
  return result.rollout;
}

/** The error messages; fails the test if the document was accepted. */
function rejected(doc: unknown): readonly string[] {
  const result = parseRollout(text(doc), "default");
  if (result.ok) {
    throw new Error(`expected a rejection, got a valid rollout for ${text(doc)}`);
  }
  return result.errors;
}

/** Asserts that one message starts with `field: `. */
function expectFieldError(errors: readonly string[], field: string): void {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escaped}: \\S`)));
}

describe("parseRollout accepts", () => {
  it("the contract's example document", () => {
    const rollout = accepted(CONTRACT_EXAMPLE);
    expect(rollout.key).toBe("default");
    expect(Object.fromEntries(rollout.weights)).toEqual({ stable: 9_000, canary: 1_000 });
    expect(Object.fromEntries(rollout.origins)).toEqual({
      stable: { origin: "https://v1.example.com", basePath: "" },
      canary: { origin: "https://v2.example.com", basePath: "/base" },
    });
  });

  it("weights of 89.62 + 5.01 + 5.37 across three cohorts, compared in hundredths", () => {
    const rollout = accepted({
      origins: {
        stable: "https://v1.example.com",
        a: "https://a.example.com",
        b: "https://b.example.com",
      },
      weights: { stable: 89.62, a: 5.01, b: 5.37 },
    });
    expect(Object.fromEntries(rollout.weights)).toEqual({ stable: 8_962, a: 501, b: 537 });
  });

  it("a cohort with an origin but no weight, giving it weight 0", () => {
    const rollout = accepted({ origins: ORIGINS, weights: { stable: 100 } });
    expect(rollout.weights.get("canary")).toBe(0);
  });

  it("a stable weight of 0 (the end of a promotion)", () => {
    const rollout = accepted({ origins: ORIGINS, weights: { stable: 0, canary: 100 } });
    expect(rollout.weights.get("stable")).toBe(0);
    expect(rollout.weights.get("canary")).toBe(10_000);
  });

  it("a salt that defaults to the KV key", () => {
    expect(accepted(CONTRACT_EXAMPLE, "shop.example.com").salt).toBe("shop.example.com");
  });

  it("the document's salt when it is set", () => {
    expect(accepted({ origins: ORIGINS, weights: { stable: 100 }, salt: "spring-2026" }).salt).toBe(
      "spring-2026",
    );
  });

  it("an origin with a base path, dropping a trailing slash", () => {
    const rollout = accepted({
      origins: { stable: "https://v1.example.com/base/" },
      weights: { stable: 100 },
    });
    expect(rollout.origins.get("stable")).toEqual({
      origin: "https://v1.example.com",
      basePath: "/base",
    });
  });

  it("an origin whose path is only a slash, as no base path", () => {
    const rollout = accepted({
      origins: { stable: "http://127.0.0.1:8701/" },
      weights: { stable: 100 },
    });
    expect(rollout.origins.get("stable")).toEqual({
      origin: "http://127.0.0.1:8701",
      basePath: "",
    });
  });

  it("cohort names up to 32 characters with digits, dashes and underscores", () => {
    const name = `0${"a".repeat(29)}-_`;
    expect(name).toHaveLength(32);
    const rollout = accepted({
      origins: { stable: "https://a.example", [name]: "https://b.example" },
      weights: { stable: 100 },
    });
    expect(rollout.weights.get(name)).toBe(0);
  });

  it("a layout built from the weights", () => {
    const rollout = accepted(CONTRACT_EXAMPLE);
    expect(rollout.layout).toEqual({
      ranges: [{ cohort: "canary", start: 0, end: 1_000 }],
      guaranteed: true,
    });
  });

  it("the same revision for the same text and a different one for different text", () => {
    const a = accepted(CONTRACT_EXAMPLE).revision;
    expect(accepted(CONTRACT_EXAMPLE).revision).toBe(a);
    expect(accepted({ origins: ORIGINS, weights: { stable: 89, canary: 11 } }).revision).not.toBe(
      a,
    );
  });

  it('cohorts named like Object.prototype properties ("constructor" matches the contract\'s name pattern)', () => {
    const rollout = accepted(
      '{"origins":{"stable":"https://a.example","constructor":"https://b.example"},"weights":{"stable":90,"constructor":10}}',
    );
    expect(rollout.weights.get("constructor")).toBe(1_000);
  });
});

describe("parseRollout rejects", () => {
  it("text that is not JSON", () => {
    expectFieldError(rejected("{ origins: nope"), "document");
  });

  it("a JSON array", () => {
    expectFieldError(rejected("[]"), "document");
  });

  it("JSON null", () => {
    expectFieldError(rejected("null"), "document");
  });

  it("a JSON string", () => {
    expectFieldError(rejected('"hello"'), "document");
  });

  it("a document without origins", () => {
    expectFieldError(rejected({ weights: { stable: 100 } }), "origins");
  });

  it("a document without weights", () => {
    expectFieldError(rejected({ origins: ORIGINS }), "weights");
  });

  it('an unknown top-level field (the typo "wieghts")', () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 100 }, wieghts: { stable: 100 } }),
      "wieghts",
    );
  });

  it("origins that are not an object", () => {
    expectFieldError(
      rejected({ origins: "https://v1.example.com", weights: { stable: 100 } }),
      "origins",
    );
  });

  it("origins given as a JSON array", () => {
    expectFieldError(
      rejected({ origins: ["https://v1.example.com"], weights: { stable: 100 } }),
      "origins",
    );
  });

  it("weights given as a JSON array", () => {
    expectFieldError(
      rejected({
        origins: { stable: "https://a.example", 0: "https://b.example" },
        weights: [100],
      }),
      "weights",
    );
  });

  it("an origin that is not a string", () => {
    expectFieldError(
      rejected({ origins: { stable: 8080 }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("an ftp: origin", () => {
    expectFieldError(
      rejected({ origins: { stable: "ftp://files.example.com" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("a javascript: origin", () => {
    expectFieldError(
      rejected({ origins: { stable: "javascript:alert(1)" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("a relative origin", () => {
    expectFieldError(
      rejected({ origins: { stable: "/x" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("an origin with credentials", () => {
    expectFieldError(
      rejected({ origins: { stable: "https://user:pw@v1.example.com" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("an origin with a query", () => {
    expectFieldError(
      rejected({ origins: { stable: "https://v1.example.com/?a=1" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it('an origin with a bare "?"', () => {
    expectFieldError(
      rejected({ origins: { stable: "https://v1.example.com/base?" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("an origin with a fragment", () => {
    expectFieldError(
      rejected({ origins: { stable: "https://v1.example.com/#top" }, weights: { stable: 100 } }),
      "origins.stable",
    );
  });

  it("a cohort name in upper case", () => {
    expectFieldError(
      rejected({
        origins: { stable: "https://a.example", Canary: "https://b.example" },
        weights: { stable: 100 },
      }),
      "origins.Canary",
    );
  });

  it("a cohort name of 33 characters", () => {
    const name = "a".repeat(33);
    expectFieldError(
      rejected({
        origins: { stable: "https://a.example", [name]: "https://b.example" },
        weights: { stable: 100 },
      }),
      `origins.${name}`,
    );
  });

  it("a cohort name with a leading dash", () => {
    expectFieldError(
      rejected({
        origins: { stable: "https://a.example", "-canary": "https://b.example" },
        weights: { stable: 100 },
      }),
      "origins.-canary",
    );
  });

  it("an empty cohort name", () => {
    const errors = rejected({
      origins: { stable: "https://a.example", "": "https://b.example" },
      weights: { stable: 100 },
    });
    expect(errors).toContainEqual(expect.stringMatching(/^origins\.?: .*cohort name/));
  });

  it("a bad cohort name in weights", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 100, Canary: 0 } }),
      "weights.Canary",
    );
  });

  it("a weight given as a string", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 90, canary: "10" } }),
      "weights.canary",
    );
  });

  it("a negative weight", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 110, canary: -10 } }),
      "weights.canary",
    );
  });

  it("a weight above 100", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: -0.01, canary: 100.01 } }),
      "weights.canary",
    );
  });

  it("a weight with three decimals", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 89.999, canary: 10.001 } }),
      "weights.canary",
    );
  });

  it("weights summing to 99.99", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 89.99, canary: 10 } }),
      "weights",
    );
  });

  it("weights summing to 100.01", () => {
    expectFieldError(
      rejected({ origins: ORIGINS, weights: { stable: 90.01, canary: 10 } }),
      "weights",
    );
  });

  it("a weight for a cohort without an origin", () => {
    expectFieldError(
      rejected({ origins: { stable: "https://a.example" }, weights: { stable: 90, canary: 10 } }),
      "weights.canary",
    );
  });

  it("a document without a stable origin", () => {
    expectFieldError(
      rejected({ origins: { canary: "https://b.example" }, weights: { canary: 100 } }),
      "origins.stable",
    );
  });

  it("an empty salt", () => {
    expectFieldError(rejected({ origins: ORIGINS, weights: { stable: 100 }, salt: "" }), "salt");
  });

  it("a salt that is not a string", () => {
    expectFieldError(rejected({ origins: ORIGINS, weights: { stable: 100 }, salt: 7 }), "salt");
  });

  it('a weight for "constructor", which has no origin (a prototype key)', () => {
    const errors = rejected(
      '{"origins":{"stable":"https://a.example"},"weights":{"stable":100,"constructor":0}}',
    );
    expectFieldError(errors, "weights.constructor");
  });

  it('a weight for "prototype", which has no origin', () => {
    const errors = rejected(
      '{"origins":{"stable":"https://a.example"},"weights":{"stable":100,"prototype":0}}',
    );
    expectFieldError(errors, "weights.prototype");
  });

  it('a weight for "__proto__"', () => {
    const errors = rejected(
      '{"origins":{"stable":"https://a.example"},"weights":{"stable":100,"__proto__":0}}',
    );
    expectFieldError(errors, "weights.__proto__");
  });

  it('an origin for "__proto__"', () => {
    const errors = rejected(
      '{"origins":{"stable":"https://a.example","__proto__":"https://b.example"},"weights":{"stable":100}}',
    );
    expectFieldError(errors, "origins.__proto__");
  });
});

describe("parseRollout never throws", () => {
  it("for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseRollout(JSON.stringify(value) ?? "null", "default");
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          expect(result.errors.every((e) => e.length > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), anyText), (raw) => {
        const result = parseRollout(raw, "default");
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          expect(result.errors.every((e) => e.length > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("for documents of the right shape with arbitrary cohort names, URLs and weights", () => {
    const name = fc.oneof(
      fc.constantFrom("stable", "canary", "constructor", "__proto__", "toString"),
      fc.string({ maxLength: 34 }),
    );
    const doc = fc.record(
      {
        origins: fc.dictionary(
          name,
          fc.oneof(
            fc.constantFrom(
              "https://a.example",
              "http://127.0.0.1:8701/base/",
              "ftp://x",
              "https://u:p@h",
              "https://h/?",
              "/x",
            ),
            fc.string(),
            fc.jsonValue(),
          ),
        ),
        weights: fc.dictionary(
          name,
          fc.oneof(fc.double(), fc.integer({ min: -5, max: 105 }), fc.jsonValue()),
        ),
        salt: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, (value) => {
        const result = parseRollout(JSON.stringify(value), "default");
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          expect(result.errors.every((e) => e.length > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
