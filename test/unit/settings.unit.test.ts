import { describe, it, expect } from "vitest";
import { DEFAULT_SETTINGS, parseSettings } from "../../src/core/settings";

describe("parseSettings", () => {
  it("uses the documented defaults when no var is set", () => {
    expect(parseSettings({})).toEqual({
      settings: { configCacheSeconds: 10, originTimeoutMs: 30_000 },
      problems: [],
    });
  });

  it("exports the same defaults", () => {
    expect(DEFAULT_SETTINGS).toEqual({ configCacheSeconds: 10, originTimeoutMs: 30_000 });
  });

  it("treats an empty var as unset", () => {
    expect(parseSettings({ CONFIG_CACHE_SECONDS: "" })).toEqual(parseSettings({}));
  });

  it("reads CONFIG_CACHE_SECONDS from a string", () => {
    expect(parseSettings({ CONFIG_CACHE_SECONDS: "30" }).settings.configCacheSeconds).toBe(30);
  });

  it("reads CONFIG_CACHE_SECONDS from a number", () => {
    expect(parseSettings({ CONFIG_CACHE_SECONDS: 5 }).settings.configCacheSeconds).toBe(5);
  });

  it('allows "0" for CONFIG_CACHE_SECONDS (read KV on every request) without a problem', () => {
    expect(parseSettings({ CONFIG_CACHE_SECONDS: "0" })).toEqual({
      settings: { configCacheSeconds: 0, originTimeoutMs: 30_000 },
      problems: [],
    });
  });

  it("tolerates spaces around the number", () => {
    expect(parseSettings({ CONFIG_CACHE_SECONDS: " 15 " }).settings.configCacheSeconds).toBe(15);
  });

  for (const bad of ["abc", "-1", "1e9", "1e1", "0x10", "Infinity", "NaN"]) {
    it(`falls back to the default for CONFIG_CACHE_SECONDS=${JSON.stringify(bad)} and names the var`, () => {
      const { settings, problems } = parseSettings({ CONFIG_CACHE_SECONDS: bad });
      expect(settings.configCacheSeconds).toBe(10);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^CONFIG_CACHE_SECONDS: /);
      expect(problems[0]).toContain(JSON.stringify(bad));
    });
  }

  it("reads ORIGIN_TIMEOUT_SECONDS as milliseconds", () => {
    expect(parseSettings({ ORIGIN_TIMEOUT_SECONDS: "2.5" }).settings.originTimeoutMs).toBe(2_500);
  });

  for (const bad of ["abc", "-1", "0", "1e9"]) {
    it(`falls back to the default for ORIGIN_TIMEOUT_SECONDS=${JSON.stringify(bad)} and names the var`, () => {
      const { settings, problems } = parseSettings({ ORIGIN_TIMEOUT_SECONDS: bad });
      expect(settings.originTimeoutMs).toBe(30_000);
      expect(problems).toEqual([expect.stringMatching(/^ORIGIN_TIMEOUT_SECONDS: /)]);
    });
  }

  it("reports one problem per invalid var and keeps the valid ones", () => {
    const { settings, problems } = parseSettings({
      CONFIG_CACHE_SECONDS: "abc",
      ORIGIN_TIMEOUT_SECONDS: "5",
    });
    expect(settings).toEqual({ configCacheSeconds: 10, originTimeoutMs: 5_000 });
    expect(problems).toEqual([expect.stringMatching(/^CONFIG_CACHE_SECONDS: /)]);
  });
});
