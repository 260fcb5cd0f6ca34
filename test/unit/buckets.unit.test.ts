import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { BUCKET_COUNT, bucketOf } from "../../src/core/buckets";
import { murmur3 } from "../../src/core/hash";

/** Any string of Unicode code points, lone surrogates included (cheaper than `unit: "binary"`). */
const anyText = fc.string({
  unit: fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
});

describe("BUCKET_COUNT", () => {
  it("is 10,000 so that one bucket is exactly 0.01 %", () => {
    expect(BUCKET_COUNT).toBe(10_000);
  });
});

describe("bucketOf", () => {
  it("is always an integer in [0, 9999] for any salt and id, unicode included", () => {
    fc.assert(
      fc.property(anyText, anyText, (salt, id) => {
        const bucket = bucketOf(salt, id);
        expect(Number.isInteger(bucket)).toBe(true);
        expect(bucket).toBeGreaterThanOrEqual(0);
        expect(bucket).toBeLessThanOrEqual(9999);
      }),
      { numRuns: 500 },
    );
  });

  it("is deterministic: the same salt and id always give the same bucket", () => {
    fc.assert(
      fc.property(anyText, anyText, (salt, id) => {
        expect(bucketOf(salt, id)).toBe(bucketOf(`${salt}`, `${id}`));
      }),
    );
  });

  it("equals murmur3(`${salt}:${id}`) with seed 0, modulo 10,000", () => {
    expect(bucketOf("default", "AAAAAAAAAAAAAAAAAAAAAA")).toBe(
      murmur3("default:AAAAAAAAAAAAAAAAAAAAAA", 0) % 10_000,
    );
    expect(bucketOf("shop.example.com", "Zm9vYmFyYmF6cXV4cXV1eA")).toBe(
      murmur3("shop.example.com:Zm9vYmFyYmF6cXV4cXV1eA", 0) % 10_000,
    );
  });

  it("joins salt and id with exactly one colon, even for an empty salt", () => {
    // Pins the exact input so an offline tool can recompute a bucket.
    expect(bucketOf("", "abc")).toBe(murmur3(":abc") % 10_000);
    expect(bucketOf("ab", "c")).toBe(murmur3("ab:c") % 10_000);
  });

  it("pins fixed buckets recomputed offline with an independent MurmurHash3 (Python)", () => {
    // murmur3("default:AAAAAAAAAAAAAAAAAAAAAA") = 0xC9F4A811, murmur3("shop.example.com:Zm9vYmFyYmF6cXV4cXV1eA") = 0x02E1285D.
    expect(bucketOf("default", "AAAAAAAAAAAAAAAAAAAAAA")).toBe(4_225);
    expect(bucketOf("shop.example.com", "Zm9vYmFyYmF6cXV4cXV1eA")).toBe(365);
  });

  it("depends on the salt", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `visitor-${i}`);
    const differing = ids.filter((id) => bucketOf("salt-one", id) !== bucketOf("salt-two", id));
    // Two independent salts agree on a bucket with probability 1/10,000 per id.
    expect(differing.length).toBeGreaterThanOrEqual(195);
  });

  it("depends on the visitor id", () => {
    const buckets = new Set(
      Array.from({ length: 200 }, (_, i) => bucketOf("default", `visitor-${i}`)),
    );
    expect(buckets.size).toBeGreaterThanOrEqual(190);
  });
});
