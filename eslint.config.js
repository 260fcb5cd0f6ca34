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
              regex: "^(\\.\\./)+(routes|cli|report|app|context|index)(/|$)",
              message:
                "src/control imports core (and its own adapters), never the request path's wiring.",
            },
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
