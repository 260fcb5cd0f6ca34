/**
 * Deterministic test bytes, shared by the faulty origin (Node) and the tests
 * (workerd), so a body can be generated on one side and checked on the other
 * without either side holding it whole.
 *
 * Byte `i` of a body is `(i + floor(i / 65536) * 7) mod 251`: a period of 251
 * that shifts every 64 KiB block, so a dropped, repeated or reordered block
 * changes the hash (plain `i mod 251` would repeat whole blocks).
 */
export const PATTERN_BLOCK = 64 * 1024;

/** `j mod 251` for every j a block can need: each block is a copy of a slice of this. */
const RAMP = Uint8Array.from({ length: PATTERN_BLOCK + 251 }, (_, j) => j % 251);

/** Bytes `[offset, offset + size)` of the pattern, in a new array. */
export function patternChunk(offset: number, size: number): Uint8Array {
  const chunk = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const at = offset + done;
    const block = Math.floor(at / PATTERN_BLOCK);
    const length = Math.min(size - done, (block + 1) * PATTERN_BLOCK - at);
    const start = (at + block * 7) % 251;
    chunk.set(RAMP.subarray(start, start + length), done);
    done += length;
  }
  return chunk;
}

/** The pattern's bytes as a sequence of chunks of at most `PATTERN_BLOCK` bytes. */
export function* patternChunks(total: number): Generator<Uint8Array> {
  for (let offset = 0; offset < total; offset += PATTERN_BLOCK) {
    yield patternChunk(offset, Math.min(PATTERN_BLOCK, total - offset));
  }
}

/** Lower-case hex of a digest. */
export function hex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
