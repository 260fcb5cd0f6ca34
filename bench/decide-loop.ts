/**
 * The per-request routing decision, run in a loop for the benchmark: request facts,
 * visitor cookie parse (`identifyVisitor`), then `decide` (override, rules, murmur3
 * bucket, layout) on a rollout parsed once. Bench-only; not part of the router.
 */
import { decide } from "../src/core/decide";
import { parseRollout } from "../src/core/rollout";
import type { Rollout } from "../src/core/rollout";
import { epochDay, identifyVisitor, randomVisitorId, VISITOR_COOKIE } from "../src/core/visitor";
import { requestFacts } from "../src/edge/request-facts";

/** Distinct visitors the loop cycles through (a power of two). */
const VISITORS = 4096;

const ORIGINS = { stable: "https://stable.example", canary: "https://canary.example" };

/**
 * The rollouts measured: `plain` is weights only; `rules` adds the README's three
 * example rules, none of which matches the bench visitors, so all are evaluated.
 */
const DOCUMENTS = {
  plain: { origins: ORIGINS, weights: { stable: 90, canary: 10 } },
  rules: {
    origins: ORIGINS,
    weights: { stable: 90, canary: 10 },
    rules: [
      { name: "staff", match: { cookie: { name: "staff", equals: "1" } }, cohort: "canary" },
      { name: "no-bots", match: { bot: true }, exclude: true },
      {
        name: "nl-half",
        match: { country: ["NL"], path: { prefix: "/shop/" } },
        weights: { stable: 50, canary: 50 },
      },
    ],
  },
} as const;

export type DecisionRollout = keyof typeof DOCUMENTS;

interface Fixture {
  readonly rollouts: Record<DecisionRollout, Rollout>;
  readonly requests: { readonly request: Request; readonly url: URL }[];
  readonly anonymous: { readonly request: Request; readonly url: URL };
}

let fixture: Fixture | undefined;

function parsed(name: DecisionRollout): Rollout {
  const result = parseRollout(JSON.stringify(DOCUMENTS[name]), "default");
  if (!result.ok) {
    throw new Error(`bench rollout "${name}": ${result.errors.join("; ")}`);
  }
  return result.rollout;
}

function visitorRequest(cookie: string | undefined): { request: Request; url: URL } {
  const url = new URL("https://shop.example/products/42?ref=home");
  const headers = new Headers({
    accept: "text/html",
    "user-agent":
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
  });
  if (cookie !== undefined) {
    headers.set("cookie", cookie);
  }
  return { request: new Request(url, { headers }), url };
}

function getFixture(): Fixture {
  if (fixture === undefined) {
    const day = epochDay(Date.now()).toString(36);
    fixture = {
      rollouts: { plain: parsed("plain"), rules: parsed("rules") },
      requests: Array.from({ length: VISITORS }, () =>
        visitorRequest(
          `_ga=GA1.1.123456789.1700000000; ${VISITOR_COOKIE}=1.${randomVisitorId()}.${day}; theme=dark`,
        ),
      ),
      anonymous: visitorRequest(undefined),
    };
  }
  return fixture;
}

/**
 * Runs `n` decisions; returns how many chose a non-stable cohort (so the work cannot be
 * optimized away, and the 90/10 split can be checked).
 * @param returning true: each request carries a valid visitor cookie (4,096 distinct
 *   visitors); false: no cookie, so a new id and its `Set-Cookie` value are made.
 */
export function decideMany(n: number, returning: boolean, rolloutName: DecisionRollout): number {
  const { rollouts, requests, anonymous } = getFixture();
  const rollout = rollouts[rolloutName];
  const now = Date.now();
  let canary = 0;
  for (let i = 0; i < n; i++) {
    const { request, url } = returning ? (requests[i & (VISITORS - 1)] ?? anonymous) : anonymous;
    const visitor = identifyVisitor(request.headers.get("cookie"), now, randomVisitorId);
    const decision = decide({ rollout, facts: requestFacts(request, url), visitorId: visitor.id });
    if (decision.cohort !== "stable") {
      canary++;
    }
  }
  return canary;
}
