import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/emergency-stop.mjs", import.meta.url));

/** Runs the script on `document` given on stdin. */
function stop(document: string) {
  const run = spawnSync(process.execPath, [SCRIPT, "-"], { input: document, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const ORIGINS = {
  stable: "https://v1.example.com",
  canary: "https://v2.example.com",
  beta: "https://v3.example.com",
};
const DOCUMENT = {
  origins: ORIGINS,
  weights: { stable: 80, canary: 15, beta: 5 },
  salt: "checkout-2026-11",
  rules: [
    { name: "staff", match: { cookie: { name: "staff", equals: "1" } }, cohort: "canary" },
    { name: "ops", match: { method: ["PURGE"] }, cohort: "stable" },
    { name: "no-bots", match: { bot: true }, exclude: true },
    { name: "nl-half", match: { country: ["NL"] }, weights: { stable: 50, canary: 50 } },
  ],
  stickiness: { header: "X-User-Id" },
  failover: {},
  analysis: { canary: "canary", steps: [1, 5, 10, 25, 50, 100], interval: 600 },
};

describe("the emergency stop recipe of docs/operations.md (scripts/emergency-stop.mjs)", () => {
  it("sends every cohort's traffic to stable and changes nothing else", () => {
    const run = stop(JSON.stringify(DOCUMENT));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ...DOCUMENT,
      weights: { stable: 100, canary: 0, beta: 0 },
      rules: [
        { name: "staff", match: { cookie: { name: "staff", equals: "1" } }, exclude: true },
        { name: "ops", match: { method: ["PURGE"] }, cohort: "stable" },
        { name: "no-bots", match: { bot: true }, exclude: true },
        { name: "nl-half", match: { country: ["NL"] }, weights: { stable: 100, canary: 0 } },
      ],
    });
  });

  it("refuses a broken document in one line, pointing at the last valid copy", () => {
    const run = stop(
      '{"origins": {"stable": "https://v1.example.com"}, "weights": {"stable": 101}}',
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/is not a valid rollout \(weights\.stable: .*last-valid/);
  });
});
