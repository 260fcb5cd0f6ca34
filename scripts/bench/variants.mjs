// @ts-check
/**
 * What the benchmark measures: every variant is one Worker in the shared workerd process
 * (or, for `direct`, the origin itself), with its own KV stand-in and rollout document.
 */

/**
 * The rollout documents, as fields added to the 90/10 `stable`/`canary` document the
 * backends write (backends-child.mjs). `rules` are the three example rules of docs/rollout-document.md;
 * none matches the bench requests, so every rule is evaluated on every request.
 */
export const DOCUMENTS = /** @type {const} */ ({
  plain: {},
  rules: {
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
  breaker: { breaker: {} },
  failover: { failover: {} },
  all: {
    breaker: {},
    failover: {},
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
});

/** A secret for the variants with QA overrides on (no request carries a token). */
export const BENCH_SECRET = "bench-secret-not-for-production";

/**
 * @typedef {"baseline" | "ablation" | "router" | "aside" | "feature" | "ae" | "candidate"} Group
 * @typedef {"bare" | "router" | "ablation" | "production" | "candidate"} ModuleName
 * @typedef {{
 *   name: string,
 *   label: string,
 *   group: Group,
 *   module?: ModuleName,
 *   document?: keyof typeof DOCUMENTS,
 *   vars?: Record<string, string>,
 *   visitor: "returning" | "new",
 *   metrics?: "analytics-engine",
 * }} VariantSpec  `module` undefined: the origin, no Worker.
 */

/**
 * Every variant, in report order.
 * @param {{
 *   ablationSteps: readonly { step: string, adds: string }[],
 *   ablationAsides: readonly { step: string, adds: string }[],
 *   candidate: boolean,
 * }} options
 * @returns {VariantSpec[]}
 */
export function variantSpecs({ ablationSteps, ablationAsides, candidate }) {
  /** @type {VariantSpec[]} */
  const specs = [
    {
      name: "direct",
      label: "origin, direct (no Worker)",
      group: "baseline",
      visitor: "returning",
    },
    {
      name: "bare",
      label: "bare pass-through Worker",
      group: "baseline",
      module: "bare",
      visitor: "returning",
    },
    ...ablationSteps.map(
      ({ step, adds }) =>
        /** @type {VariantSpec} */ ({
          name: `ablation-${step}`,
          label: `+ ${adds}`,
          group: "ablation",
          module: "ablation",
          document: "plain",
          vars: { ABLATION_STEP: step },
          visitor: "returning",
        }),
    ),
    {
      name: "router",
      label: "gray-router, returning visitor (main case)",
      group: "router",
      module: "router",
      document: "plain",
      visitor: "returning",
    },
    ...ablationAsides.map(
      ({ step, adds }) =>
        /** @type {VariantSpec} */ ({
          name: `aside-${step}`,
          label: adds,
          group: "aside",
          module: "ablation",
          document: "plain",
          vars: { ABLATION_STEP: step },
          visitor: "returning",
        }),
    ),
    {
      name: "router-new",
      label: "gray-router, new visitor (id + Set-Cookie)",
      group: "router",
      module: "router",
      document: "plain",
      visitor: "new",
    },
    .../** @type {const} */ ([
      ["rules", "rules (3, none matching)", "rules", {}],
      ["breaker", "breaker", "breaker", {}],
      ["failover", "failover", "failover", {}],
      [
        "overrides",
        "QA overrides on (GRAY_SECRET set, no token sent)",
        "plain",
        { GRAY_SECRET: BENCH_SECRET },
      ],
      ["all", "every feature on", "all", { GRAY_SECRET: BENCH_SECRET }],
    ]).map(
      ([feature, label, document, vars]) =>
        /** @type {VariantSpec} */ ({
          name: `router-${feature}`,
          label: `gray-router + ${label}`,
          group: "feature",
          module: "router",
          document,
          vars,
          visitor: "returning",
        }),
    ),
    {
      name: "router-ae",
      label: "production entry + local Analytics Engine binding",
      group: "ae",
      module: "production",
      document: "plain",
      visitor: "returning",
      metrics: "analytics-engine",
    },
  ];
  if (candidate) {
    specs.push({
      name: "router-candidate",
      label: "candidate router (BENCH_CANDIDATE), returning visitor",
      group: "candidate",
      module: "candidate",
      document: "plain",
      visitor: "returning",
    });
  }
  return specs;
}
