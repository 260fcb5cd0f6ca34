import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { MAX_TOKEN_TTL_SECONDS, mintToken, verifyToken } from "../../src/core/token";

const SECRET = "correct horse battery staple";
const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;
const HOUR = 3600;

/** Replaces one character of `text` at `index` with a different one from the base64url alphabet. */
function flip(text: string, index: number): string {
  const char = text.charAt(index);
  const replacement = char === "A" ? "B" : "A";
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

function parts(token: string): string[] {
  return token.split(".");
}

describe("mintToken and verifyToken", () => {
  it("round-trips an override token", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: true,
      kind: "override",
      subject: "canary",
      expiresAt: NOW_S + HOUR,
    });
  });

  it("round-trips a debug token with subject '-'", async () => {
    const token = await mintToken(SECRET, "debug", "ignored", NOW_S + HOUR);
    expect(await verifyToken(token, SECRET, "debug", NOW_MS)).toEqual({
      ok: true,
      kind: "debug",
      subject: "-",
      expiresAt: NOW_S + HOUR,
    });
  });

  it("mints tokens of the documented form kind.subject.expiry.signature", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(token).toMatch(/^o\.canary\.\d+\.[A-Za-z0-9_-]{43}$/);
  });

  it("floors a fractional expiry to whole seconds", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR + 0.9);
    const check = await verifyToken(token, SECRET, "override", NOW_MS);
    expect(check).toEqual({
      ok: true,
      kind: "override",
      subject: "canary",
      expiresAt: NOW_S + HOUR,
    });
  });

  it("rejects a token signed with another secret as bad_signature", async () => {
    const token = await mintToken("another secret", "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("rejects a token whose cohort was changed as bad_signature", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, , expiry, signature] = parts(token);
    const tampered = `${kind}.stable.${expiry}.${signature}`;
    expect(await verifyToken(tampered, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("rejects a token whose expiry was changed as bad_signature", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, , signature] = parts(token);
    const tampered = `${kind}.${subject}.${NOW_S + 2 * HOUR}.${signature}`;
    expect(await verifyToken(tampered, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("rejects a token whose kind letter was changed as bad_signature", async () => {
    const token = await mintToken(SECRET, "debug", "-", NOW_S + HOUR);
    const tampered = `o${token.slice(1)}`;
    expect(await verifyToken(tampered, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("rejects a token whose signature was changed as bad_signature", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, expiry, signature = ""] = parts(token);
    const tampered = `${kind}.${subject}.${expiry}.${flip(signature, 0)}`;
    expect(await verifyToken(tampered, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("rejects a token whose signature was changed in the middle as bad_signature", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, expiry, signature = ""] = parts(token);
    const tampered = `${kind}.${subject}.${expiry}.${flip(signature, 20)}`;
    expect(await verifyToken(tampered, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "bad_signature",
    });
  });

  it("does not accept a signature changed only in the unused low bits of its last character", async () => {
    // 32 bytes are 43 base64url characters; the last one carries 4 bits and 2 unused ones.
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, expiry, signature = ""] = parts(token);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.charAt(42));
    const variant = `${signature.slice(0, 42)}${alphabet.charAt(last ^ 1)}`;
    expect(variant).not.toBe(signature);
    const check = await verifyToken(
      `${kind}.${subject}.${expiry}.${variant}`,
      SECRET,
      "override",
      NOW_MS,
    );
    expect(check.ok).toBe(false);
  });

  it("does not accept an expiry rewritten with a leading zero", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, expiry, signature] = parts(token);
    const check = await verifyToken(
      `${kind}.${subject}.0${expiry}.${signature}`,
      SECRET,
      "override",
      NOW_MS,
    );
    expect(check.ok).toBe(false);
  });

  it("rejects an expired token as expired", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S - 1);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "expired",
    });
  });

  it("treats a token as expired at its expiry second", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "expired",
    });
  });

  it("accepts a token one second before it expires", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + 1);
    const check = await verifyToken(token, SECRET, "override", NOW_MS);
    expect(check.ok).toBe(true);
  });

  it("rejects a token expiring more than 7 days ahead as too_long_lived", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + MAX_TOKEN_TTL_SECONDS + 1);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "too_long_lived",
    });
  });

  it("accepts a token expiring exactly 7 days ahead", async () => {
    expect(MAX_TOKEN_TTL_SECONDS).toBe(7 * 24 * 3600);
    const token = await mintToken(SECRET, "override", "canary", NOW_S + MAX_TOKEN_TTL_SECONDS);
    const check = await verifyToken(token, SECRET, "override", NOW_MS);
    expect(check.ok).toBe(true);
  });

  it("rejects a debug token used as an override as wrong_kind", async () => {
    const token = await mintToken(SECRET, "debug", "-", NOW_S + HOUR);
    expect(await verifyToken(token, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "wrong_kind",
    });
  });

  it("rejects an override token used as a debug token as wrong_kind", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(token, SECRET, "debug", NOW_MS)).toEqual({
      ok: false,
      problem: "wrong_kind",
    });
  });

  it("rejects an empty token as malformed", async () => {
    expect(await verifyToken("", SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("rejects a 300-character token as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const long = token + "A".repeat(300 - token.length);
    expect(long).toHaveLength(300);
    expect(await verifyToken(long, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("rejects a token with too few parts as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, , expiry, signature] = parts(token);
    expect(await verifyToken(`${kind}.${expiry}.${signature}`, SECRET, "override", NOW_MS)).toEqual(
      {
        ok: false,
        problem: "malformed",
      },
    );
  });

  it("rejects a token with too many parts as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(`${token}.extra`, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("rejects a signature that is not base64url as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    const [kind, subject, expiry, signature = ""] = parts(token);
    const notBase64 = `${signature.slice(0, 40)}+/=`;
    expect(
      await verifyToken(`${kind}.${subject}.${expiry}.${notBase64}`, SECRET, "override", NOW_MS),
    ).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("rejects a signature of the wrong length as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(token.slice(0, -1), SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("rejects an unknown kind letter as malformed", async () => {
    const token = await mintToken(SECRET, "override", "canary", NOW_S + HOUR);
    expect(await verifyToken(`x${token.slice(1)}`, SECRET, "override", NOW_MS)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("never throws and never accepts an arbitrary string", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        const check = await verifyToken(text, SECRET, "override", NOW_MS);
        expect(check.ok).toBe(false);
      }),
    );
  });

  it("never accepts a well-formed token with a random signature", async () => {
    const base64url = fc.constantFrom(
      ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    );
    // The last of 43 characters carries 4 bits; a canonical encoding leaves its 2 low bits zero.
    const canonicalLast = fc.constantFrom(..."AEIMQUYcgkosw048");
    const signatureArb = fc
      .tuple(fc.string({ unit: base64url, minLength: 42, maxLength: 42 }), canonicalLast)
      .map(([head, last]) => `${head}${last}`);
    await fc.assert(
      fc.asyncProperty(signatureArb, async (signature) => {
        const check = await verifyToken(
          `o.canary.${NOW_S + HOUR}.${signature}`,
          SECRET,
          "override",
          NOW_MS,
        );
        expect(check).toEqual({ ok: false, problem: "bad_signature" });
      }),
    );
  });
});
