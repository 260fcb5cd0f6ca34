/**
 * Character sets over UTF-16 code units: range arithmetic, the predefined
 * classes, ECMAScript's case-insensitive canonicalization, and the compact
 * matcher the VM tests input characters against.
 *
 * Ranges are flat arrays of inclusive pairs `[lo0, hi0, lo1, hi1, ...]`;
 * "normalized" means sorted by `lo`, with overlapping and adjacent pairs merged.
 */

/** Largest UTF-16 code unit; sets never extend past it. */
export const MAX_CODE_UNIT = 0xffff;

/** `\d`: ASCII digits only, as in JavaScript. */
export const DIGIT: readonly number[] = [0x30, 0x39];

/** `\w`: `[A-Za-z0-9_]`, as in JavaScript without the `u` flag. */
export const WORD: readonly number[] = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];

/** `\s`: ECMAScript WhiteSpace plus LineTerminator. */
export const SPACE: readonly number[] = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f,
  0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];

/** Line terminators, the characters `.` does not match (no `s` flag). */
export const LINE_TERMINATORS: readonly number[] = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

/** Sorts and merges arbitrary inclusive pairs into a normalized range list. */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    pairs.push([ranges[i] ?? 0, ranges[i + 1] ?? 0]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    const lastHi = out[last];
    if (lastHi !== undefined && lo <= lastHi + 1) {
      out[last] = Math.max(lastHi, hi);
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

/** Everything in [0, 0xFFFF] not in the normalized `ranges`. */
export function complementRanges(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i] ?? 0;
    if (lo > next) {
      out.push(next, lo - 1);
    }
    next = (ranges[i + 1] ?? 0) + 1;
  }
  if (next <= MAX_CODE_UNIT) {
    out.push(next, MAX_CODE_UNIT);
  }
  return out;
}

/** Whether the normalized `ranges` contain `code` (binary search over pairs). */
export function rangesContain(ranges: ArrayLike<number>, code: number): boolean {
  let lo = 0;
  let hi = (ranges.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < (ranges[2 * mid] ?? 0)) {
      hi = mid - 1;
    } else if (code > (ranges[2 * mid + 1] ?? 0)) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}

/**
 * ECMAScript's Canonicalize for case-insensitive matching without the `u`
 * flag (ECMA-262 §22.2.2.7.3): upper-case the single code unit; keep the
 * original if that does not yield exactly one code unit, or if it would map a
 * non-ASCII character onto ASCII (so `ſ` and the Kelvin sign never match `s`
 * or `k`). Two characters match under `i` when their canonical forms are equal.
 */
export function canonicalize(code: number): number {
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) {
    return code;
  }
  const u = upper.charCodeAt(0);
  return code >= 0x80 && u < 0x80 ? code : u;
}

interface FoldTable {
  /** Index into `groups` for each code unit in a non-trivial group, else -1. */
  readonly groupOf: Int32Array;
  /** Non-ASCII equivalence classes of size >= 2, members sorted. */
  readonly groups: readonly (readonly number[])[];
}

let foldTable: FoldTable | undefined;

/**
 * Builds (once per isolate, ~10 ms) the equivalence classes "same canonical
 * form" for non-ASCII code units. Only patterns with non-ASCII literals or
 * ranges under `i` need it: the canonicalization rule keeps ASCII and
 * non-ASCII apart, so ASCII classes are just `{x, X}` for letters.
 */
function getFoldTable(): FoldTable {
  if (foldTable !== undefined) {
    return foldTable;
  }
  const byCanonical = new Map<number, number[]>();
  for (let c = 0x80; c <= MAX_CODE_UNIT; c++) {
    const k = canonicalize(c);
    if (k !== c) {
      const members = byCanonical.get(k);
      if (members === undefined) {
        byCanonical.set(k, [c]);
      } else {
        members.push(c);
      }
    }
  }
  const groupOf = new Int32Array(MAX_CODE_UNIT + 1).fill(-1);
  const groups: number[][] = [];
  for (const [k, members] of byCanonical) {
    if (canonicalize(k) === k) {
      members.push(k);
    }
    if (members.length >= 2) {
      members.sort((a, b) => a - b);
      for (const m of members) {
        groupOf[m] = groups.length;
      }
      groups.push(members);
    }
  }
  foldTable = { groupOf, groups };
  return foldTable;
}

/** The code units that match `code` under `i`, sorted (always includes `code`). */
export function caseVariants(code: number): number[] {
  if (code < 0x80) {
    const lower = code | 0x20;
    return lower >= 0x61 && lower <= 0x7a ? [lower - 0x20, lower] : [code];
  }
  const table = getFoldTable();
  const group = table.groups[table.groupOf[code] ?? -1];
  return group === undefined ? [code] : [...group];
}

/**
 * Widens normalized `ranges` to every code unit that matches one of its
 * members under `i`: the set JavaScript tests a canonicalized input against.
 */
export function caseFoldRanges(ranges: readonly number[]): number[] {
  const extra: number[] = [];
  let hasHigh = false;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i] ?? 0;
    const hi = ranges[i + 1] ?? 0;
    for (let c = Math.max(lo, 0x41); c <= Math.min(hi, 0x7a); c++) {
      if (c <= 0x5a) {
        extra.push(c + 0x20, c + 0x20);
      } else if (c >= 0x61) {
        extra.push(c - 0x20, c - 0x20);
      }
    }
    hasHigh ||= hi >= 0x80;
  }
  // Normalized, so [0x80, 0xFFFF] is covered only by a last pair reaching
  // both ends; then every non-ASCII class is already inside (none holds ASCII).
  const coversAllHigh =
    ranges[ranges.length - 1] === MAX_CODE_UNIT && (ranges[ranges.length - 2] ?? 0x81) <= 0x80;
  if (hasHigh && !coversAllHigh) {
    for (const group of getFoldTable().groups) {
      if (group.some((m) => rangesContain(ranges, m))) {
        for (const m of group) {
          extra.push(m, m);
        }
      }
    }
  }
  return extra.length === 0 ? [...ranges] : normalizeRanges([...ranges, ...extra]);
}

/**
 * A set prepared for matching: a 128-entry table for ASCII (one load per
 * character on the common path) and sorted ranges for everything else.
 */
export interface CharClass {
  /** 1 at index c when ASCII code unit c is a member. */
  readonly ascii: Uint8Array;
  /** Normalized ranges of the members >= 0x80. */
  readonly high: Uint16Array;
}

/** Prepares normalized `ranges` for matching. */
export function toCharClass(ranges: readonly number[]): CharClass {
  const ascii = new Uint8Array(0x80);
  const high: number[] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i] ?? 0;
    const hi = ranges[i + 1] ?? 0;
    for (let c = lo; c <= Math.min(hi, 0x7f); c++) {
      ascii[c] = 1;
    }
    if (hi >= 0x80) {
      high.push(Math.max(lo, 0x80), hi);
    }
  }
  return { ascii, high: Uint16Array.from(high) };
}

/** Whether `code` is a member of `cls`. */
export function classHas(cls: CharClass, code: number): boolean {
  return code < 0x80 ? cls.ascii[code] === 1 : rangesContain(cls.high, code);
}
