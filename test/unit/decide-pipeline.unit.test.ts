import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { bucketOf } from "../../src/core/buckets";
import { MAX_STICKY_VALUE, decide } from "../../src/core/decide";
import { assignCohort, buildLayout } from "../../src/core/layout";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";
import type { RequestFacts } from "../../src/core/facts";

interface FactsInit {
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: Readonly<Record<string, string>>;
  readonly country?: string | null;
}

/** Plain facts; headers are only found by their lower-case name. */
function facts(init: FactsInit = {}): RequestFacts {
  const headers = new Map(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = new Map(Object.entries(init.cookies ?? {}));
  return {
    method: "GET",
    path: init.path ?? "/",
    header: (name) => headers.get(name) ?? null,
    cookie: (name) => cookies.get(name),
    country: init.country ?? null,
    continent: null,
    bot: { userAgent: null },
  };
}

function rollout(doc: Record<string, unknown>): Rollout {
  const result = parseRollout(
    JSON.stringify({ origins: ORIGINS, weights: WEIGHTS, ...doc }),
    "default",
  );
  if (!result.ok) {
    throw new Error(result.errors.join(" | "));
  }
  return result.rollout;
}

const ORIGINS = {
  stable: "https://v1.example.com",
  canary: "https://v2.example.com",
  beta: "https://v3.example.com",
};
const WEIGHTS = { stable: 50, canary: 50 };

const RULES = [
  { name: "de-beta", match: { country: ["DE"] }, cohort: "beta" },
  { name: "no-admin", match: { path: { prefix: "/admin" } }, exclude: true },
  { name: "nl-all-canary", match: { country: ["NL"] }, weights: { stable: 0, canary: 100 } },
  { name: "fr-split", match: { country: ["FR"] }, weights: { stable: 70, beta: 30 } },
  { name: "de-second", match: { country: ["DE"] }, cohort: "canary" },
];
const WITH_RULES = rollout({ rules: RULES });

const visitorId = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
  minLength: 22,
  maxLength: 22,
});

describe("decide: overrides", () => {
  it("lets an override win over a matching rule", () => {
    const d = decide({
      rollout: WITH_RULES,
      facts: facts({ country: "DE" }),
      visitorId: "v1",
      forced: "canary",
    });
    expect(d).toMatchObject({
      cohort: "canary",
      weight: 10_000,
      decidedBy: "override",
      rule: undefined,
    });
  });

  it("lets an override win over the weights", () => {
    const r = rollout({ weights: { stable: 100 } });
    const d = decide({ rollout: r, facts: facts(), visitorId: "v1", forced: "canary" });
    expect(d).toMatchObject({ cohort: "canary", weight: 10_000, decidedBy: "override" });
  });

  it("forces a cohort that has an origin but no weight", () => {
    const d = decide({ rollout: WITH_RULES, facts: facts(), visitorId: "v1", forced: "beta" });
    expect(d).toMatchObject({ cohort: "beta", decidedBy: "override" });
  });

  it("ignores a forced cohort without an origin", () => {
    const r = rollout({ weights: { stable: 100 } });
    const d = decide({ rollout: r, facts: facts(), visitorId: "v1", forced: "ghost" });
    expect(d).toMatchObject({ cohort: "stable", weight: 10_000, decidedBy: "weights" });
  });

  it("falls through to the rules when the forced cohort is unknown", () => {
    const d = decide({
      rollout: WITH_RULES,
      facts: facts({ country: "DE" }),
      visitorId: "v1",
      forced: "ghost",
    });
    expect(d).toMatchObject({ cohort: "beta", decidedBy: "rule", rule: "de-beta" });
  });

  it("still reports the bucket under an override", () => {
    const d = decide({ rollout: WITH_RULES, facts: facts(), visitorId: "v1", forced: "beta" });
    expect(d.bucket).toBe(bucketOf("default", "v1"));
  });
});

describe("decide: rules", () => {
  it("lets the first matching rule decide", () => {
    const d = decide({ rollout: WITH_RULES, facts: facts({ country: "DE" }), visitorId: "v1" });
    expect(d).toMatchObject({ cohort: "beta", weight: 10_000, decidedBy: "rule", rule: "de-beta" });
  });

  it("pins the rule's cohort with weight 10000 whatever the bucket", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const d = decide({ rollout: WITH_RULES, facts: facts({ country: "DE" }), visitorId: id });
        expect(d).toMatchObject({ cohort: "beta", weight: 10_000, rule: "de-beta" });
      }),
    );
  });

  it("excludes to stable with weight 10000 and the rule's name", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const d = decide({
          rollout: WITH_RULES,
          facts: facts({ path: "/admin/users" }),
          visitorId: id,
        });
        expect(d).toMatchObject({
          cohort: "stable",
          weight: 10_000,
          decidedBy: "rule",
          rule: "no-admin",
        });
      }),
    );
  });

  it("splits by the rule's own weights: 100 % canary", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const d = decide({ rollout: WITH_RULES, facts: facts({ country: "NL" }), visitorId: id });
        expect(d).toMatchObject({
          cohort: "canary",
          weight: 10_000,
          decidedBy: "rule",
          rule: "nl-all-canary",
        });
      }),
    );
  });

  it("places the bucket in the rule's layout, not the rollout's", () => {
    const layout = buildLayout(
      new Map([
        ["stable", 7000],
        ["canary", 0],
        ["beta", 3000],
      ]),
    );
    fc.assert(
      fc.property(visitorId, (id) => {
        const d = decide({ rollout: WITH_RULES, facts: facts({ country: "FR" }), visitorId: id });
        const cohort = assignCohort(bucketOf("default", id), layout);
        expect(d).toMatchObject({ cohort, decidedBy: "rule", rule: "fr-split" });
        expect(d.weight).toBe(cohort === "beta" ? 3000 : 7000);
      }),
    );
  });

  it("sends some visitors of a split rule to each side", () => {
    const cohorts = new Set<string>();
    for (let i = 0; i < 200; i++) {
      cohorts.add(
        decide({ rollout: WITH_RULES, facts: facts({ country: "FR" }), visitorId: `visitor-${i}` })
          .cohort,
      );
    }
    expect([...cohorts].sort()).toEqual(["beta", "stable"]);
  });

  it("uses the weights when no rule matches", () => {
    fc.assert(
      fc.property(visitorId, (id) => {
        const d = decide({ rollout: WITH_RULES, facts: facts({ country: "US" }), visitorId: id });
        const cohort = assignCohort(bucketOf("default", id), WITH_RULES.layout);
        expect(d).toEqual({
          bucket: bucketOf("default", id),
          cohort,
          weight: 5000,
          decidedBy: "weights",
          rule: undefined,
          stickyBy: "visitor",
        });
      }),
    );
  });
});

describe("decide: stickiness", () => {
  const BY_HEADER = rollout({ stickiness: { header: "X-User-Id" } });
  const BY_COOKIE = rollout({ stickiness: { cookie: "uid" } });

  it("gives the same header value the same bucket whatever the visitor id", () => {
    const f = facts({ headers: { "x-user-id": "user-42" } });
    const a = decide({ rollout: BY_HEADER, facts: f, visitorId: "visitor-a" });
    const b = decide({ rollout: BY_HEADER, facts: f, visitorId: "visitor-b" });
    expect(a.bucket).toBe(b.bucket);
    expect(a.stickyBy).toBe("header");
  });

  it("hashes the header value in its own namespace, header:<value> (README)", () => {
    const d = decide({
      rollout: BY_HEADER,
      facts: facts({ headers: { "x-user-id": "user-42" } }),
      visitorId: "x",
    });
    expect(d.bucket).toBe(bucketOf("default", "header:user-42"));
  });

  it("hashes the cookie value in its own namespace, cookie:<value>", () => {
    const d = decide({
      rollout: BY_COOKIE,
      facts: facts({ cookies: { uid: "user-42" } }),
      visitorId: "x",
    });
    expect(d.bucket).toBe(bucketOf("default", "cookie:user-42"));
  });

  it("gives the same cookie value the same bucket whatever the visitor id", () => {
    const f = facts({ cookies: { uid: "user-42" } });
    const a = decide({ rollout: BY_COOKIE, facts: f, visitorId: "visitor-a" });
    const b = decide({ rollout: BY_COOKIE, facts: f, visitorId: "visitor-b" });
    expect(a.bucket).toBe(b.bucket);
    expect(a.stickyBy).toBe("cookie");
  });

  it("falls back to the visitor id when the header is absent", () => {
    const d = decide({ rollout: BY_HEADER, facts: facts(), visitorId: "visitor-a" });
    expect(d).toMatchObject({ bucket: bucketOf("default", "visitor-a"), stickyBy: "visitor" });
  });

  it("falls back to the visitor id when the header is empty", () => {
    const d = decide({
      rollout: BY_HEADER,
      facts: facts({ headers: { "x-user-id": "" } }),
      visitorId: "visitor-a",
    });
    expect(d).toMatchObject({ bucket: bucketOf("default", "visitor-a"), stickyBy: "visitor" });
  });

  it("falls back to the visitor id when the header is longer than MAX_STICKY_VALUE", () => {
    expect(MAX_STICKY_VALUE).toBe(1024);
    const long = "u".repeat(MAX_STICKY_VALUE + 1);
    const d = decide({
      rollout: BY_HEADER,
      facts: facts({ headers: { "x-user-id": long } }),
      visitorId: "visitor-a",
    });
    expect(d).toMatchObject({ bucket: bucketOf("default", "visitor-a"), stickyBy: "visitor" });
  });

  it("uses a header of exactly MAX_STICKY_VALUE characters", () => {
    const value = "u".repeat(MAX_STICKY_VALUE);
    const f = facts({ headers: { "x-user-id": value } });
    const a = decide({ rollout: BY_HEADER, facts: f, visitorId: "visitor-a" });
    const b = decide({ rollout: BY_HEADER, facts: f, visitorId: "visitor-b" });
    expect(a.stickyBy).toBe("header");
    expect(a.bucket).toBe(b.bucket);
  });

  it("falls back to the visitor id when the cookie is absent or empty", () => {
    const absent = decide({ rollout: BY_COOKIE, facts: facts(), visitorId: "visitor-a" });
    const empty = decide({
      rollout: BY_COOKIE,
      facts: facts({ cookies: { uid: "" } }),
      visitorId: "visitor-a",
    });
    expect(absent).toMatchObject({ bucket: bucketOf("default", "visitor-a"), stickyBy: "visitor" });
    expect(empty).toMatchObject({ bucket: bucketOf("default", "visitor-a"), stickyBy: "visitor" });
  });

  it("falls back to the visitor id when the cookie is longer than MAX_STICKY_VALUE", () => {
    const long = "u".repeat(MAX_STICKY_VALUE + 1);
    const d = decide({
      rollout: BY_COOKIE,
      facts: facts({ cookies: { uid: long } }),
      visitorId: "visitor-a",
    });
    expect(d.stickyBy).toBe("visitor");
  });

  it("reads the cookie by its exact name", () => {
    const d = decide({
      rollout: BY_COOKIE,
      facts: facts({ cookies: { UID: "user-42" } }),
      visitorId: "visitor-a",
    });
    expect(d.stickyBy).toBe("visitor");
  });

  it("reports stickyBy visitor by default", () => {
    expect(decide({ rollout: rollout({}), facts: facts(), visitorId: "v" }).stickyBy).toBe(
      "visitor",
    );
  });

  it("gives two visitor ids with the same header value the same cohort", () => {
    const r = rollout({
      stickiness: { header: "X-User-Id" },
      weights: { stable: 40, canary: 35, beta: 25 },
    });
    fc.assert(
      fc.property(
        visitorId,
        visitorId,
        fc.string({ minLength: 1, maxLength: 64 }),
        (a, b, user) => {
          const f = facts({ headers: { "x-user-id": user } });
          const da = decide({ rollout: r, facts: f, visitorId: a });
          const db = decide({ rollout: r, facts: f, visitorId: b });
          expect(da.cohort).toBe(db.cohort);
          expect(da.bucket).toBe(db.bucket);
        },
      ),
    );
  });

  it("applies header stickiness to a rule's split too", () => {
    const r = rollout({
      stickiness: { header: "X-User-Id" },
      rules: [{ name: "fr", match: { country: ["FR"] }, weights: { stable: 50, beta: 50 } }],
    });
    fc.assert(
      fc.property(
        visitorId,
        visitorId,
        fc.string({ minLength: 1, maxLength: 64 }),
        (a, b, user) => {
          const f = facts({ country: "FR", headers: { "x-user-id": user } });
          expect(decide({ rollout: r, facts: f, visitorId: a }).cohort).toBe(
            decide({ rollout: r, facts: f, visitorId: b }).cohort,
          );
        },
      ),
    );
  });
});
