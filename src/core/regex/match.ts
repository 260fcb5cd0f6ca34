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
 * An unanchored search with no thread alive skips ahead to the next code
 * unit that can start a match (the program's start set), so ordinary
 * patterns cost little more than a scan of the input.
 *
 * Memory is O(program size), allocated once per compiled pattern and reused
 * by every call: two thread lists, one epsilon-closure stack and one array of
 * "visited in generation g" marks. Bumping the generation counter empties the
 * visited set without clearing it.
 */
import type { CharClass } from "./charset";
import { classHas } from "./charset";
import type { Program } from "./compile";
import { startSet } from "./start-set";
import { assertionHolds } from "./assertions";
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

/**
 * Steps charged for each input position on top of the states visited there:
 * the fixed work of a position (swapping lists, restarting an unanchored
 * search) costs about as much as 16 state visits, and a budget that ignored
 * it could be outrun by patterns that keep few states alive.
 */
export const POSITION_STEPS = 16;
/** Extra steps for a class test on a non-ASCII code unit (a binary search, not a table load). */
const HIGH_CLASS_STEPS = 2;
/** Extra steps for evaluating an assertion (a call that reads two code units). */
const ASSERT_STEPS = 4;
/** Steps for entering the closure walk (a call, for a successor that does not consume). */
const CLOSURE_STEPS = 2;

/** What `PikeMatcher.run` found. */
export type RunOutcome = typeof MATCH | typeof NO_MATCH | typeof OVER_BUDGET;
/** The pattern matches. */
export const MATCH = 1;
/** The pattern does not match. */
export const NO_MATCH = 0;
/** The step budget ran out before the answer was known. */
export const OVER_BUDGET = -1;

/**
 * Runs one compiled program against inputs. Not re-entrant, which is fine:
 * `run` is synchronous and calls nothing that could call back into it.
 */
export class PikeMatcher {
  private readonly ops: Uint8Array;
  private readonly arg1: Int32Array;
  private readonly arg2: Int32Array;
  private readonly classes: readonly CharClass[];
  /** Every class's ASCII table, 128 entries each, in one array: one load per step. */
  private readonly classAscii: Uint8Array;
  private readonly anchoredStart: boolean;
  /** The code unit every match starts with (skipped to with `indexOf`), or "". */
  private readonly firstChar: string;
  /** Code units a match can start with, for skipping ahead; null: try every position. */
  private readonly start: { readonly ascii: Uint8Array; readonly high: boolean } | null;
  /** Generation in which each instruction was last added to a list. */
  private readonly marks: Uint32Array;
  private readonly stack: Int32Array;
  private current: Int32Array;
  private next: Int32Array;
  private generation = 0;
  /** Length of the list being filled by `addThread`. */
  private count = 0;
  /** Steps taken by the current (or last) run; see `run`. */
  steps = 0;

  constructor(program: Program) {
    const size = program.ops.length;
    this.ops = program.ops;
    this.arg1 = program.arg1;
    this.arg2 = program.arg2;
    this.classes = program.classes;
    this.classAscii = new Uint8Array(Math.max(1, program.classes.length) << 7);
    program.classes.forEach((cls, k) => this.classAscii.set(cls.ascii, k << 7));
    this.anchoredStart = program.anchoredStart;
    this.firstChar = program.firstChar < 0 ? "" : String.fromCharCode(program.firstChar);
    this.start = program.anchoredStart ? null : startSet(program);
    this.marks = new Uint32Array(size);
    this.stack = new Int32Array(size);
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
  }

  /** Whether the pattern matches anywhere in `input` (like `RegExp.prototype.test`). */
  test(input: string): boolean {
    return this.run(input, Infinity) === MATCH;
  }

  /**
   * Like `test`, but gives up with `OVER_BUDGET` once more than `maxSteps`
   * steps have been taken; `steps` then says how many were. A step is one
   * thread examined at one input position, or one instruction visited while
   * following the non-consuming ones (assertions and non-ASCII class tests
   * count a little more, as they cost more); each position examined adds
   * POSITION_STEPS and each position skipped one step. So a run costs about
   * (program size + POSITION_STEPS) steps per position at most. The budget is
   * checked once per input position: a run overshoots it by at most one
   * position's work.
   */
  run(input: string, maxSteps: number): RunOutcome {
    this.steps = 0;
    const { ops, arg1, arg2, classes, classAscii } = this;
    const length = input.length;
    let pos = this.skipTo(input, 0);
    if (pos < 0) {
      return NO_MATCH;
    }
    this.newGeneration();
    if (this.addThread(this.current, 0, pos, input)) {
      return MATCH;
    }
    let live = this.count;
    for (; pos < length; pos++) {
      if (this.steps > maxSteps) {
        return OVER_BUDGET;
      }
      this.steps += live + POSITION_STEPS;
      const c = input.charCodeAt(pos);
      const current = this.current;
      const next = this.next;
      const after = pos + 1;
      this.newGeneration();
      const marks = this.marks;
      const gen = this.generation;
      let count = 0;
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
            const k = arg1[pc] ?? 0;
            if (c < 0x80) {
              ok = classAscii[(k << 7) | c] === 1;
            } else {
              const cls = classes[k];
              ok = cls !== undefined && classHas(cls, c);
              this.steps += HIGH_CLASS_STEPS;
            }
            break;
          }
          default:
            ok = false;
        }
        if (!ok) {
          continue;
        }
        // A consuming successor (the common case in long runs such as
        // `.{500}`) is added directly; anything else needs the closure walk.
        const succ = pc + 1;
        if ((ops[succ] ?? OP_MATCH) <= OP_CLASS) {
          if (marks[succ] !== gen) {
            marks[succ] = gen;
            next[count++] = succ;
          }
        } else {
          this.count = count;
          if (this.addThread(next, succ, after, input)) {
            return MATCH;
          }
          count = this.count;
        }
      }
      this.count = count;
      // Unanchored search: a match may also start at `after`.
      if (!this.anchoredStart) {
        let start = after;
        if (count === 0) {
          // Nothing alive: skip to the next position where a match can start.
          start = this.skipTo(input, after);
          if (start < 0) {
            return NO_MATCH;
          }
          if (start > after) {
            this.steps += start - after;
            pos = start - 1; // the loop's pos++ lands on start
            this.newGeneration(); // marks made at `after` must not hide states at `start`
          }
        }
        if (this.addThread(next, 0, start, input)) {
          return MATCH;
        }
      }
      live = this.count;
      if (live === 0 && this.anchoredStart) {
        return NO_MATCH;
      }
      this.current = next;
      this.next = current;
    }
    return NO_MATCH;
  }

  /**
   * The first position from `from` on where a match can start, or -1 if
   * there is none (every match consumes a first code unit, which no later
   * position offers). Without a start set that is `from` itself.
   */
  private skipTo(input: string, from: number): number {
    if (this.firstChar !== "") {
      return input.indexOf(this.firstChar, from);
    }
    const start = this.start;
    if (start === null) {
      return from;
    }
    const { ascii, high } = start;
    for (let p = from; p < input.length; p++) {
      const c = input.charCodeAt(p);
      if (c < 0x80 ? ascii[c] === 1 : high) {
        return p;
      }
    }
    return -1;
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
    let visited = CLOSURE_STEPS;
    while (sp > 0) {
      sp--;
      visited++;
      const pc = stack[sp] ?? 0;
      let follow = -1;
      let also = -1;
      switch (ops[pc]) {
        case OP_MATCH:
          this.count = count;
          this.steps += visited;
          return true;
        case OP_JMP:
          follow = arg1[pc] ?? 0;
          break;
        case OP_SPLIT:
          follow = arg1[pc] ?? 0;
          also = arg2[pc] ?? 0;
          break;
        case OP_ASSERT:
          visited += ASSERT_STEPS;
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
    this.steps += visited;
    return false;
  }
}
