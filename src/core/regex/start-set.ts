/**
 * The code units a match can start with, computed from a compiled program:
 * an unanchored search skips every input position whose code unit is not
 * among them without starting any thread there (RE2 and Go's regexp skip
 * ahead the same way). Ordinary patterns then cost a table lookup per input
 * position instead of a thread restart.
 */
import type { CharClass } from "./charset";
import type { Program } from "./compile";
import {
  OP_ANY,
  OP_ASSERT,
  OP_CHAR,
  OP_CHAR2,
  OP_CLASS,
  OP_JMP,
  OP_MATCH,
  OP_SPLIT,
} from "./compile";

/** The first code units of every match: an ASCII table, and whether any non-ASCII unit may start one. */
export interface StartSet {
  /** 1 at index c when ASCII code unit c may start a match. */
  readonly ascii: Uint8Array;
  /** Whether a non-ASCII code unit may start a match (not narrowed further). */
  readonly high: boolean;
}

/**
 * The start set of `program`, or null when there is none to use: when the
 * empty string can match at some position, every position must be tried.
 * Assertions are followed as if they held, which can only widen the set.
 */
export function startSet(program: Program): StartSet | null {
  const { ops, arg1, arg2, classes } = program;
  const ascii = new Uint8Array(0x80);
  let high = false;
  const seen = new Uint8Array(ops.length);
  const stack = [0];
  seen[0] = 1;
  for (let pc = stack.pop(); pc !== undefined; pc = stack.pop()) {
    const op = ops[pc];
    const follow = (next: number) => {
      if (seen[next] !== 1) {
        seen[next] = 1;
        stack.push(next);
      }
    };
    if (op === OP_MATCH) {
      return null;
    } else if (op === OP_SPLIT) {
      follow(arg1[pc] ?? 0);
      follow(arg2[pc] ?? 0);
    } else if (op === OP_JMP) {
      follow(arg1[pc] ?? 0);
    } else if (op === OP_ASSERT) {
      follow(pc + 1);
    } else if (op === OP_CHAR || op === OP_CHAR2) {
      for (const code of [arg1[pc] ?? 0, arg2[pc] ?? 0]) {
        if (code < 0x80) {
          ascii[code] = 1;
        } else {
          high = true;
        }
      }
    } else if (op === OP_ANY) {
      ascii.fill(1);
      ascii[0x0a] = 0;
      ascii[0x0d] = 0;
      high = true;
    } else if (op === OP_CLASS) {
      const cls: CharClass | undefined = classes[arg1[pc] ?? 0];
      if (cls !== undefined) {
        cls.ascii.forEach((member, code) => {
          ascii[code] ||= member;
        });
        high ||= cls.high.length > 0;
      }
    }
  }
  return { ascii, high };
}
