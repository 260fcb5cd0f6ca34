import { murmur3 } from "./hash";

/**
 * Number of buckets a visitor can fall into. 10,000 buckets make one bucket
 * exactly 0.01 %, the finest weight step the rollout document allows, so a
 * weight in hundredths of a percent is also a bucket count.
 */
export const BUCKET_COUNT = 10_000;

/**
 * The visitor's bucket: MurmurHash3_x86_32 (seed 0) of `salt + ":" + id`,
 * modulo 10,000. The modulo bias is 7,296 / 2^32 (under 2e-6 of a bucket's
 * share), far below what any weight can express.
 */
export function bucketOf(salt: string, visitorId: string): number {
  return murmur3(`${salt}:${visitorId}`) % BUCKET_COUNT;
}
