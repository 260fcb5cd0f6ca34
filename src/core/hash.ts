/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby, public domain algorithm).
 *
 * Why this hash: bucketing needs a fast, well-mixed, stable 32-bit value, not
 * a cryptographic one (the visitor id is already random). MurmurHash3 has full
 * avalanche in its finalizer, passes SMHasher's distribution tests, is a few
 * dozen instructions per 4 bytes, and has published test vectors, so any
 * other implementation (Go, Python `mmh3`, SQL engines) can recompute a
 * visitor's bucket offline. FNV-1a was rejected: its low bits mix poorly on
 * inputs that differ only at the end, which is exactly what `salt:id` does.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const encoder = new TextEncoder();

/**
 * Bytes of an ASCII text, copied here instead of encoded: every request hashes a short
 * ASCII `salt:id`, and a JS copy is cheaper than a call into the runtime's encoder. ASCII
 * is its own UTF-8, so the hash is the same either way.
 */
const scratch = new Uint8Array(256);

/** MurmurHash3_x86_32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function murmur3(text: string, seed = 0): number {
  const length = text.length;
  if (length <= scratch.length && copyAscii(text, scratch)) {
    return hashBytes(scratch, length, seed);
  }
  const bytes = encoder.encode(text);
  return hashBytes(bytes, bytes.length, seed);
}

/** MurmurHash3_x86_32 of raw bytes, as an unsigned 32-bit integer. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  return hashBytes(bytes, bytes.length, seed);
}

/** Copies `text` into `into` if it is all ASCII (false, and `into` partly written, if not). */
function copyAscii(text: string, into: Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      return false;
    }
    into[i] = code;
  }
  return true;
}

/** MurmurHash3_x86_32 of the first `length` bytes of `bytes`. */
function hashBytes(bytes: Uint8Array, length: number, seed: number): number {
  const tail = length & ~3;
  let h = seed >>> 0;

  for (let i = 0; i < tail; i += 4) {
    let k =
      (bytes[i] ?? 0) |
      ((bytes[i + 1] ?? 0) << 8) |
      ((bytes[i + 2] ?? 0) << 16) |
      ((bytes[i + 3] ?? 0) << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  const rest = length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) {
      k ^= (bytes[tail + 2] ?? 0) << 16;
    }
    if (rest >= 2) {
      k ^= (bytes[tail + 1] ?? 0) << 8;
    }
    k ^= bytes[tail] ?? 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }

  // Finalization mix: forces all bits of the hash to avalanche.
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
