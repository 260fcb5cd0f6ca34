/**
 * A deterministic visitor id generator (xorshift32 seeded), so share tests
 * give the same figures on every run. Ids have the production format.
 */
export function seededIds(seed: number): () => string {
  let state = seed >>> 0 || 1;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return () => {
    let id = "";
    for (let i = 0; i < 22; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      id += alphabet[state & 63];
    }
    return id;
  };
}
