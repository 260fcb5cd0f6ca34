import { describe, it, expect } from "vitest";
import { BOT_SCORE_THRESHOLD, BOT_USER_AGENT_TOKENS, isKnownBot } from "../../src/core/bots";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

describe("isKnownBot", () => {
  it("treats a Googlebot user agent as a bot", () => {
    expect(isKnownBot({ userAgent: GOOGLEBOT })).toBe(true);
  });

  it("matches user-agent tokens case-insensitively", () => {
    expect(isKnownBot({ userAgent: "GOOGLEBOT/2.1" })).toBe(true);
  });

  it("does not treat a normal Chrome user agent as a bot", () => {
    expect(isKnownBot({ userAgent: CHROME })).toBe(false);
  });

  it("does not treat Safari on iPhone or Firefox as bots", () => {
    expect(isKnownBot({ userAgent: SAFARI_IPHONE })).toBe(false);
    expect(isKnownBot({ userAgent: FIREFOX })).toBe(false);
  });

  it("does not treat a missing or empty user agent as a bot", () => {
    expect(isKnownBot({ userAgent: null })).toBe(false);
    expect(isKnownBot({ userAgent: "" })).toBe(false);
  });

  it("treats a verified bot as a bot whatever its user agent", () => {
    expect(isKnownBot({ userAgent: CHROME, verifiedBot: true })).toBe(true);
  });

  it("does not treat verifiedBot false with a browser user agent as a bot", () => {
    expect(isKnownBot({ userAgent: CHROME, verifiedBot: false })).toBe(false);
  });

  it("treats bot scores 1 to 29 as bots", () => {
    for (let score = 1; score < BOT_SCORE_THRESHOLD; score++) {
      expect(isKnownBot({ userAgent: CHROME, botScore: score })).toBe(true);
    }
  });

  it("uses a score threshold of 30", () => {
    expect(BOT_SCORE_THRESHOLD).toBe(30);
  });

  it("does not treat bot scores from 30 to 99 as bots", () => {
    for (let score = BOT_SCORE_THRESHOLD; score <= 99; score++) {
      expect(isKnownBot({ userAgent: CHROME, botScore: score })).toBe(false);
    }
  });

  it("does not treat score 0 (not computed) as a bot", () => {
    expect(isKnownBot({ userAgent: CHROME, botScore: 0 })).toBe(false);
  });

  it("still treats a listed user agent as a bot when the score looks human", () => {
    expect(isKnownBot({ userAgent: GOOGLEBOT, botScore: 99, verifiedBot: false })).toBe(true);
  });

  it("lists only lower-case tokens, since the user agent is lower-cased before matching", () => {
    for (const token of BOT_USER_AGENT_TOKENS) {
      expect(token).toBe(token.toLowerCase());
    }
  });

  it("recognises every listed token inside a user agent", () => {
    for (const token of BOT_USER_AGENT_TOKENS) {
      expect(
        isKnownBot({ userAgent: `Mozilla/5.0 (compatible; ${token.toUpperCase()}/1.0)` }),
      ).toBe(true);
    }
  });

  it("does not list an empty token, which would match every user agent", () => {
    expect(BOT_USER_AGENT_TOKENS).not.toContain("");
  });
});
