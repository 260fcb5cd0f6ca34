import fc from "fast-check";
import { origins } from "../support/harness";
import type { KvReader } from "../../src/edge/rollout-store";
import { faultyOrigin } from "../reliability/support";

/**
 * Shared pieces of the hostile-input suites. Runs are bounded (`numRuns`) so
 * the whole of test/hostile stays well under 30 s on two cores.
 */

/** The fast-check parameters of every property here: bounded, and reproducible when a seed is given. */
export const RUNS = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, endOnFailure: true });

/** A KV that answers every key with the same document, whatever the host. */
export function everyKey(doc: string): KvReader {
  return { get: () => Promise.resolve(doc) };
}

/** The real stable and canary echo origins, each with its own base path; 50/50 unless told. */
export function echoSplit(canaryPercent = 50): {
  doc: string;
  bases: Record<string, string>;
  hosts: Record<string, string>;
} {
  const o = origins();
  return {
    doc: JSON.stringify({
      origins: { stable: `${o.stable}/base`, canary: `${o.canary}/cbase/` },
      weights: { stable: 100 - canaryPercent, canary: canaryPercent },
    }),
    bases: { stable: "/base", canary: "/cbase" },
    hosts: { stable: new URL(o.stable).host, canary: new URL(o.canary).host },
  };
}

/**
 * 50/50 on the faulty origin's echo (it accepts request headers up to
 * 256 KiB, where Node's default stops at 16 KiB), told apart by base path.
 */
export function bigHeaderSplit(): { doc: string; bases: Record<string, string> } {
  const f = faultyOrigin();
  return {
    doc: JSON.stringify({
      origins: { stable: `${f}/s`, canary: `${f}/c` },
      weights: { stable: 50, canary: 50 },
    }),
    bases: { stable: "/s", canary: "/c" },
  };
}

/** What `Headers` stores for a value: leading and trailing HTTP whitespace removed (Fetch §header value normalize). */
export function normalizeHeaderValue(value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

/**
 * True if the Fetch API must refuse this header value: after normalization
 * it holds CR, LF or NUL (Fetch §header value). workerd, unlike the spec's
 * ByteString, accepts code points above U+00FF and sends them as UTF-8.
 */
export function forbiddenHeaderValue(value: string): boolean {
  return /[\r\n\0]/.test(normalizeHeaderValue(value));
}

/** What Node reports for a header value workerd sent: its UTF-8 bytes, read as Latin-1. */
export function asNodeSeesIt(value: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    out += String.fromCharCode(byte);
  }
  return out;
}

/** Any string of Unicode code points, lone surrogates and control characters included. */
export const anyText = fc.string({
  unit: fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
});
