/**
 * Signed tokens for QA overrides and the debug view:
 *
 *   <kind>.<subject>.<expiry>.<signature>
 *
 * kind `o` (override, subject = cohort) or `d` (debug, subject `-`); expiry in
 * Unix seconds; signature = base64url(HMAC-SHA-256(secret, "gray-router/1|" +
 * kind + "." + subject + "." + expiry)). Verification uses WebCrypto's
 * `verify`, which compares in constant time. Tokens are bearer credentials:
 * anyone holding one can use it until it expires, so lifetimes are capped.
 */

import { fromBase64Url, toBase64Url } from "./base64url";

/** Longest lifetime a token may have, counted from verification time. */
export const MAX_TOKEN_TTL_SECONDS = 7 * 86_400;

/** Tokens longer than this are rejected before any crypto. */
const MAX_TOKEN_LENGTH = 256;

// Canonical forms only (no leading zeros, no spare base64 bits): one token per signature.
const TOKEN =
  /^([od])\.([a-z0-9][a-z0-9_-]{0,31}|-)\.([1-9]\d{0,11})\.([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;

export type TokenKind = "override" | "debug";

/** Why a token was not accepted. */
export type TokenProblem =
  "malformed" | "bad_signature" | "expired" | "too_long_lived" | "wrong_kind";

export type TokenCheck =
  | {
      readonly ok: true;
      readonly kind: TokenKind;
      readonly subject: string;
      readonly expiresAt: number;
    }
  | { readonly ok: false; readonly problem: TokenProblem };

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    // One secret per deployment in practice; the map only avoids re-importing per request.
    keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function payload(kindLetter: string, subject: string, expiry: number): Uint8Array {
  return encoder.encode(`gray-router/1|${kindLetter}.${subject}.${expiry}`);
}

/** Mints a token. `subject` is the cohort for overrides, ignored for debug tokens. */
export async function mintToken(
  secret: string,
  kind: TokenKind,
  subject: string,
  expiresAtSeconds: number,
): Promise<string> {
  const letter = kind === "override" ? "o" : "d";
  const subj = kind === "override" ? subject : "-";
  const expiry = Math.floor(expiresAtSeconds);
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    payload(letter, subj, expiry),
  );
  return `${letter}.${subj}.${expiry}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Verifies a token of the expected kind. Never throws: anything wrong is a
 * `problem`, which callers count and otherwise ignore.
 */
export async function verifyToken(
  token: string,
  secret: string,
  expected: TokenKind,
  nowMs: number,
): Promise<TokenCheck> {
  if (token.length > MAX_TOKEN_LENGTH) {
    return { ok: false, problem: "malformed" };
  }
  const match = TOKEN.exec(token);
  const [, letter, subject, expiryText, signature] = match ?? [];
  if (
    letter === undefined ||
    subject === undefined ||
    expiryText === undefined ||
    signature === undefined
  ) {
    return { ok: false, problem: "malformed" };
  }
  const kind: TokenKind = letter === "o" ? "override" : "debug";
  const expiry = Number(expiryText);
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    fromBase64Url(signature),
    payload(letter, subject, expiry),
  );
  // Signature first: a forged token learns nothing about expiry or kind rules.
  if (!valid) {
    return { ok: false, problem: "bad_signature" };
  }
  const now = nowMs / 1000;
  if (expiry <= now) {
    return { ok: false, problem: "expired" };
  }
  if (expiry - now > MAX_TOKEN_TTL_SECONDS) {
    return { ok: false, problem: "too_long_lived" };
  }
  if (kind !== expected) {
    return { ok: false, problem: "wrong_kind" };
  }
  return { ok: true, kind, subject, expiresAt: expiry };
}
