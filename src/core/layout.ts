import { BUCKET_COUNT } from "./buckets";
import { STABLE } from "./cohort";

export { STABLE };

/** A half-open range of buckets `[start, end)` held by one cohort. */
export interface BucketRange {
  readonly cohort: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Where each non-stable cohort sits in the bucket space.
 * `guaranteed` is false when the weights overflowed a segment and the layout
 * fell back to packing (see `buildLayout`).
 */
export interface Layout {
  readonly ranges: readonly BucketRange[];
  readonly guaranteed: boolean;
}

/**
 * Places the non-stable cohorts in the 10,000 buckets so that changing one
 * cohort's weight only moves visitors between that cohort and `stable`.
 *
 * Non-stable cohorts are taken in name order (so key order in the JSON never
 * matters) and paired up; each pair shares one equal segment of the bucket
 * space, the first cohort of the pair growing up from the segment's start and
 * the second growing down from its end. A cohort's range therefore depends only
 * on its own weight and on the set of cohort names:
 *
 * - one canary: `[0, w)`, stable the rest;
 * - two canaries: `[0, wA)` and `[10000 - wB, 10000)`; always disjoint, since
 *   weights sum to at most 100 %;
 * - n canaries: ceil(n / 2) segments of 10000 / ceil(n / 2) buckets.
 *
 * With three or more canaries no layout can keep the law for every weight
 * combination (one canary at 100 % leaves the others no room that is theirs
 * alone), so the law holds while each segment's pair fits in it, e.g. up to
 * 50 % per pair with three or four canaries. When a segment overflows, the
 * layout falls back to packing the cohorts one after another from bucket 0:
 * shares stay exact, but visitors may move between canaries at that change.
 *
 * @param weights cohort -> weight in hundredths of a percent (= buckets);
 *   must include every cohort that has an origin (weight 0 allowed).
 */
export function buildLayout(weights: ReadonlyMap<string, number>): Layout {
  const canaries = [...weights.keys()].filter((c) => c !== STABLE).sort();
  const segments = Math.ceil(canaries.length / 2);
  const ranges: BucketRange[] = [];
  let guaranteed = true;

  for (let s = 0; s < segments; s++) {
    const segStart = Math.floor((s * BUCKET_COUNT) / segments);
    const segEnd = Math.floor(((s + 1) * BUCKET_COUNT) / segments);
    const up = canaries[2 * s];
    const down = canaries[2 * s + 1];
    const upWeight = up === undefined ? 0 : (weights.get(up) ?? 0);
    const downWeight = down === undefined ? 0 : (weights.get(down) ?? 0);
    if (upWeight + downWeight > segEnd - segStart) {
      guaranteed = false;
      break;
    }
    if (up !== undefined) {
      ranges.push({ cohort: up, start: segStart, end: segStart + upWeight });
    }
    if (down !== undefined) {
      ranges.push({ cohort: down, start: segEnd - downWeight, end: segEnd });
    }
  }

  if (!guaranteed) {
    return { ranges: packed(canaries, weights), guaranteed };
  }
  return { ranges: ranges.filter((r) => r.end > r.start), guaranteed };
}

function packed(canaries: readonly string[], weights: ReadonlyMap<string, number>): BucketRange[] {
  const ranges: BucketRange[] = [];
  let start = 0;
  for (const cohort of canaries) {
    const end = start + (weights.get(cohort) ?? 0);
    if (end > start) {
      ranges.push({ cohort, start, end });
    }
    start = end;
  }
  return ranges;
}

/** The cohort that holds `bucket`: the non-stable range containing it, else `stable`. */
export function assignCohort(bucket: number, layout: Layout): string {
  for (const range of layout.ranges) {
    if (bucket >= range.start && bucket < range.end) {
      return range.cohort;
    }
  }
  return STABLE;
}
