import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { verifyToken } from "../../src/core/token";

const SCRIPT = fileURLToPath(new URL("../../scripts/token.mjs", import.meta.url));
const SECRET = "token-script-secret";
const dir = mkdtempSync(path.join(os.tmpdir(), "gray-router-token-"));
const rollout = path.join(dir, "rollout.json");
writeFileSync(
  rollout,
  JSON.stringify({
    origins: { stable: "https://v1.example.com", canary: "https://v2.example.com" },
    weights: { stable: 90, canary: 10 },
  }),
);

/** Runs `npm run token -- <args>` (the script itself), with the secret in the environment. */
function token(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, GRAY_SECRET: SECRET },
    input,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A one-line error: exit 2, one line on stderr, no stack trace. */
function expectOneLineError(run: ReturnType<typeof token>, message: RegExp): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("npm run token", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its usage for --help and -h, with no stack trace", () => {
    for (const flag of ["--help", "-h"]) {
      const run = token([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/--cohort <name> --rollout <file\|->/);
      expect(run.stderr).toBe("");
    }
  });

  it("answers an unknown option or a missing value in one line", () => {
    expectOneLineError(
      token(["--bogus"]),
      /^npm run token: Unknown option '--bogus' \(see --help\)/,
    );
    expectOneLineError(token(["--cohort"]), /argument missing/);
  });

  it("refuses a cohort the rollout document does not have, naming the ones it has", () => {
    expectOneLineError(
      token(["--cohort", "canary-b", "--rollout", rollout]),
      /--cohort canary-b: the rollout has no such cohort \(it has stable, canary\)/,
    );
  });

  it("needs the rollout document to check a cohort", () => {
    expectOneLineError(token(["--cohort", "canary"]), /give --rollout <file>/);
    expectOneLineError(
      token(["--cohort", "canary", "--rollout", path.join(dir, "missing.json")]),
      /cannot be read \(ENOENT\)/,
    );
    expectOneLineError(
      token(["--cohort", "canary", "--rollout", "-"], '{"origins": {}}'),
      /--rollout -: not a valid rollout: weights: required/,
    );
  });

  it("mints an override the router accepts, from a file or from stdin", async () => {
    for (const run of [
      token(["--cohort", "canary", "--rollout", rollout, "--ttl", "2h"]),
      token(
        ["--cohort", "canary", "--rollout", "-"],
        JSON.stringify({
          origins: { stable: "https://a.example", canary: "https://b.example" },
          weights: { stable: 100 },
        }),
      ),
    ]) {
      expect(run.status).toBe(0);
      const check = await verifyToken(run.stdout.trim(), SECRET, "override", Date.now());
      expect(check).toMatchObject({ ok: true, kind: "override", subject: "canary" });
    }
  });

  it("mints a debug token without a rollout", async () => {
    const run = token(["--debug", "--ttl", "15m"]);
    expect(run.status).toBe(0);
    const check = await verifyToken(run.stdout.trim(), SECRET, "debug", Date.now());
    expect(check).toMatchObject({ ok: true, kind: "debug" });
  });
});
