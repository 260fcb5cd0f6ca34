import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { murmur3, murmur3Bytes } from "../../src/core/hash";

/** Any string of Unicode code points, lone surrogates included (cheaper than `unit: "binary"`). */
const anyText = fc.string({
  unit: fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
});

// Published MurmurHash3_x86_32 test vectors (SMHasher / widely reproduced):
// [input, seed, expected hash].
const VECTORS: readonly (readonly [string, number, number])[] = [
  ["", 0, 0],
  ["", 1, 0x514e28b7],
  ["", 0xffffffff, 0x81f16f39],
  ["\0\0\0\0", 0, 0x2362f9de],
  ["aaaa", 0x9747b28c, 0x5a97808a],
  ["a", 0x9747b28c, 0x7fa09ea6],
  ["ab", 0x9747b28c, 0x74875592],
  ["abc", 0x9747b28c, 0xc84a62dd],
  ["abcd", 0x9747b28c, 0xf0478627],
  ["abc", 0, 0xb3dd93fa],
  ["Hello, world!", 0x9747b28c, 0x24884cba],
  ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
  ["ππππππππ", 0x9747b28c, 0xd58063c1],
];

describe("murmur3", () => {
  for (const [input, seed, expected] of VECTORS) {
    it(`matches the published vector for ${JSON.stringify(input)} with seed 0x${seed.toString(16)}`, () => {
      expect(murmur3(input, seed)).toBe(expected);
    });
  }

  it("uses seed 0 when no seed is given", () => {
    expect(murmur3("abc")).toBe(0xb3dd93fa);
  });

  it("gives every text the hash of its UTF-8 bytes: ASCII, longer than 256, mixed, after a non-ASCII text", () => {
    const texts = ["salt:AAAAAAAAAAAAAAAAAAAAAA", "x".repeat(300), "abcπ", "é", "salt:id", ""];
    for (const text of texts) {
      expect(murmur3(text, 7)).toBe(murmur3Bytes(new TextEncoder().encode(text), 7));
    }
  });

  it("hashes the UTF-8 bytes of the text", () => {
    const text = "ππππππππ";
    expect(murmur3(text, 0x9747b28c)).toBe(
      murmur3Bytes(new TextEncoder().encode(text), 0x9747b28c),
    );
  });

  it("always returns an unsigned 32-bit integer", () => {
    fc.assert(
      fc.property(anyText, fc.nat({ max: 0xffffffff }), (text, seed) => {
        const h = murmur3(text, seed);
        expect(Number.isInteger(h)).toBe(true);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(0xffffffff);
      }),
    );
  });
});

describe("murmur3Bytes", () => {
  it("matches the published vector for four zero bytes", () => {
    expect(murmur3Bytes(new Uint8Array([0, 0, 0, 0]), 0)).toBe(0x2362f9de);
  });

  it("matches the published vector for the empty input with seed 1", () => {
    expect(murmur3Bytes(new Uint8Array(0), 1)).toBe(0x514e28b7);
  });

  it("returns an unsigned value for inputs whose hash has the top bit set", () => {
    // 0xC84A62DD has the top bit set: a signed implementation would return a negative number.
    expect(murmur3Bytes(new TextEncoder().encode("abc"), 0x9747b28c)).toBe(0xc84a62dd);
  });

  it("is deterministic for any bytes and seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 0xffffffff }), (bytes, seed) => {
        expect(murmur3Bytes(bytes, seed)).toBe(murmur3Bytes(Uint8Array.from(bytes), seed));
      }),
    );
  });
});
