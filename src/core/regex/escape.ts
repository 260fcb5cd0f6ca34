/**
 * Backslash escapes, shared by the parser's top level and its character
 * classes. Only escapes whose JavaScript meaning (without the `u` flag) is
 * unambiguous are accepted; the rest get a message naming what they are.
 */
import { complementRanges, DIGIT, SPACE, WORD } from "./charset";

/** Class escapes and the sets they denote (closed under case folding). */
export const CLASS_ESCAPES: ReadonlyMap<string, readonly number[]> = new Map([
  ["d", DIGIT],
  ["D", complementRanges(DIGIT)],
  ["w", WORD],
  ["W", complementRanges(WORD)],
  ["s", SPACE],
  ["S", complementRanges(SPACE)],
]);

const CONTROL_ESCAPES: ReadonlyMap<string, number> = new Map([
  ["n", 0x0a],
  ["r", 0x0d],
  ["t", 0x09],
  ["f", 0x0c],
  ["v", 0x0b],
]);

/** An escape denoting one code unit and its length in the pattern, or why it was refused. */
export type CharEscape =
  | { readonly code: number; readonly length: number }
  | { readonly code?: never; readonly error: string };

function isHex(ch: string): boolean {
  return /^[0-9a-fA-F]$/.test(ch);
}

/** ASCII punctuation: the characters an identity escape such as `\.` may name. */
function isAsciiPunctuation(ch: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(ch);
}

/**
 * Reads the escape whose backslash is at `src[at]`, other than class escapes
 * (`\d` etc.) and, outside classes, `\b`/`\B`, which the caller handles.
 */
export function readCharEscape(src: string, at: number, inClass: boolean): CharEscape {
  const ch = src.charAt(at + 1);
  const control = CONTROL_ESCAPES.get(ch);
  if (control !== undefined) {
    return { code: control, length: 2 };
  }
  if (ch === "") {
    return { error: `syntax error: '\\' at end of pattern at ${at}` };
  }
  if (ch >= "0" && ch <= "9") {
    const digits = /^\d+/.exec(src.slice(at + 1))?.[0] ?? ch;
    if (digits === "0") {
      return { code: 0, length: 2 };
    }
    // Without the `u` flag JavaScript reads these as backreferences or, with
    // too few groups or inside a class, as legacy octal escapes.
    const what = inClass || ch === "0" ? "octal escape" : "backreference";
    return { error: `unsupported: ${what} \\${digits} at ${at}` };
  }
  if (ch === "u" || ch === "x") {
    const width = ch === "u" ? 4 : 2;
    const hex = src.slice(at + 2, at + 2 + width);
    if (hex.length === width && [...hex].every(isHex)) {
      return { code: parseInt(hex, 16), length: 2 + width };
    }
    if (ch === "u" && src.charAt(at + 2) === "{") {
      return { error: `unsupported: code point escape \\u{ at ${at} (use \\uXXXX)` };
    }
    return {
      error: `syntax error: invalid escape \\${ch} at ${at} (expected ${width} hex digits)`,
    };
  }
  if (inClass && ch === "b") {
    return { code: 0x08, length: 2 }; // [\b] is backspace, as in JavaScript.
  }
  if (isAsciiPunctuation(ch)) {
    return { code: ch.charCodeAt(0), length: 2 };
  }
  if (ch === "k") {
    return { error: `unsupported: named backreference \\k at ${at}` };
  }
  if (ch === "p" || ch === "P") {
    return { error: `unsupported: unicode property escape \\${ch} at ${at}` };
  }
  return { error: `unsupported: escape \\${ch} at ${at}` };
}
