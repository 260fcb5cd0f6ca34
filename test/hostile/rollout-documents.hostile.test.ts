import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignCohort } from "../../src/core/layout";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";
import { parseEcho } from "../support/echo";
import { origins, router } from "../support/harness";
import { points } from "../reliability/support";
import { everyKey, RUNS } from "./support";

/**
 * Random and mutated rollout documents. `parseRollout` never throws; it
 * accepts exactly the documents that satisfy every invariant of the README,
 * re-checked here independently of src/ (`violations` below), and it rejects
 * the others with messages of the form `<field>: <text>` naming a field the
 * document actually has. Through the worker, an accepted document routes and
 * a rejected one gives the 503, never a 500.
 */

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const KEY = "doc.test";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const own = (object: Record<string, unknown>, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key);

/** At most two decimals, read from the number's shortest decimal form (as JSON wrote it). */
function twoDecimals(n: number): boolean {
  return /^\d+(\.\d{1,2})?$/.test(String(n));
}

/** Why a document is not a valid rollout, from the README alone; empty when it is one. */
function violations(doc: unknown): string[] {
  if (!isObject(doc)) {
    return ["not an object"];
  }
  const found: string[] = [];
  for (const key of Object.keys(doc)) {
    if (!["origins", "weights", "salt"].includes(key)) {
      found.push(`unknown field ${key}`);
    }
  }
  const originsField = doc["origins"];
  const weightsField = doc["weights"];
  if (!isObject(originsField)) {
    found.push("origins is not an object");
  } else {
    for (const [cohort, url] of Object.entries(originsField)) {
      if (!NAME.test(cohort)) {
        found.push(`bad cohort name ${cohort}`);
      }
      if (typeof url !== "string") {
        found.push(`origin ${cohort} is not a string`);
        continue;
      }
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        found.push(`origin ${cohort} is not a URL`);
      }
      if (parsed !== undefined) {
        if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
          found.push(`origin ${cohort} is not http(s)`);
        }
        if (parsed.username !== "" || parsed.password !== "") {
          found.push(`origin ${cohort} has credentials`);
        }
      }
      if (url.includes("?") || url.includes("#")) {
        found.push(`origin ${cohort} has a query or fragment`);
      }
    }
    if (!own(originsField, "stable")) {
      found.push("no stable origin");
    }
  }
  if (!isObject(weightsField)) {
    found.push("weights is not an object");
  } else {
    let total = 0;
    for (const [cohort, weight] of Object.entries(weightsField)) {
      if (!NAME.test(cohort)) {
        found.push(`bad cohort name ${cohort}`);
      }
      if (!isObject(originsField) || !own(originsField, cohort)) {
        found.push(`weight without origin ${cohort}`);
      }
      if (typeof weight !== "number") {
        found.push(`weight ${cohort} is not a number`);
        continue;
      }
      if (weight < 0 || weight > 100 || !twoDecimals(weight)) {
        found.push(`weight ${cohort} is not 0..100 with at most two decimals: ${weight}`);
      }
      total += Math.round(weight * 100);
    }
    if (total !== 10_000) {
      found.push(`weights sum to ${total} hundredths`);
    }
  }
  const salt = doc["salt"];
  if (salt !== undefined && (typeof salt !== "string" || salt.length < 1 || salt.length > 128)) {
    found.push("bad salt");
  }
  return found;
}

/** The fields a message may name: the document, the README's fields, its own top-level keys, and each cohort entry. */
function fieldsOf(doc: unknown): string[] {
  const fields = ["document", "origins", "weights", "salt", "origins.stable"];
  if (isObject(doc)) {
    for (const [key, value] of Object.entries(doc)) {
      fields.push(key);
      if (isObject(value)) {
        fields.push(...Object.keys(value).map((cohort) => `${key}.${cohort}`));
      }
    }
  }
  return fields;
}

/** What an accepted rollout must hold, against the document it came from. */
function expectMatches(rollout: Rollout, doc: Record<string, unknown>): void {
  const originsField = doc["origins"];
  const weightsField = doc["weights"];
  if (!isObject(originsField) || !isObject(weightsField)) {
    throw new Error("accepted without origins and weights objects");
  }
  expect(rollout.key).toBe(KEY);
  expect(rollout.revision).toMatch(/^[0-9a-f]{8}$/);
  expect(rollout.salt).toBe(typeof doc["salt"] === "string" ? doc["salt"] : KEY);
  expect([...rollout.origins.keys()].sort()).toEqual(Object.keys(originsField).sort());
  for (const [cohort, url] of Object.entries(originsField)) {
    const parsed = new URL(String(url));
    expect(rollout.origins.get(cohort)).toEqual({
      origin: parsed.origin,
      basePath: parsed.pathname.replace(/\/+$/, ""),
    });
  }
  let total = 0;
  for (const cohort of Object.keys(originsField)) {
    const weight = weightsField[cohort];
    const hundredths = typeof weight === "number" ? Math.round(weight * 100) : 0;
    expect(rollout.weights.get(cohort)).toBe(hundredths);
    total += hundredths;
  }
  expect(total).toBe(10_000);
  // The layout gives each cohort exactly its weight in buckets.
  const buckets = new Map<string, number>();
  for (let bucket = 0; bucket < 10_000; bucket++) {
    const cohort = assignCohort(bucket, rollout.layout);
    buckets.set(cohort, (buckets.get(cohort) ?? 0) + 1);
  }
  for (const [cohort, hundredths] of rollout.weights) {
    expect(buckets.get(cohort) ?? 0).toBe(hundredths);
  }
}

/** Parses the text and checks the verdict against `violations`, whatever it is. */
function check(text: string): ReturnType<typeof parseRollout> {
  let result: ReturnType<typeof parseRollout> | undefined;
  expect(() => {
    result = parseRollout(text, KEY);
  }).not.toThrow();
  if (result === undefined) {
    throw new Error("parseRollout returned nothing");
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([expect.stringMatching(/^document: \S/)]);
    }
    return result;
  }
  const wrong = violations(doc);
  if (result.ok) {
    expect(wrong).toEqual([]);
    if (isObject(doc)) {
      expectMatches(result.rollout, doc);
    }
  } else {
    expect(
      wrong.length,
      `rejected a document with no violation: ${result.errors.join(" | ")}`,
    ).toBeGreaterThan(0);
    expect(result.errors.length).toBeGreaterThan(0);
    const fields = fieldsOf(doc);
    for (const message of result.errors) {
      const named = fields.some(
        (f) => message.startsWith(`${f}: `) && message.length > f.length + 2,
      );
      expect(named, `"${message}" does not start with one of the document's fields`).toBe(true);
    }
  }
  return result;
}

// --- Generators -------------------------------------------------------------

const cohortName = fc.stringMatching(NAME).filter((n) => n !== "stable");
const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/);
const basePath = fc
  .array(segment, { maxLength: 3 })
  .map((s) => (s.length === 0 ? "" : `/${s.join("/")}`));
const urlHost = fc.oneof(fc.domain(), fc.ipV4(), fc.constantFrom("[::1]", "localhost"));
const originUrl = fc
  .tuple(
    fc.constantFrom("http", "https"),
    urlHost,
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    basePath,
    fc.boolean(),
  )
  .map(
    ([scheme, host, port, base, slash]) =>
      `${scheme}://${host}${port === undefined ? "" : `:${port}`}${base}${slash ? "/" : ""}`,
  );

/** `total` hundredths split into `parts` non-negative integers. */
const partition = (parts: number, total = 10_000) =>
  fc
    .array(fc.integer({ min: 0, max: total }), { minLength: parts - 1, maxLength: parts - 1 })
    .map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), total];
      return points.slice(1).map((p, i) => p - (points[i] ?? 0));
    });

/** A valid document (by construction), with weights as exact two-decimal numbers. */
const validDoc = (url: fc.Arbitrary<string> = originUrl) =>
  fc.uniqueArray(cohortName, { maxLength: 4 }).chain((names) => {
    const cohorts = ["stable", ...names];
    return fc
      .tuple(
        fc.array(url, { minLength: cohorts.length, maxLength: cohorts.length }),
        fc.subarray(cohorts, { minLength: 1 }),
        fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
      )
      .chain(([urls, weighted, salt]) =>
        partition(weighted.length).map((split) => {
          const doc: Record<string, unknown> = {
            origins: Object.fromEntries(cohorts.map((c, i) => [c, urls[i]])),
            weights: Object.fromEntries(weighted.map((c, i) => [c, (split[i] ?? 0) / 100])),
          };
          if (salt !== undefined) {
            doc["salt"] = salt;
          }
          return doc;
        }),
      );
  });

/** Sets an own, enumerable property, even `__proto__`. */
function put(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });
}

const hostileUrl = fc.oneof(
  fc.constantFrom(
    "http://user:pass@v2.example.com",
    "https://user@v2.example.com",
    "https://v2.example.com?x=1",
    "https://v2.example.com/base?",
    "https://v2.example.com#frag",
    "https://v2.example.com/#",
    "ftp://v2.example.com",
    "javascript:alert(1)",
    "data:text/plain,hi",
    "file:///etc/passwd",
    "//v2.example.com",
    "/relative",
    "v2.example.com",
    "",
    " https://v2.example.com ",
    "HTTPS://V2.EXAMPLE.COM/Base",
    "http:\\\\v2.example.com\\base",
    "http://v2.example.com:99999",
    "http://[::1",
    "http://exa mple.com",
    "https://v2.example.com/%2e%2e/x",
    "https://\u00e9xample.com/",
  ),
  fc.string(),
  fc.jsonValue(),
);
const badName = fc.oneof(
  fc.constantFrom(
    "Stable",
    "CANARY",
    "-canary",
    "_x",
    "",
    "a".repeat(33),
    "can ary",
    "canary\n",
    "__proto__",
    "constructor",
    "toString",
    "prototype",
  ),
  fc.string({ maxLength: 40 }),
);

type Mutation = (doc: Record<string, unknown>) => void;

function mapField(
  doc: Record<string, unknown>,
  field: "origins" | "weights",
): Record<string, unknown> | undefined {
  const value = doc[field];
  return isObject(value) ? value : undefined;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom("origins", "weights", "salt").map((field): Mutation => (doc) => {
    Reflect.deleteProperty(doc, field);
  }),
  fc
    .tuple(
      fc.constantFrom(
        "wieghts",
        "Origins",
        "WEIGHTS",
        "__proto__",
        "constructor",
        "extra",
        "salt ",
        "",
      ),
      fc.jsonValue(),
    )
    .map(
      ([key, value]): Mutation =>
        (doc) =>
          put(doc, key, value),
    ),
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        fc.jsonValue(),
        fc.constantFrom(-0.01, 100.01, 101, -1, 0.001, 33.333, "50", null, true, 1e21, 5e-324),
      ),
    )
    .map(([pick, value]): Mutation => (doc) => {
      const weights = mapField(doc, "weights");
      const keys = weights === undefined ? [] : Object.keys(weights);
      const key = keys[pick % Math.max(keys.length, 1)];
      if (weights !== undefined && key !== undefined) {
        put(weights, key, value);
      }
    }),
  // Move one hundredth between two cohorts (stays valid if both exist and stay >= 0), or add/remove one (sum breaks).
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom(-1, 1), fc.boolean())
    .map(([a, b, delta, move]): Mutation => (doc) => {
      const weights = mapField(doc, "weights");
      if (weights === undefined) {
        return;
      }
      const keys = Object.keys(weights);
      const from = keys[a % Math.max(keys.length, 1)];
      const to = keys[b % Math.max(keys.length, 1)];
      const shift = (key: string | undefined, by: number): void => {
        const w = key === undefined ? undefined : weights[key];
        if (key !== undefined && typeof w === "number") {
          put(weights, key, (Math.round(w * 100) + by) / 100);
        }
      };
      shift(from, delta);
      if (move) {
        shift(to, -delta);
      }
    }),
  fc.tuple(fc.nat(), hostileUrl).map(([pick, url]): Mutation => (doc) => {
    const o = mapField(doc, "origins");
    const keys = o === undefined ? [] : Object.keys(o);
    const key = keys[pick % Math.max(keys.length, 1)];
    if (o !== undefined && key !== undefined) {
      put(o, key, url);
    }
  }),
  fc
    .tuple(fc.constantFrom<"origins" | "weights">("origins", "weights"), fc.nat(), badName)
    .map(([field, pick, name]): Mutation => (doc) => {
      const map = mapField(doc, field);
      const keys = map === undefined ? [] : Object.keys(map);
      const key = keys[pick % Math.max(keys.length, 1)];
      if (map !== undefined && key !== undefined) {
        const value = map[key];
        Reflect.deleteProperty(map, key);
        put(map, name, value);
      }
    }),
  fc
    .tuple(badName, originUrl, fc.constantFrom(0, 0.5))
    .map(([name, url, weight]): Mutation => (doc) => {
      const o = mapField(doc, "origins");
      const w = mapField(doc, "weights");
      if (o !== undefined) {
        put(o, name, url);
      }
      if (w !== undefined && weight > 0) {
        put(w, name, weight);
      }
    }),
  fc.constantFrom<Mutation>(
    (doc) => {
      const o = mapField(doc, "origins");
      if (o !== undefined) {
        delete o["stable"];
      }
    },
    (doc) => {
      const w = mapField(doc, "weights");
      if (w !== undefined) {
        put(w, "ghost", 0);
      }
    },
  ),
  fc.oneof(fc.jsonValue(), fc.constantFrom("", "s".repeat(128), "s".repeat(129))).map(
    (salt): Mutation =>
      (doc) =>
        put(doc, "salt", salt),
  ),
  fc
    .tuple(
      fc.constantFrom("origins", "weights"),
      fc.constantFrom<unknown>([], null, "x", 1, [["stable", 100]]),
    )
    .map(
      ([field, value]): Mutation =>
        (doc) =>
          put(doc, field, value),
    ),
);

const mutatedDoc = fc
  .tuple(validDoc(), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([doc, mutations]) => {
    const copy: unknown = JSON.parse(JSON.stringify(doc));
    if (!isObject(copy)) {
      throw new Error("unreachable: a document is an object");
    }
    for (const mutate of mutations) {
      mutate(copy);
    }
    return JSON.stringify(copy);
  });

// --- Properties -------------------------------------------------------------

describe("parseRollout on hostile documents", () => {
  it("accepts every valid document, with exactly the origins, weights, salt and bucket shares it says", () => {
    fc.assert(
      fc.property(validDoc(), (doc) => {
        expect(check(JSON.stringify(doc)).ok).toBe(true);
      }),
      RUNS(150),
    );
  });

  it("accepts a mutated document only if it still satisfies every invariant, and otherwise names the fields", () => {
    fc.assert(
      fc.property(mutatedDoc, (text) => {
        check(text);
      }),
      RUNS(600),
    );
  });

  it("never throws on random JSON values and JSON-ish text, and names a field in every message", () => {
    const nearlyJson = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ origins: v, weights: v })),
      fc.string(),
      fc.constantFrom(
        "",
        "{",
        "[]",
        "null",
        "{}",
        '{"origins":{},"weights":{}}',
        '{"__proto__":{"origins":1}}',
        "\u0000",
        "1e999",
      ),
      validDoc().map((d) => JSON.stringify(d).slice(0, -1)),
      validDoc().map((d) => `${JSON.stringify(d)}x`),
      validDoc().map((d) => JSON.stringify(d).replace(/"stable"/, '"stable","stable"')),
    );
    fc.assert(
      fc.property(nearlyJson, (text) => {
        check(text);
      }),
      RUNS(600),
    );
  });

  it("rejects a weight with more than two decimals even when it is within float noise of a hundredth", () => {
    // 90.000000001 is not "at most two decimals" (README), though it is 1e-7 hundredths from 9000.
    const result = check(
      JSON.stringify({
        origins: { stable: "https://a.example", canary: "https://b.example" },
        weights: { stable: 90.000000001, canary: 9.999999999 },
      }),
    );
    expect(result.ok).toBe(false);
  });

  it("takes duplicate keys as JSON.parse does (the last one wins) and checks that one", () => {
    const result = check(
      '{"origins":{"stable":"https://a.example"},"weights":{"stable":100},"weights":{"stable":50}}',
    );
    expect(result.ok).toBe(false);
  });
});

describe("hostile documents through the worker", () => {
  it("route when valid and answer the 503 naming the host and key when not; never a 500", async () => {
    const o = origins();
    const local = fc
      .tuple(fc.constantFrom(o.stable, o.canary), basePath)
      .map(([origin, base]) => `${origin}${base}`);
    const doc = fc.oneof(
      validDoc(local).map((d) => JSON.stringify(d)),
      fc
        .tuple(validDoc(local), fc.array(mutation, { minLength: 1, maxLength: 2 }))
        .map(([d, mutations]) => {
          const copy: unknown = JSON.parse(JSON.stringify(d));
          if (isObject(copy)) {
            for (const mutate of mutations) {
              mutate(copy);
            }
          }
          return JSON.stringify(copy);
        }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(doc, async (text) => {
        const parsed = parseRollout(text, KEY);
        // A mutation may point an accepted document at a host that is not local: not here.
        if (
          parsed.ok &&
          [...parsed.rollout.origins.values()].some((x) => ![o.stable, o.canary].includes(x.origin))
        ) {
          return;
        }
        const r = router({ kv: () => everyKey(text) });
        const { response, body } = await r.send(`http://${KEY}/p`);
        expect(response.status).not.toBe(500);
        expect(points(r.dataset)).toHaveLength(1);
        if (parsed.ok) {
          expect(response.status).toBe(200);
          const cohort = response.headers.get("X-Gray-Cohort") ?? "";
          expect(parsed.rollout.weights.get(cohort) ?? 0).toBeGreaterThan(0);
          const origin = parsed.rollout.origins.get(cohort);
          expect(parseEcho(body).url).toBe(`${origin?.basePath ?? "?"}/p`);
        } else {
          expect(response.status).toBe(503);
          expect(body).toBe(
            `gray-router: host "${KEY}": KV key "${KEY}" holds an invalid rollout (see the worker logs); no earlier valid rollout`,
          );
          expect(points(r.dataset)[0]?.outcome).toBe("config_error");
          expect(r.logs.join("\n")).toContain(`KV key "${KEY}" holds an invalid rollout: `);
        }
      }),
      RUNS(60),
    );
  }, 30_000);
});
