/** Zero-width assertions as the matcher evaluates them: `^`, `$`, `\b` and `\B` (no multiline mode). */
import {
  ASSERT_END,
  ASSERT_NOT_WORD_BOUNDARY,
  ASSERT_START,
  ASSERT_WORD_BOUNDARY,
} from "./compile";

/** `\w` without the `u` flag: `[A-Za-z0-9_]`. */
function isWordCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f
  );
}

/** Whether assertion `kind` holds between `input[pos - 1]` and `input[pos]`. */
export function assertionHolds(kind: number, pos: number, input: string): boolean {
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
