/**
 * Compiles a syntax tree into a Thompson-NFA program (Ken Thompson, 1968;
 * the instruction form follows Russ Cox, "Regular Expression Matching: the
 * Virtual Machine Approach", and RE2). Each instruction is one NFA state:
 * consuming ones (CHAR, CHAR2, ANY, CLASS) advance on one input code unit;
 * the rest (SPLIT, JMP, ASSERT, MATCH) are followed without consuming input.
 *
 * The program lives in parallel typed arrays so the matcher touches no
 * objects per step. Counted repetition `e{n,m}` is expanded into copies of
 * `e`, which is why the program size is computed (and capped) before anything
 * is emitted: `(a{1000}){1000}` is refused without allocating a million slots.
 */
import type { RegexNode } from "./ast";
import { MAX_PROGRAM_SIZE } from "./ast";
import type { CharClass } from "./charset";
import {
  caseFoldRanges,
  caseVariants,
  complementRanges,
  normalizeRanges,
  toCharClass,
} from "./charset";

/** Consume a code unit equal to `arg1`. */
export const OP_CHAR = 0;
/** Consume a code unit equal to `arg1` or `arg2` (a letter under `i`). */
export const OP_CHAR2 = 1;
/** Consume any code unit except a line terminator (`.`). */
export const OP_ANY = 2;
/** Consume a code unit in `classes[arg1]`. */
export const OP_CLASS = 3;
/** Continue at both `arg1` and `arg2`. */
export const OP_SPLIT = 4;
/** Continue at `arg1`. */
export const OP_JMP = 5;
/** Continue at the next instruction if assertion `arg1` (an `ASSERT_*`) holds here. */
export const OP_ASSERT = 6;
/** The pattern has matched. */
export const OP_MATCH = 7;

/** `^`: at the start of the input. */
export const ASSERT_START = 0;
/** `$`: at the end of the input. */
export const ASSERT_END = 1;
/** `\b`: between a word and a non-word code unit (`[A-Za-z0-9_]`, as without `u`). */
export const ASSERT_WORD_BOUNDARY = 2;
/** `\B`: not at a word boundary. */
export const ASSERT_NOT_WORD_BOUNDARY = 3;

/** A compiled pattern; execution starts at instruction 0. */
export interface Program {
  readonly ops: Uint8Array;
  readonly arg1: Int32Array;
  readonly arg2: Int32Array;
  readonly classes: readonly CharClass[];
  /** Every match must start at position 0 (the pattern begins with `^`). */
  readonly anchoredStart: boolean;
  /** A code unit every match starts with, or -1: lets the search skip ahead with `indexOf`. */
  readonly firstChar: number;
}

/** The compile outcome: a program, or a `limit:` message. */
export type CompileResult =
  { readonly ok: true; readonly program: Program } | { readonly ok: false; readonly error: string };

/** Compiles `node`, folding case into the program when `ignoreCase` is set. */
export function compileProgram(node: RegexNode, ignoreCase: boolean): CompileResult {
  const size = programSize(node) + 1;
  if (size > MAX_PROGRAM_SIZE) {
    return {
      ok: false,
      error: `limit: compiled program exceeds ${MAX_PROGRAM_SIZE} instructions`,
    };
  }
  const emitter = new Emitter(ignoreCase);
  emitter.node(node);
  emitter.emit(OP_MATCH);
  return {
    ok: true,
    program: {
      ops: Uint8Array.from(emitter.ops),
      arg1: Int32Array.from(emitter.arg1),
      arg2: Int32Array.from(emitter.arg2),
      classes: emitter.classes,
      anchoredStart: isAnchoredStart(node),
      firstChar: firstChar(node, ignoreCase),
    },
  };
}

/**
 * Instructions `node` compiles to (an upper bound; `Infinity` when absurd).
 * Kept in step with `Emitter.node`.
 */
export function programSize(node: RegexNode): number {
  switch (node.kind) {
    case "empty":
      return 0;
    case "char":
    case "dot":
    case "set":
    case "assert":
      return 1;
    case "concat":
      return node.items.reduce((sum, item) => sum + programSize(item), 0);
    case "alternate":
      return (
        node.items.reduce((sum, item) => sum + programSize(item), 0) + 2 * (node.items.length - 1)
      );
    case "repeat": {
      const body = programSize(node.body);
      if (node.max === Infinity) {
        return node.min === 0 ? body + 2 : node.min * body + 1;
      }
      return node.min * body + (node.max - node.min) * (body + 1);
    }
  }
}

function isAnchoredStart(node: RegexNode): boolean {
  switch (node.kind) {
    case "assert":
      return node.assertion === "start";
    case "concat":
      return node.items[0] !== undefined && isAnchoredStart(node.items[0]);
    case "alternate":
      return node.items.every(isAnchoredStart);
    default:
      return false;
  }
}

function firstChar(node: RegexNode, ignoreCase: boolean): number {
  switch (node.kind) {
    case "char":
      // Under `i` only ASCII non-letters have a single spelling.
      return !ignoreCase || (node.code < 0x80 && caseVariants(node.code).length === 1)
        ? node.code
        : -1;
    case "concat":
      return node.items[0] === undefined ? -1 : firstChar(node.items[0], ignoreCase);
    case "repeat":
      return node.min >= 1 ? firstChar(node.body, ignoreCase) : -1;
    default:
      return -1;
  }
}

const ASSERT_CODES = {
  start: ASSERT_START,
  end: ASSERT_END,
  wordBoundary: ASSERT_WORD_BOUNDARY,
  notWordBoundary: ASSERT_NOT_WORD_BOUNDARY,
} satisfies Record<string, number>;

class Emitter {
  readonly ops: number[] = [];
  readonly arg1: number[] = [];
  readonly arg2: number[] = [];
  readonly classes: CharClass[] = [];

  constructor(private readonly ignoreCase: boolean) {}

  /** Appends an instruction; returns its index. */
  emit(op: number, a = 0, b = 0): number {
    this.ops.push(op);
    this.arg1.push(a);
    this.arg2.push(b);
    return this.ops.length - 1;
  }

  private get here(): number {
    return this.ops.length;
  }

  private emitClass(ranges: readonly number[]): void {
    this.emit(OP_CLASS, this.classes.length);
    this.classes.push(toCharClass(ranges));
  }

  node(node: RegexNode): void {
    switch (node.kind) {
      case "empty":
        return;
      case "char": {
        const variants = this.ignoreCase ? caseVariants(node.code) : [node.code];
        const [a = node.code, b = a] = variants;
        if (variants.length <= 2) {
          this.emit(a === b ? OP_CHAR : OP_CHAR2, a, b);
        } else {
          this.emitClass(normalizeRanges(variants.flatMap((c) => [c, c])));
        }
        return;
      }
      case "dot":
        // Line terminators have no case variants, so `.` needs no folding.
        this.emit(OP_ANY);
        return;
      case "set": {
        const literal = this.ignoreCase ? caseFoldRanges(node.literal) : node.literal;
        const members = normalizeRanges([...literal, ...node.closed]);
        this.emitClass(node.negated ? complementRanges(members) : members);
        return;
      }
      case "assert":
        this.emit(OP_ASSERT, ASSERT_CODES[node.assertion]);
        return;
      case "concat":
        for (const item of node.items) {
          this.node(item);
        }
        return;
      case "alternate":
        this.alternate(node.items);
        return;
      case "repeat":
        this.repeat(node.body, node.min, node.max);
        return;
    }
  }

  /** a|b|c => SPLIT L1,L2; L1: a; JMP end; L2: SPLIT L3,L4; L3: b; JMP end; L4: c; end: */
  private alternate(items: readonly RegexNode[]): void {
    const jumps: number[] = [];
    items.forEach((item, i) => {
      if (i === items.length - 1) {
        this.node(item);
        return;
      }
      const split = this.emit(OP_SPLIT, this.here + 1);
      this.node(item);
      jumps.push(this.emit(OP_JMP));
      this.arg2[split] = this.here;
    });
    for (const jump of jumps) {
      this.arg1[jump] = this.here;
    }
  }

  private repeat(body: RegexNode, min: number, max: number): void {
    if (max === Infinity) {
      if (min === 0) {
        // e* => L: SPLIT L+1,end; e; JMP L; end:
        const loop = this.emit(OP_SPLIT, this.here + 1);
        this.node(body);
        this.emit(OP_JMP, loop);
        this.arg2[loop] = this.here;
        return;
      }
      // e{n,} => e repeated n-1 times, then L: e; SPLIT L,end; end:
      for (let i = 1; i < min; i++) {
        this.node(body);
      }
      const loop = this.here;
      this.node(body);
      this.emit(OP_SPLIT, loop, this.here + 1);
      return;
    }
    // e{n,m} => e repeated n times, then m-n times "SPLIT next,end; e".
    for (let i = 0; i < min; i++) {
      this.node(body);
    }
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.emit(OP_SPLIT, this.here + 1));
      this.node(body);
    }
    for (const split of splits) {
      this.arg2[split] = this.here;
    }
  }
}
