/**
 * The matcher: a Pike VM, i.e. Thompson's simulation of the NFA in
 * `compile.ts`, run breadth-first over the input's UTF-16 code units (as RE2
 * and Go's regexp do; see Russ Cox, "Regular Expression Matching Can Be
 * Simple And Fast", 2007). All NFA states alive at a position are advanced
 * together, one code unit at a time, and a state already reached at a
 * position is never added twice, so each position costs at most one visit per
 * instruction: O(program size × input length) time, whatever the pattern.
 * There is no backtracking, so `(a+)+$` or `.*a.*a.*a.*b` cannot blow up.
 *
 * Only "is there a match" is answered, so threads carry no capture slots and
 * no priority order: any thread reaching MATCH ends the search.
 *
 * Memory is O(program size), allocated once per compiled pattern and reused
 * by every call: two thread lists, one epsilon-closure stack and one array of
 * "visited in generation g" marks. Bumping the generation counter empties the
 * visited set without clearing it.
 */
import type { CharClass } from "./charset";
import { classHas } from "./charset";
import type { Program } from "./compile";
import {
  ASSERT_END,
  ASSERT_NOT_WORD_BOUNDARY,
  ASSERT_START,
  ASSERT_WORD_BOUNDARY,
  OP_ANY,
  OP_ASSERT,
  OP_CHAR,
  OP_CHAR2,
  OP_CLASS,
  OP_JMP,
  OP_MATCH,
  OP_SPLIT,
} from "./compile";

/** `\w` without the `u` flag: `[A-Za-z0-9_]`. */
function isWordCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f
  );
}

/** Whether assertion `kind` holds between `input[pos - 1]` and `input[pos]`. */
function assertionHolds(kind: number, pos: number, input: string): boolean {
  switch (kind) {
    case ASSERT_START:
      return pos === 0;
    case ASSERT_END:
      return pos === input.length;
    case ASSERT_WORD_BOUNDARY:
    case ASSERT_NOT_WORD_BOUNDARY: {
      // charCodeAt out of range is NaN, which is not a word character.
      const boundary = isWordCode(input.charCodeAt(pos - 1)) !== isWordCode(input.charCodeAt(pos));
      return boundary === (kind === ASSERT_WORD_BOUNDARY);
    }
    default:
      return false;
  }
}

/**
 * Runs one compiled program against inputs. Not re-entrant, which is fine:
 * `test` is synchronous and calls nothing that could call back into it.
 */
export class PikeMatcher {
  private readonly ops: Uint8Array;
  private readonly arg1: Int32Array;
  private readonly arg2: Int32Array;
  private readonly classes: readonly CharClass[];
  private readonly anchoredStart: boolean;
  private readonly firstChar: string;
  /** Generation in which each instruction was last added to a list. */
  private readonly marks: Uint32Array;
  private readonly stack: Int32Array;
  private current: Int32Array;
  private next: Int32Array;
  private generation = 0;
  /** Length of the list being filled by `addThread`. */
  private count = 0;

  constructor(program: Program) {
    const size = program.ops.length;
    this.ops = program.ops;
    this.arg1 = program.arg1;
    this.arg2 = program.arg2;
    this.classes = program.classes;
    this.anchoredStart = program.anchoredStart;
    this.firstChar = program.firstChar < 0 ? "" : String.fromCharCode(program.firstChar);
    this.marks = new Uint32Array(size);
    this.stack = new Int32Array(size);
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
  }

  /** Whether the pattern matches anywhere in `input` (like `RegExp.prototype.test`). */
  test(input: string): boolean {
    const { ops, arg1, arg2, classes } = this;
    const length = input.length;
    let pos = 0;
    if (this.firstChar !== "") {
      pos = input.indexOf(this.firstChar);
      if (pos < 0) {
        return false;
      }
    }
    this.newGeneration();
    if (this.addThread(this.current, 0, pos, input)) {
      return true;
    }
    let live = this.count;
    for (; pos < length; pos++) {
      const c = input.charCodeAt(pos);
      const current = this.current;
      const next = this.next;
      const after = pos + 1;
      this.newGeneration();
      for (let i = 0; i < live; i++) {
        const pc = current[i] ?? 0;
        let ok: boolean;
        switch (ops[pc]) {
          case OP_CHAR:
            ok = c === arg1[pc];
            break;
          case OP_CHAR2:
            ok = c === arg1[pc] || c === arg2[pc];
            break;
          case OP_ANY:
            ok = c !== 0x0a && c !== 0x0d && c !== 0x2028 && c !== 0x2029;
            break;
          case OP_CLASS: {
            const cls = classes[arg1[pc] ?? 0];
            ok = cls !== undefined && classHas(cls, c);
            break;
          }
          default:
            ok = false;
        }
        if (ok && this.addThread(next, pc + 1, after, input)) {
          return true;
        }
      }
      // Unanchored search: a match may also start at `after`.
      if (!this.anchoredStart) {
        let start = after;
        if (this.count === 0 && this.firstChar !== "") {
          start = input.indexOf(this.firstChar, after);
          if (start < 0) {
            return false;
          }
          pos = start - 1; // the loop's pos++ lands on start
          this.newGeneration(); // marks made at `after` must not hide states at `start`
        }
        if (this.addThread(next, 0, start, input)) {
          return true;
        }
      }
      live = this.count;
      if (live === 0 && this.anchoredStart) {
        return false;
      }
      this.current = next;
      this.next = current;
    }
    return false;
  }

  private newGeneration(): void {
    if (this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.count = 0;
  }

  /**
   * Adds `pc0` and everything reachable from it without consuming input
   * (following SPLIT, JMP and assertions true at `pos`) to `list`. Only
   * consuming instructions are stored. Returns true if MATCH is reachable.
   * Each instruction is pushed at most once per generation, so the stack
   * never outgrows the program.
   */
  private addThread(list: Int32Array, pc0: number, pos: number, input: string): boolean {
    const { ops, arg1, arg2, marks, stack } = this;
    const gen = this.generation;
    if (marks[pc0] === gen) {
      return false;
    }
    marks[pc0] = gen;
    stack[0] = pc0;
    let sp = 1;
    let count = this.count;
    while (sp > 0) {
      sp--;
      const pc = stack[sp] ?? 0;
      let follow = -1;
      let also = -1;
      switch (ops[pc]) {
        case OP_MATCH:
          this.count = count;
          return true;
        case OP_JMP:
          follow = arg1[pc] ?? 0;
          break;
        case OP_SPLIT:
          follow = arg1[pc] ?? 0;
          also = arg2[pc] ?? 0;
          break;
        case OP_ASSERT:
          if (assertionHolds(arg1[pc] ?? -1, pos, input)) {
            follow = pc + 1;
          }
          break;
        default:
          list[count++] = pc;
      }
      if (also >= 0 && marks[also] !== gen) {
        marks[also] = gen;
        stack[sp++] = also;
      }
      if (follow >= 0 && marks[follow] !== gen) {
        marks[follow] = gen;
        stack[sp++] = follow;
      }
    }
    this.count = count;
    return false;
  }
}
