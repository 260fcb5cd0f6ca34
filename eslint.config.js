// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".wrangler/", "dist/", "worker-configuration.d.ts", "bench/out/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      curly: "error",
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  // Layers (docs: README "How a request flows"): core is pure and imports no
  // other layer; edge adapts the runtime and imports only core; control (the
  // canary controller) imports core and never the request path's wiring.
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(edge|routes|control|cli|report|app|context|index|env)(/|$)",
              message: "src/core is pure: it imports nothing from the other layers.",
            },
            { regex: "^cloudflare:", message: "src/core is pure: no runtime modules." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/edge/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(routes|control|cli|report|app|context|index)(/|$)",
              message: "src/edge adapts the runtime: it imports only src/core.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/control/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(routes|cli|report|collector|app|context|index)(/|$)",
              message:
                "src/control imports core (and its own adapters), never the request path's wiring.",
            },
          ],
        },
      ],
    },
  },
  {
    // Inside the controller, pure policy stands apart from its adapters: these
    // files take and return plain values and are tested without mocks.
    files: [
      "src/control/policy.ts",
      "src/control/history.ts",
      "src/control/document.ts",
      "src/control/judging.ts",
      "src/control/sql.ts",
      "src/control/series.ts",
      "src/control/answer.ts",
      "src/control/analysis-query.ts",
      "src/control/analysis-rows.ts",
      "src/control/recorded-source.ts",
      "src/control/metrics-source.ts",
      "src/control/metrics-error.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex:
                "^\\./(kv|fetch|webhook|sql-api|sql-source|sql-api-metrics|collector-source|production|controller|record|manual|last-valid)$",
              message:
                "pure control code imports no adapter (KV, fetch, SQL API, webhook) and not the run.",
            },
            {
              regex: "^(\\.\\./)+(edge|routes|cli|report|collector|app|context|index)(/|$)",
              message: "pure control code imports only core and other pure control code.",
            },
            { regex: "^cloudflare:", message: "pure control code uses no runtime module." },
          ],
        },
      ],
    },
  },
  {
    files: [
      "scripts/**/*.mjs",
      "bin/**/*.mjs",
      "test/node/**/*.ts",
      "vitest.config.ts",
      "eslint.config.js",
    ],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
      },
    },
  },
);
