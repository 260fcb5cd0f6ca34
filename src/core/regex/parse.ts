/**
 * Recursive-descent parser for the supported subset of JavaScript regular
 * expression syntax (see README.md). Everything accepted means exactly what
 * it means to `new RegExp(pattern)` without the `u` flag; anything outside the
 * subset is rejected with a message naming the construct and its 0-based
 * position, rather than guessed at. In particular, the Annex B leniencies
 * (a lone `{`, `}` or `]` as a literal, `\1` as an octal escape, `\z` as `z`)
 * are refused: they are almost always typos.
 */
import type { Assertion, RegexNode } from "./ast";
import { MAX_PATTERN_LENGTH, MAX_REPEAT_COUNT } from "./ast";
import { normalizeRanges } from "./charset";
import { CLASS_ESCAPES, readCharEscape } from "./escape";

/** The parse outcome: a tree, or a message such as `unsupported: backreference \1 at 5`. */
export type ParseResult =
  { readonly ok: true; readonly node: RegexNode } | { readonly ok: false; readonly error: string };

/** Parses `pattern`; never throws. */
export function parseRegex(pattern: string): ParseResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      error: `limit: pattern is ${pattern.length} characters, the limit is ${MAX_PATTERN_LENGTH}`,
    };
  }
  try {
    return { ok: true, node: new Parser(pattern).parseAll() };
  } catch (e) {
    if (e instanceof RegexParseError) {
      return { ok: false, error: e.message };
    }
    throw e;
  }
}

/** Internal: unwinds the recursive descent to `parseRegex` with a message. */
class RegexParseError extends Error {}

const EMPTY: RegexNode = { kind: "empty" };

const GROUP_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

interface Atom {
  readonly node: RegexNode;
  /** False for assertions: JavaScript rejects `^*` ("nothing to repeat"). */
  readonly quantifiable: boolean;
}

interface Bounds {
  readonly min: string;
  readonly max: string | undefined;
  readonly open: boolean;
}

class Parser {
  private pos = 0;
  private readonly names = new Set<string>();

  constructor(private readonly src: string) {}

  parseAll(): RegexNode {
    const node = this.parseAlternation();
    if (this.pos < this.src.length) {
      // parseSequence stops only at `|` (consumed above) or `)`.
      this.fail(`syntax error: unmatched ')' at ${this.pos}`);
    }
    return node;
  }

  private fail(message: string): never {
    throw new RegexParseError(message);
  }

  /** The character `offset` places ahead, or "" past the end. */
  private peek(offset = 0): string {
    return this.src.charAt(this.pos + offset);
  }

  private parseAlternation(): RegexNode {
    const first = this.parseSequence();
    if (this.peek() !== "|") {
      return first;
    }
    const items = [first];
    while (this.peek() === "|") {
      this.pos++;
      items.push(this.parseSequence());
    }
    return { kind: "alternate", items };
  }

  private parseSequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.pos < this.src.length && this.peek() !== "|" && this.peek() !== ")") {
      items.push(this.parseQuantifier(this.parseAtom()));
    }
    const only = items[0];
    if (items.length <= 1) {
      return only ?? EMPTY;
    }
    return { kind: "concat", items };
  }

  private parseQuantifier(atom: Atom): RegexNode {
    const at = this.pos;
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === "*" || ch === "+" || ch === "?") {
      this.pos++;
      min = ch === "+" ? 1 : 0;
      max = ch === "?" ? 1 : Infinity;
    } else if (ch === "{") {
      const bounds = this.parseBounds();
      if (bounds === undefined) {
        this.fail(`unsupported: literal '{' at ${at} (escape it as \\{)`);
      }
      min = this.checkCount(bounds.min, at);
      max =
        bounds.max === undefined ? (bounds.open ? Infinity : min) : this.checkCount(bounds.max, at);
      if (min > max) {
        this.fail(`syntax error: numbers out of order in {${min},${max}} at ${at}`);
      }
    } else {
      return atom.node;
    }
    if (!atom.quantifiable) {
      this.fail(`syntax error: nothing to repeat at ${at}`);
    }
    const greedy = this.peek() !== "?";
    if (!greedy) {
      this.pos++;
    }
    return { kind: "repeat", body: atom.node, min, max, greedy };
  }

  /** Consumes `{n}`, `{n,}` or `{n,m}` if present; otherwise consumes nothing. */
  private parseBounds(): Bounds | undefined {
    const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
    if (m === null) {
      return undefined;
    }
    this.pos += m[0].length;
    const max = m[3];
    return {
      min: m[1] ?? "",
      max: max === undefined || max === "" ? undefined : max,
      open: m[2] === ",",
    };
  }

  private checkCount(digits: string, at: number): number {
    const n = Number(digits);
    if (n > MAX_REPEAT_COUNT) {
      this.fail(`limit: repeat count ${digits} exceeds ${MAX_REPEAT_COUNT} at ${at}`);
    }
    return n;
  }

  private parseAtom(): Atom {
    const at = this.pos;
    const ch = this.peek();
    switch (ch) {
      case "^":
      case "$":
        this.pos++;
        return this.assertion(ch === "^" ? "start" : "end");
      case ".":
        this.pos++;
        return { node: { kind: "dot" }, quantifiable: true };
      case "(":
        return { node: this.parseGroup(), quantifiable: true };
      case "[":
        return { node: this.parseClass(), quantifiable: true };
      case "\\":
        return this.parseEscape();
      case "*":
      case "+":
      case "?":
        return this.fail(`syntax error: nothing to repeat at ${at}`);
      case "{":
        if (this.parseBounds() !== undefined) {
          this.fail(`syntax error: nothing to repeat at ${at}`);
        }
        return this.fail(`unsupported: literal '{' at ${at} (escape it as \\{)`);
      case "}":
      case "]":
        return this.fail(`unsupported: literal '${ch}' at ${at} (escape it as \\${ch})`);
      default:
        this.pos++;
        return { node: { kind: "char", code: this.src.charCodeAt(at) }, quantifiable: true };
    }
  }

  private assertion(assertion: Assertion): Atom {
    return { node: { kind: "assert", assertion }, quantifiable: false };
  }

  private parseGroup(): RegexNode {
    const open = this.pos;
    this.pos++;
    if (this.peek() === "?") {
      const kind = this.peek(1);
      const next = this.peek(2);
      if (kind === "") {
        this.fail(`syntax error: unterminated group at ${open}`);
      } else if (kind === ":") {
        this.pos += 2;
      } else if (kind === "=" || kind === "!") {
        const what = kind === "=" ? "lookahead" : "negative lookahead";
        this.fail(`unsupported: ${what} (?${kind} at ${open}`);
      } else if (kind === "<" && (next === "=" || next === "!")) {
        const what = next === "=" ? "lookbehind" : "negative lookbehind";
        this.fail(`unsupported: ${what} (?<${next} at ${open}`);
      } else if (kind === "<") {
        this.parseGroupName(open);
      } else {
        this.fail(`unsupported: group syntax (?${kind} at ${open}`);
      }
    }
    const body = this.parseAlternation();
    if (this.peek() !== ")") {
      this.fail(`syntax error: unterminated group at ${open}`);
    }
    this.pos++;
    return body;
  }

  /** Accepts `(?<name>` as a plain group: names are checked, never used. */
  private parseGroupName(open: number): void {
    const close = this.src.indexOf(">", this.pos + 2);
    const name = close === -1 ? "" : this.src.slice(this.pos + 2, close);
    if (!GROUP_NAME.test(name)) {
      this.fail(`syntax error: invalid group name at ${open}`);
    }
    if (this.names.has(name)) {
      this.fail(`syntax error: duplicate group name '${name}' at ${open}`);
    }
    this.names.add(name);
    this.pos = close + 1;
  }

  private parseEscape(): Atom {
    const ch = this.peek(1);
    if (ch === "b" || ch === "B") {
      this.pos += 2;
      return this.assertion(ch === "b" ? "wordBoundary" : "notWordBoundary");
    }
    const set = CLASS_ESCAPES.get(ch);
    if (set !== undefined) {
      this.pos += 2;
      return {
        node: { kind: "set", literal: [], closed: set, negated: false },
        quantifiable: true,
      };
    }
    return { node: { kind: "char", code: this.parseCharEscape(false) }, quantifiable: true };
  }

  /** Consumes an escape denoting one code unit (the `\` is at `pos`). */
  private parseCharEscape(inClass: boolean): number {
    const escape = readCharEscape(this.src, this.pos, inClass);
    if (escape.code === undefined) {
      return this.fail(escape.error);
    }
    this.pos += escape.length;
    return escape.code;
  }

  private parseClass(): RegexNode {
    const open = this.pos;
    this.pos++;
    const negated = this.peek() === "^";
    if (negated) {
      this.pos++;
    }
    const literal: number[] = [];
    const closed: number[] = [];
    for (;;) {
      if (this.pos >= this.src.length) {
        this.fail(`syntax error: unterminated character class at ${open}`);
      }
      if (this.peek() === "]") {
        this.pos++;
        break;
      }
      const at = this.pos;
      const first = this.parseClassAtom();
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== "") {
        this.pos++;
        const last = this.parseClassAtom();
        if (typeof first !== "number" || typeof last !== "number") {
          this.fail(`unsupported: class escape as range bound at ${at}`);
        }
        if (first > last) {
          this.fail(`syntax error: range out of order in character class at ${at}`);
        }
        literal.push(first, last);
      } else if (typeof first === "number") {
        literal.push(first, first);
      } else {
        closed.push(...first);
      }
    }
    return {
      kind: "set",
      literal: normalizeRanges(literal),
      closed: normalizeRanges(closed),
      negated,
    };
  }

  /** One class member: a code unit, or the ranges of a class escape. */
  private parseClassAtom(): number | readonly number[] {
    if (this.peek() !== "\\") {
      this.pos++;
      return this.src.charCodeAt(this.pos - 1);
    }
    const set = CLASS_ESCAPES.get(this.peek(1));
    if (set !== undefined) {
      this.pos += 2;
      return set;
    }
    return this.parseCharEscape(true);
  }
}
