import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { bucketOf } from "../../src/core/buckets";
import { decide } from "../../src/core/decide";
import { assignCohort } from "../../src/core/layout";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";
import type { RequestFacts } from "../../src/core/facts";

/** Facts of a plain request that no rule looks at. */
const NO_FACTS: RequestFacts = {
  method: "GET",
  path: "/",
  header: () => null,
  cookie: () => undefined,
  country: null,
  continent: null,
  bot: { userAgent: null },
};

function d(r: Rollout, visitorId: string): ReturnType<typeof decide> {
  return decide({ rollout: r, facts: NO_FACTS, visitorId });
}

function rollout(doc: unknown, key = "default"): Rollout {
  const result = parseRollout(JSON.stringify(doc), key);
  if (!result.ok) {
    throw new Error(result.errors.join(" | "));
  }
  return result.rollout;
}

const ORIGINS = {
  stable: "https://v1.example.com",
  alpha: "https://alpha.example.com",
  beta: "https://beta.example.com",
  hidden: "https://hidden.example.com",
};
const THREE_WAY = rollout({ origins: ORIGINS, weights: { stable: 60, alpha: 25, beta: 15 } });

const visitorId = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
  minLength: 22,
  maxLength: 22,
});

describe("decide", () => {
  it("gives the same id the same decision", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        expect(d(THREE_WAY, id)).toEqual(d(THREE_WAY, id));
      }),
    );
  });

  it("uses the bucket of the rollout's salt and the visitor id", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        expect(d(THREE_WAY, id).bucket).toBe(bucketOf("default", id));
      }),
    );
  });

  it("uses the document's salt instead of the key when one is set", () => {
    const salted = rollout({ origins: ORIGINS, weights: { stable: 100 }, salt: "spring" });
    expect(d(salted, "Zm9vYmFyYmF6cXV4cXV1eA").bucket).toBe(
      bucketOf("spring", "Zm9vYmFyYmF6cXV4cXV1eA"),
    );
  });

  it("picks the cohort the layout gives the bucket", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const decision = d(THREE_WAY, id);
        expect(decision.cohort).toBe(assignCohort(decision.bucket, THREE_WAY.layout));
      }),
    );
  });

  it("reports the chosen cohort's weight in hundredths", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const decision = d(THREE_WAY, id);
        expect(decision.weight).toBe(THREE_WAY.weights.get(decision.cohort));
      }),
    );
  });

  it("never picks a cohort whose weight is 0", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        expect(d(THREE_WAY, id).cohort).not.toBe("hidden");
      }),
    );
  });

  it("sends everyone to stable at 100 % stable", () => {
    const allStable = rollout({ origins: ORIGINS, weights: { stable: 100 } });
    fc.assert(
      fc.property(visitorId, (id) => {
        expect(d(allStable, id)).toMatchObject({ cohort: "stable", weight: 10_000 });
      }),
    );
  });

  it("sends everyone to the canary at 100 % canary", () => {
    const allCanary = rollout({ origins: ORIGINS, weights: { stable: 0, alpha: 100 } });
    fc.assert(
      fc.property(visitorId, (id) => {
        expect(d(allCanary, id).cohort).toBe("alpha");
      }),
    );
  });
});
