import { describe, it, expect } from "vitest";
import {
  MAX_MATCH_INPUT,
  MAX_REGEX_INPUT,
  MAX_RULES,
  RULE_STEP_BUDGET,
  compileRules,
  firstMatch,
} from "../../src/core/rules";
import { decide } from "../../src/core/decide";
import { parseRollout } from "../../src/core/rollout";
import { newRuleScratch } from "../../src/core/conditions";
import type { Rule } from "../../src/core/rules";
import type { RequestFacts } from "../../src/core/facts";
import type { BotSignals } from "../../src/core/bots";
import { buildLayout } from "../../src/core/layout";

const COHORTS: ReadonlySet<string> = new Set(["stable", "canary", "beta"]);

interface FactsInit {
  readonly method?: string;
  readonly path?: string;
  /** Header names are stored lower-case: a lookup with any other case finds nothing. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: Readonly<Record<string, string>>;
  readonly country?: string | null;
  readonly continent?: string | null;
  readonly bot?: BotSignals;
}

function facts(init: FactsInit = {}): RequestFacts {
  const headers = new Map(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = new Map(Object.entries(init.cookies ?? {}));
  return {
    method: init.method ?? "GET",
    path: init.path ?? "/",
    header: (name) => headers.get(name) ?? null,
    cookie: (name) => cookies.get(name),
    country: init.country ?? null,
    continent: init.continent ?? null,
    bot: init.bot ?? { userAgent: null },
  };
}

function compile(raw: unknown): { rules: Rule[]; errors: string[] } {
  const errors: string[] = [];
  const rules = compileRules(raw, COHORTS, errors);
  return { rules, errors };
}

/** Compiles one valid rule; fails the test with the errors otherwise. */
function rule(raw: unknown): Rule {
  const { rules, errors } = compile([raw]);
  expect(errors).toEqual([]);
  const [first] = rules;
  if (first === undefined) {
    throw new Error("no rule compiled");
  }
  return first;
}

/** Whether a rule with this `match` (and a cohort action) matches `f`. */
function matches(match: unknown, f: RequestFacts): boolean {
  return rule({ match, cohort: "canary" }).matches(f, newRuleScratch());
}

/** The errors for a list holding this one rule. */
function errorsOf(raw: unknown): string[] {
  const { rules, errors } = compile([raw]);
  expect(rules).toEqual([]);
  return errors;
}

/** Asserts one error message starts with `field: `. */
function expectFieldError(errors: readonly string[], field: string): void {
  expect(
    errors.some((e) => e.startsWith(`${field}: `)),
    `expected an error on ${field}, got ${JSON.stringify(errors)}`,
  ).toBe(true);
}

const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

describe("rules: constants", () => {
  it("allows 50 rules and bounds matched values at 8 KiB", () => {
    expect(MAX_RULES).toBe(50);
    expect(MAX_MATCH_INPUT).toBe(8192);
  });
});

describe("rules: country and continent", () => {
  it("matches a listed country", () => {
    expect(matches({ country: ["DE", "NL"] }, facts({ country: "NL" }))).toBe(true);
  });

  it("does not match another country", () => {
    expect(matches({ country: ["DE", "NL"] }, facts({ country: "FR" }))).toBe(false);
  });

  it("does not match an unknown country", () => {
    expect(matches({ country: ["DE"] }, facts({ country: null }))).toBe(false);
  });

  it("matches a listed continent", () => {
    expect(matches({ continent: ["EU"] }, facts({ continent: "EU" }))).toBe(true);
  });

  it("does not match another or unknown continent", () => {
    expect(matches({ continent: ["EU"] }, facts({ continent: "NA" }))).toBe(false);
    expect(matches({ continent: ["EU"] }, facts({ continent: null }))).toBe(false);
  });
});

describe("rules: header", () => {
  it("matches equals exactly", () => {
    expect(
      matches(
        { header: { name: "x-beta", equals: "yes" } },
        facts({ headers: { "x-beta": "yes" } }),
      ),
    ).toBe(true);
  });

  it("does not match equals on a longer or different-case value", () => {
    const m = { header: { name: "x-beta", equals: "yes" } };
    expect(matches(m, facts({ headers: { "x-beta": "yes!" } }))).toBe(false);
    expect(matches(m, facts({ headers: { "x-beta": "YES" } }))).toBe(false);
  });

  it("does not match equals when the header is absent", () => {
    expect(matches({ header: { name: "x-beta", equals: "yes" } }, facts())).toBe(false);
  });

  it("matches equals on an empty value", () => {
    expect(
      matches({ header: { name: "x-beta", equals: "" } }, facts({ headers: { "x-beta": "" } })),
    ).toBe(true);
    expect(matches({ header: { name: "x-beta", equals: "" } }, facts())).toBe(false);
  });

  it("matches a prefix", () => {
    const m = { header: { name: "user-agent", prefix: "Mozilla/" } };
    expect(matches(m, facts({ headers: { "user-agent": "Mozilla/5.0" } }))).toBe(true);
    expect(matches(m, facts({ headers: { "user-agent": "curl/8" } }))).toBe(false);
  });

  it("matches a regex anywhere in the value", () => {
    const m = { header: { name: "x-auth-email", regex: "@example\\.com$" } };
    expect(matches(m, facts({ headers: { "x-auth-email": "ann@example.com" } }))).toBe(true);
    expect(matches(m, facts({ headers: { "x-auth-email": "ann@example.org" } }))).toBe(false);
    expect(matches(m, facts({ headers: { "x-auth-email": "ann@exampleXcom" } }))).toBe(false);
  });

  it("matches present: true only when the header is there", () => {
    const m = { header: { name: "x-beta", present: true } };
    expect(matches(m, facts({ headers: { "x-beta": "" } }))).toBe(true);
    expect(matches(m, facts())).toBe(false);
  });

  it("matches present: false only when the header is absent", () => {
    const m = { header: { name: "x-beta", present: false } };
    expect(matches(m, facts())).toBe(true);
    expect(matches(m, facts({ headers: { "x-beta": "1" } }))).toBe(false);
  });

  it("looks the header up by its lower-case name whatever case the rule uses", () => {
    expect(
      matches(
        { header: { name: "X-Beta-User", equals: "1" } },
        facts({ headers: { "x-beta-user": "1" } }),
      ),
    ).toBe(true);
  });

  it("compares equals case-insensitively with ignoreCase", () => {
    const m = { header: { name: "x-beta", equals: "Yes", ignoreCase: true } };
    expect(matches(m, facts({ headers: { "x-beta": "yES" } }))).toBe(true);
  });

  it("compares prefix case-insensitively with ignoreCase", () => {
    const m = { header: { name: "user-agent", prefix: "MOZILLA", ignoreCase: true } };
    expect(matches(m, facts({ headers: { "user-agent": "mozilla/5.0" } }))).toBe(true);
  });

  it("compares regex case-insensitively with ignoreCase", () => {
    const m = { header: { name: "x-auth-email", regex: "@example\\.com$", ignoreCase: true } };
    expect(matches(m, facts({ headers: { "x-auth-email": "ANN@EXAMPLE.COM" } }))).toBe(true);
  });

  it("compares regex case-sensitively without ignoreCase", () => {
    const m = { header: { name: "x-auth-email", regex: "@example\\.com$" } };
    expect(matches(m, facts({ headers: { "x-auth-email": "ANN@EXAMPLE.COM" } }))).toBe(false);
  });
});

describe("rules: cookie", () => {
  it("matches equals", () => {
    expect(
      matches({ cookie: { name: "staff", equals: "1" } }, facts({ cookies: { staff: "1" } })),
    ).toBe(true);
    expect(
      matches({ cookie: { name: "staff", equals: "1" } }, facts({ cookies: { staff: "0" } })),
    ).toBe(false);
  });

  it("matches a prefix", () => {
    const m = { cookie: { name: "plan", prefix: "pro-" } };
    expect(matches(m, facts({ cookies: { plan: "pro-monthly" } }))).toBe(true);
    expect(matches(m, facts({ cookies: { plan: "free" } }))).toBe(false);
  });

  it("matches a regex", () => {
    const m = { cookie: { name: "uid", regex: "^[0-9]+7$" } };
    expect(matches(m, facts({ cookies: { uid: "12347" } }))).toBe(true);
    expect(matches(m, facts({ cookies: { uid: "12348" } }))).toBe(false);
  });

  it("matches present: true and present: false", () => {
    expect(
      matches({ cookie: { name: "staff", present: true } }, facts({ cookies: { staff: "" } })),
    ).toBe(true);
    expect(matches({ cookie: { name: "staff", present: true } }, facts())).toBe(false);
    expect(matches({ cookie: { name: "staff", present: false } }, facts())).toBe(true);
  });

  it("compares cookie names case-sensitively", () => {
    expect(
      matches({ cookie: { name: "Staff", equals: "1" } }, facts({ cookies: { staff: "1" } })),
    ).toBe(false);
  });

  it("compares values case-insensitively with ignoreCase", () => {
    const m = { cookie: { name: "staff", equals: "TRUE", ignoreCase: true } };
    expect(matches(m, facts({ cookies: { staff: "true" } }))).toBe(true);
  });
});

describe("rules: path", () => {
  it("matches a prefix", () => {
    const m = { path: { prefix: "/api/" } };
    expect(matches(m, facts({ path: "/api/v1/users" }))).toBe(true);
    expect(matches(m, facts({ path: "/apis" }))).toBe(false);
  });

  it("matches * within one segment only", () => {
    const m = { path: { glob: "/static/*.js" } };
    expect(matches(m, facts({ path: "/static/app.js" }))).toBe(true);
    expect(matches(m, facts({ path: "/static/js/app.js" }))).toBe(false);
  });

  it("matches ** across segments", () => {
    const m = { path: { glob: "/static/**/*.js" } };
    expect(matches(m, facts({ path: "/static/a/b/c/app.js" }))).toBe(true);
    expect(matches(m, facts({ path: "/static/a/app.css" }))).toBe(false);
  });

  it("matches ? as exactly one character other than /", () => {
    const m = { path: { glob: "/v?/users" } };
    expect(matches(m, facts({ path: "/v2/users" }))).toBe(true);
    expect(matches(m, facts({ path: "/v10/users" }))).toBe(false);
    expect(matches(m, facts({ path: "/v//users" }))).toBe(false);
  });

  it("requires a glob to match the whole path", () => {
    const m = { path: { glob: "/shop/*" } };
    expect(matches(m, facts({ path: "/en/shop/x" }))).toBe(false);
    expect(matches(m, facts({ path: "/shop/x/y" }))).toBe(false);
  });

  it("treats regex characters in a glob literally", () => {
    const m = { path: { glob: "/a.b+(c)[d]{e}|^$-/*" } };
    expect(matches(m, facts({ path: "/a.b+(c)[d]{e}|^$-/x" }))).toBe(true);
    expect(matches(m, facts({ path: "/aXb+(c)[d]{e}|^$-/x" }))).toBe(false);
  });
});

describe("rules: method and bot", () => {
  it("matches a listed method", () => {
    expect(matches({ method: ["GET", "HEAD"] }, facts({ method: "HEAD" }))).toBe(true);
    expect(matches({ method: ["GET", "HEAD"] }, facts({ method: "POST" }))).toBe(false);
  });

  it("matches bot: true for a known bot", () => {
    expect(matches({ bot: true }, facts({ bot: { userAgent: GOOGLEBOT } }))).toBe(true);
    expect(matches({ bot: true }, facts({ bot: { userAgent: CHROME } }))).toBe(false);
  });

  it("matches bot: false for a browser", () => {
    expect(matches({ bot: false }, facts({ bot: { userAgent: CHROME } }))).toBe(true);
    expect(matches({ bot: false }, facts({ bot: { userAgent: CHROME, verifiedBot: true } }))).toBe(
      false,
    );
  });

  it("uses the bot score for bot: true", () => {
    expect(matches({ bot: true }, facts({ bot: { userAgent: CHROME, botScore: 5 } }))).toBe(true);
    expect(matches({ bot: true }, facts({ bot: { userAgent: CHROME, botScore: 0 } }))).toBe(false);
  });
});

describe("rules: several conditions", () => {
  const m = {
    country: ["NL"],
    path: { prefix: "/shop/" },
    method: ["GET"],
    header: { name: "x-beta", present: true },
  };
  const all = { country: "NL", path: "/shop/cart", method: "GET", headers: { "x-beta": "1" } };

  it("matches when every condition holds", () => {
    expect(matches(m, facts(all))).toBe(true);
  });

  it("does not match when any one condition fails", () => {
    expect(matches(m, facts({ ...all, country: "DE" }))).toBe(false);
    expect(matches(m, facts({ ...all, path: "/blog/" }))).toBe(false);
    expect(matches(m, facts({ ...all, method: "POST" }))).toBe(false);
    expect(matches(m, facts({ ...all, headers: {} }))).toBe(false);
  });
});

describe("rules: order and actions", () => {
  it("returns the first matching rule in order", () => {
    const { rules, errors } = compile([
      { name: "never", match: { country: ["JP"] }, cohort: "beta" },
      { name: "first", match: { path: { prefix: "/" } }, cohort: "canary" },
      { name: "second", match: { method: ["GET"] }, exclude: true },
    ]);
    expect(errors).toEqual([]);
    expect(firstMatch(rules, facts())?.name).toBe("first");
  });

  it("returns undefined when no rule matches", () => {
    const { rules } = compile([{ match: { country: ["JP"] }, cohort: "beta" }]);
    expect(firstMatch(rules, facts())).toBeUndefined();
  });

  it("names an unnamed rule after its position", () => {
    const { rules } = compile([
      { name: "a", match: { bot: true }, exclude: true },
      { match: { bot: true }, exclude: true },
    ]);
    expect(rules.map((r) => r.name)).toEqual(["a", "rule-1"]);
  });

  it("compiles a cohort pin, including a cohort at weight 0", () => {
    expect(rule({ match: { bot: false }, cohort: "beta" }).action).toEqual({
      kind: "cohort",
      cohort: "beta",
    });
  });

  it("compiles exclude", () => {
    expect(rule({ match: { bot: true }, exclude: true }).action).toEqual({ kind: "exclude" });
  });

  it("compiles weights with the rule's own layout, every cohort present", () => {
    const action = rule({ match: { country: ["NL"] }, weights: { stable: 50, canary: 50 } }).action;
    const expected = new Map([
      ["stable", 5000],
      ["canary", 5000],
      ["beta", 0],
    ]);
    expect(action).toEqual({ kind: "weights", weights: expected, layout: buildLayout(expected) });
  });

  it("accepts an empty list", () => {
    expect(compile([])).toEqual({ rules: [], errors: [] });
  });

  it("accepts exactly 50 rules", () => {
    const { rules, errors } = compile(
      Array.from({ length: 50 }, () => ({ match: { bot: true }, exclude: true })),
    );
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(50);
  });
});

describe("rules: rejections", () => {
  it("rejects rules that are not a list", () => {
    const { rules, errors } = compile({ match: { bot: true }, exclude: true });
    expect(rules).toEqual([]);
    expectFieldError(errors, "rules");
  });

  it("rejects more than 50 rules", () => {
    const { rules, errors } = compile(
      Array.from({ length: 51 }, () => ({ match: { bot: true }, exclude: true })),
    );
    expect(rules).toEqual([]);
    expect(errors.some((e) => e.startsWith("rules: ") && e.includes("50"))).toBe(true);
  });

  it("rejects a rule that is not an object", () => {
    expectFieldError(errorsOf("exclude bots"), "rules[0]");
  });

  it("rejects an unknown field in a rule, naming it", () => {
    expectFieldError(
      errorsOf({ match: { bot: true }, exclude: true, priority: 1 }),
      "rules[0].priority",
    );
  });

  it("rejects an unknown field in match, naming it", () => {
    expectFieldError(
      errorsOf({ match: { bot: true, asn: [13335] }, exclude: true }),
      "rules[0].match.asn",
    );
  });

  it("rejects an unknown field in header, naming it", () => {
    expectFieldError(
      errorsOf({ match: { header: { name: "x", equals: "1", contains: "1" } }, exclude: true }),
      "rules[0].match.header.contains",
    );
  });

  it("rejects a rule without match", () => {
    expectFieldError(errorsOf({ exclude: true }), "rules[0].match");
  });

  it("rejects an empty match", () => {
    expectFieldError(errorsOf({ match: {}, exclude: true }), "rules[0].match");
  });

  it("rejects a rule without an action", () => {
    expectFieldError(errorsOf({ match: { bot: true } }), "rules[0]");
  });

  it("rejects a rule with two actions", () => {
    expectFieldError(
      errorsOf({ match: { bot: true }, exclude: true, cohort: "canary" }),
      "rules[0]",
    );
  });

  it("rejects exclude: false", () => {
    expectFieldError(errorsOf({ match: { bot: true }, exclude: false }), "rules[0].exclude");
  });

  it("rejects a cohort without an origin", () => {
    const errors = errorsOf({ match: { bot: true }, cohort: "ghost" });
    expectFieldError(errors, "rules[0].cohort");
    expect(errors.join("\n")).toContain("ghost");
  });

  it("rejects rule weights that do not sum to 100", () => {
    expectFieldError(
      errorsOf({ match: { bot: true }, weights: { stable: 50, canary: 40 } }),
      "rules[0].weights",
    );
  });

  it("rejects rule weights naming a cohort without an origin", () => {
    expectFieldError(
      errorsOf({ match: { bot: true }, weights: { stable: 50, ghost: 50 } }),
      "rules[0].weights.ghost",
    );
  });

  it("rejects a lower-case country code", () => {
    expectFieldError(
      errorsOf({ match: { country: ["de"] }, exclude: true }),
      "rules[0].match.country[0]",
    );
  });

  it("rejects a three-letter country code", () => {
    expectFieldError(
      errorsOf({ match: { country: ["DE", "DEU"] }, exclude: true }),
      "rules[0].match.country[1]",
    );
  });

  it("rejects an empty country list", () => {
    expectFieldError(errorsOf({ match: { country: [] }, exclude: true }), "rules[0].match.country");
  });

  it("rejects an unknown continent", () => {
    expectFieldError(
      errorsOf({ match: { continent: ["EU", "XX"] }, exclude: true }),
      "rules[0].match.continent[1]",
    );
  });

  it("rejects a lower-case method", () => {
    expectFieldError(
      errorsOf({ match: { method: ["get"] }, exclude: true }),
      "rules[0].match.method[0]",
    );
  });

  it("rejects a header with both equals and prefix", () => {
    expectFieldError(
      errorsOf({ match: { header: { name: "x", equals: "a", prefix: "a" } }, exclude: true }),
      "rules[0].match.header",
    );
  });

  it("rejects a header with none of equals, prefix, regex, present", () => {
    expectFieldError(
      errorsOf({ match: { header: { name: "x" } }, exclude: true }),
      "rules[0].match.header",
    );
  });

  it("rejects a header without a name", () => {
    expectFieldError(
      errorsOf({ match: { header: { equals: "1" } }, exclude: true }),
      "rules[0].match.header.name",
    );
  });

  it("rejects a cookie with both regex and present", () => {
    expectFieldError(
      errorsOf({ match: { cookie: { name: "c", regex: "a", present: true } }, exclude: true }),
      "rules[0].match.cookie",
    );
  });

  it("rejects a path with both prefix and glob", () => {
    expectFieldError(
      errorsOf({ match: { path: { prefix: "/a", glob: "/a/*" } }, exclude: true }),
      "rules[0].match.path",
    );
  });

  it("rejects invalid regex syntax", () => {
    expectFieldError(
      errorsOf({ match: { header: { name: "x", regex: "(unclosed" } }, exclude: true }),
      "rules[0].match.header.regex",
    );
  });

  it("rejects a backreference", () => {
    expectFieldError(
      errorsOf({ match: { header: { name: "x", regex: "(a)\\1" } }, exclude: true }),
      "rules[0].match.header.regex",
    );
  });

  it("rejects a lookahead", () => {
    expectFieldError(
      errorsOf({ match: { cookie: { name: "x", regex: "(?=a)" } }, exclude: true }),
      "rules[0].match.cookie.regex",
    );
  });

  it("rejects a glob the engine cannot compile (too long)", () => {
    expectFieldError(
      errorsOf({ match: { path: { glob: `/${"a".repeat(600)}` } }, exclude: true }),
      "rules[0].match.path.glob",
    );
  });

  it("rejects a glob that is not a string", () => {
    expectFieldError(
      errorsOf({ match: { path: { glob: 5 } }, exclude: true }),
      "rules[0].match.path.glob",
    );
  });

  it("reports problems in several rules, each under its own index", () => {
    const { rules, errors } = compile([
      { match: { bot: true }, exclude: true },
      { match: { country: ["de"] }, exclude: true },
      { match: { bot: true }, cohort: "ghost" },
    ]);
    expect(rules.map((r) => r.name)).toEqual(["rule-0"]);
    expectFieldError(errors, "rules[1].match.country[0]");
    expectFieldError(errors, "rules[2].cohort");
  });
});

describe("rules: long values", () => {
  const long = "a".repeat(MAX_MATCH_INPUT + 1);
  const atLimit = "a".repeat(MAX_MATCH_INPUT);

  it("never matches equals on a header longer than MAX_MATCH_INPUT", () => {
    expect(matches({ header: { name: "x", equals: long } }, facts({ headers: { x: long } }))).toBe(
      false,
    );
  });

  it("still matches equals on a header of exactly MAX_MATCH_INPUT", () => {
    expect(
      matches({ header: { name: "x", equals: atLimit } }, facts({ headers: { x: atLimit } })),
    ).toBe(true);
  });

  it("never matches prefix on a header longer than MAX_MATCH_INPUT", () => {
    expect(matches({ header: { name: "x", prefix: "a" } }, facts({ headers: { x: long } }))).toBe(
      false,
    );
  });

  it("never matches regex on a header longer than MAX_MATCH_INPUT", () => {
    expect(matches({ header: { name: "x", regex: "a" } }, facts({ headers: { x: long } }))).toBe(
      false,
    );
  });

  it("never matches equals, prefix or regex on a cookie longer than MAX_MATCH_INPUT", () => {
    const f = facts({ cookies: { c: long } });
    expect(matches({ cookie: { name: "c", equals: long } }, f)).toBe(false);
    expect(matches({ cookie: { name: "c", prefix: "a" } }, f)).toBe(false);
    expect(matches({ cookie: { name: "c", regex: "a" } }, f)).toBe(false);
  });

  it("still matches present: true on a header longer than MAX_MATCH_INPUT", () => {
    expect(matches({ header: { name: "x", present: true } }, facts({ headers: { x: long } }))).toBe(
      true,
    );
  });

  it("still matches present: true on a cookie longer than MAX_MATCH_INPUT", () => {
    expect(matches({ cookie: { name: "c", present: true } }, facts({ cookies: { c: long } }))).toBe(
      true,
    );
  });

  it("never matches a glob on a path longer than MAX_MATCH_INPUT", () => {
    expect(matches({ path: { glob: "/**" } }, facts({ path: `/${long}` }))).toBe(false);
  });

  it("never matches a path prefix on a path longer than MAX_MATCH_INPUT", () => {
    expect(matches({ path: { prefix: "/a" } }, facts({ path: `/${long}` }))).toBe(false);
  });
});

describe("rules: pathological regexes", () => {
  const m = { header: { name: "x", regex: "(a+)+$" } };

  it("accepts (a+)+$", () => {
    expect(compile([{ match: m, exclude: true }]).errors).toEqual([]);
  });

  it("matches (a+)+$ on a short run of a's", () => {
    expect(matches(m, facts({ headers: { x: "aaaa" } }))).toBe(true);
    expect(matches(m, facts({ headers: { x: "baaaa" } }))).toBe(true);
    expect(matches(m, facts({ headers: { x: "aaab" } }))).toBe(false);
  });

  it("returns false for (a+)+$ on a 50,000-character 'aaaa…!' header", () => {
    expect(matches(m, facts({ headers: { x: `${"a".repeat(49_999)}!` } }))).toBe(false);
  });

  it("returns false for (a+)+$ on an 'aaaa…!' header just under MAX_MATCH_INPUT (the engine runs)", () => {
    expect(matches(m, facts({ headers: { x: `${"a".repeat(MAX_MATCH_INPUT - 1)}!` } }))).toBe(
      false,
    );
  });
});

describe("rules: one step budget per request, across every rule", () => {
  const ORIGINS = { stable: "https://v1.example.com", canary: "https://v2.example.com" };
  const heavy = (name: string) => ({
    name,
    match: { header: { name: "x-probe", regex: ".{998}!" } },
    cohort: "canary",
  });
  /** 50 rules of the heaviest accepted pattern; the weights alone would send everyone to canary. */
  const document = {
    origins: ORIGINS,
    weights: { stable: 0, canary: 100 },
    rules: Array.from({ length: MAX_RULES }, (_, i) => heavy(`heavy-${i}`)),
  };
  const hostile = facts({ headers: { "x-probe": "x".repeat(MAX_REGEX_INPUT - 1) } });

  function parsed(doc: unknown) {
    const result = parseRollout(JSON.stringify(doc), "default");
    if (!result.ok) {
      throw new Error(result.errors.join("; "));
    }
    return result.rollout;
  }

  it("accepts the document: the bound is per request, not a limit on documents", () => {
    expect(parseRollout(JSON.stringify(document), "default").ok).toBe(true);
  });

  it("sends a request whose rules run out of steps to stable, recorded as rule (step budget)", () => {
    const decision = decide({ rollout: parsed(document), facts: hostile, visitorId: "v" });
    expect(decision).toMatchObject({
      cohort: "stable",
      decidedBy: "rule",
      rule: "(step budget)",
    });
  });

  it("gives every request a full budget of its own", () => {
    const rollout = parsed(document);
    decide({ rollout, facts: hostile, visitorId: "v" });
    const calm = facts({ headers: { "x-probe": "short" } });
    expect(decide({ rollout, facts: calm, visitorId: "v" })).toMatchObject({
      cohort: "canary",
      decidedBy: "weights",
    });
  });

  it("stops spending once the budget is gone: a later matching rule is not reached", () => {
    const { rules } = compile([
      ...Array.from({ length: 10 }, (_, i) => heavy(`heavy-${i}`)),
      { name: "everyone", match: { method: ["GET"] }, cohort: "beta" },
    ]);
    expect(firstMatch(rules, hostile)?.name).toBe("(step budget)");
    // With a budget that covers the ten patterns, the last rule decides.
    expect(firstMatch(rules, hostile, 100 * RULE_STEP_BUDGET)?.name).toBe("everyone");
  });

  it("runs cheap conditions first: a rule whose country differs costs no regex steps", () => {
    const gated = document.rules.map((r) => ({ ...r, match: { ...r.match, country: ["JP"] } }));
    const decision = decide({
      rollout: parsed({ ...document, rules: gated }),
      facts: hostile,
      visitorId: "v",
    });
    expect(decision).toMatchObject({ cohort: "canary", decidedBy: "weights" });
  });

  it("leaves ordinary rules on ordinary requests untouched", () => {
    const ua =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const { rules } = compile([
      ...Array.from({ length: MAX_RULES - 1 }, (_, i) => ({
        name: `ua-${i}`,
        match: { header: { name: "user-agent", regex: `(android|windows nt ${i}\\.)` } },
        cohort: "canary",
      })),
      {
        name: "iphone",
        match: { header: { name: "user-agent", regex: "iphone|ipad", ignoreCase: true } },
        cohort: "beta",
      },
    ]);
    expect(firstMatch(rules, facts({ headers: { "user-agent": ua } }))?.name).toBe("iphone");
  });
});

describe("rules: path conditions, raw and normalised", () => {
  const spellings = ["/%61dmin/", "/ADMIN/", "//admin/", "/admin;/", "/Admin;jsessionid=1/users"];

  it("compares the path as the runtime parsed it by default: other spellings do not match", () => {
    for (const path of spellings) {
      expect(matches({ path: { prefix: "/admin/" } }, facts({ path })), path).toBe(false);
      expect(matches({ path: { glob: "/admin/**" } }, facts({ path })), path).toBe(false);
    }
    expect(matches({ path: { prefix: "/admin/" } }, facts({ path: "/admin/users" }))).toBe(true);
  });

  it("with normalize, matches every spelling an origin may route to the same path", () => {
    for (const path of spellings) {
      expect(matches({ path: { prefix: "/admin/", normalize: true } }, facts({ path })), path).toBe(
        true,
      );
      expect(matches({ path: { glob: "/admin/**", normalize: true } }, facts({ path })), path).toBe(
        true,
      );
    }
  });

  it("with normalize, compares the rule's own prefix or glob case-insensitively", () => {
    expect(
      matches({ path: { prefix: "/Admin/", normalize: true } }, facts({ path: "/ADMIN/x" })),
    ).toBe(true);
    expect(
      matches(
        { path: { glob: "/API/*/Users", normalize: true } },
        facts({ path: "/api/v2/users" }),
      ),
    ).toBe(true);
    expect(
      matches({ path: { prefix: "/admin/", normalize: true } }, facts({ path: "/public/" })),
    ).toBe(false);
  });

  it("refuses a prefix or glob that does not start with / (it could never match)", () => {
    expect(errorsOf({ match: { path: { glob: "static/**" } }, exclude: true })).toEqual([
      'rules[0].match.path.glob: expected a glob starting with "/" (every request path does)',
    ]);
    expect(errorsOf({ match: { path: { prefix: "api/" } }, exclude: true })).toEqual([
      'rules[0].match.path.prefix: expected a path prefix starting with "/" (every request path does)',
    ]);
  });

  it("refuses a normalize that is not true or false", () => {
    expect(
      errorsOf({ match: { path: { prefix: "/a", normalize: "yes" } }, exclude: true }),
    ).toEqual(["rules[0].match.path.normalize: expected true or false"]);
  });
});
