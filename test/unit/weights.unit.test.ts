import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { formatHundredths, toHundredths } from "../../src/core/weights";

describe("toHundredths", () => {
  it("converts 5.01 to 501 despite float error", () => {
    expect(toHundredths(5.01)).toBe(501);
  });

  it("converts 89.62 to 8962 despite float error", () => {
    expect(toHundredths(89.62)).toBe(8_962);
  });

  it("converts 100 to 10000", () => {
    expect(toHundredths(100)).toBe(10_000);
  });

  it("converts 0 to 0", () => {
    expect(toHundredths(0)).toBe(0);
  });

  it("converts 0.01, the finest step, to 1", () => {
    expect(toHundredths(0.01)).toBe(1);
  });

  it("rejects 0.001 (three decimals)", () => {
    expect(toHundredths(0.001)).toBeUndefined();
  });

  it("rejects 10.005 (three decimals)", () => {
    expect(toHundredths(10.005)).toBeUndefined();
  });

  it("converts every two-decimal percent written as JSON back to its hundredths", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (h) => {
        expect(toHundredths(Number((h / 100).toFixed(2)))).toBe(h);
      }),
      { numRuns: 500 },
    );
  });
});

describe("formatHundredths", () => {
  it("formats 8962 as 89.62", () => {
    expect(formatHundredths(8_962)).toBe("89.62");
  });

  it("formats 10000 as 100", () => {
    expect(formatHundredths(10_000)).toBe("100");
  });

  it("formats 9000 as 90", () => {
    expect(formatHundredths(9_000)).toBe("90");
  });

  it("formats 9999 as 99.99", () => {
    expect(formatHundredths(9_999)).toBe("99.99");
  });

  it("formats 10001 as 100.01", () => {
    expect(formatHundredths(10_001)).toBe("100.01");
  });

  it("formats 1050 as 10.5", () => {
    expect(formatHundredths(1_050)).toBe("10.5");
  });

  it("formats 1 as 0.01", () => {
    expect(formatHundredths(1)).toBe("0.01");
  });

  it("formats 0 as 0", () => {
    expect(formatHundredths(0)).toBe("0");
  });

  it("round-trips with toHundredths", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (h) => {
        expect(toHundredths(Number(formatHundredths(h)))).toBe(h);
      }),
      { numRuns: 500 },
    );
  });
});
