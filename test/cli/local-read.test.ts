import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { COMMANDS } from "../../src/cli/args";
import { revisionOf } from "../../src/core/rollout";
import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "./harness";
import { ANALYSIS, rollout, useProject } from "./harness";
import { positionalPoint, postPoints } from "./points";

const use = useProject();
let project: Project;
beforeEach(() => {
  project = use();
});

// The gray CLI's reading commands end to end against a real local state of
// the kind `wrangler dev` uses (a copy of wrangler.toml, .wrangler/state
// opened with getPlatformProxy) and the real local collector.

describe("gray status --local", () => {
  it("shows the document, live per-cohort figures from the collector, the verdict and the controller's next step", async () => {
    const text = rollout(10, { analysis: ANALYSIS });
    await project.kv.put("default", text);
    // A fixed moment, 20 s into a minute: the controller's next run (the next minute) is
    // 40 s after the step began, inside the 60 s interval, whatever the wall clock says
    // when the test runs. The collector, gray and the controller share the frozen clock.
    const now = Math.floor(Date.now() / 60_000) * 60_000 - 40_000;
    project.freeze(now);
    await project.runController();
    project.freeze(now + 5_000);
    const revision = revisionOf(text);
    const points = Array.from({ length: 200 }, (_, i) => ({
      at: now - 100_000 + i * 500,
      point: positionalPoint({
        revision,
        cohort: i % 10 === 0 ? "canary" : "stable",
        status: i % 50 === 1 ? 500 : 200,
        durationMs: 20 + (i % 7),
        visitor: i % 3 === 0 ? "new" : "returning",
      }),
    }));
    await postPoints(project.collector.url, points);

    const json = await project.gray(["status", "--local", "--json"]);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({
      version: 1,
      key: "default",
      target: "local",
      document: {
        revision,
        valid: true,
        weights: { stable: 90, canary: 10 },
        origins: { stable: "http://127.0.0.1:8701", canary: "http://127.0.0.1:8702" },
        analysis: ANALYSIS,
      },
      metricsError: null,
      controller: { state: "ramping", weight: 10, failuresToRollback: 2 },
    });
    const stable = view.cohorts.find((c: { cohort: string }) => c.cohort === "stable");
    const canary = view.cohorts.find((c: { cohort: string }) => c.cohort === "canary");
    expect(stable).toMatchObject({ weight: 90, requests: 180, errors: 4, share: 0.9 });
    expect(canary).toMatchObject({ weight: 10, requests: 20, errors: 0, share: 0.1 });
    expect(stable.p50Ms).toBeGreaterThanOrEqual(20);
    expect(view.verdict.checks.map((c: { check: string }) => c.check)).toContain(
      "error_rate_relative",
    );
    expect(view.controller.next).toMatchObject({ action: "hold", code: "interval" });
    // Every field of the shape is in the documented example (docs/cli.md "JSON output").
    const docs = await readFile(
      path.resolve(import.meta.dirname, "..", "..", "docs", "cli.md"),
      "utf8",
    );
    for (const part of [
      view,
      view.document,
      view.controller,
      view.controller.next,
      ...view.cohorts,
      ...view.verdict.checks,
      ...view.verdict.checks.map((c: { summary: unknown }) => c.summary),
    ]) {
      for (const field of Object.keys(part)) {
        expect(docs, `docs/cli.md documents "${field}"`).toContain(`"${field}"`);
      }
    }
    expect(Date.parse(view.controller.next.at)).toBeGreaterThan(now);

    const plain = await project.gray(["status"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`rollout default  revision ${revision}`);
    expect(plain.stdout).toMatch(/stable\s+90 %\s+90\.0 %/);
    expect(plain.stdout).toMatch(/canary\s+10 %\s+10\.0 %/);
    expect(plain.stdout).toContain("verdict ");
    // Each check's uniform summary, under its sentence: label, estimate [bounds], samples.
    const relative = view.verdict.checks.find(
      (c: { check: string }) => c.check === "error_rate_relative",
    );
    expect(plain.stdout).toMatch(
      new RegExp(
        `\\n {6}${relative.summary.label.replace(/[^\w ]/g, ".")} -?[\\d.]+ % \\[-?[\\d.]+ %, -?[\\d.]+ %\\] limit ≤ [\\d.]+ %; canary 20 rows \\(eff\\. 20\\)`,
      ),
    );
    expect(plain.stdout).toContain("controller  ramping, canary at 10%");
    expect(plain.stdout).toMatch(/next {8}\S+ \(in \d+ s\): hold → 10% \(interval\)/);
  });

  it("still shows the document when the collector is not running, and says why the figures are missing", async () => {
    await project.kv.put("default", rollout(10));
    const run = await project.gray(["status", "--collector", "http://127.0.0.1:9", "--json"], {
      fresh: true,
    });
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.document.weights).toEqual({ stable: 90, canary: 10 });
    expect(view.metricsError).toMatch(/^local collector could not be reached: /);
    expect(view.controller).toEqual({
      state: "not_managed",
      summary: "no analysis block: the controller does not steer this rollout",
    });
  });

  it("names the rollouts that exist when the key does not", async () => {
    await project.kv.put("www.example.com", rollout(0));
    const run = await project.gray(["status", "shop.example.com"]);
    expect(run.stderr).toBe(
      'gray: no rollout at KV key "shop.example.com" (rollouts: www.example.com)\n',
    );
    expect(run.code).toBe(66);
  });

  it("shows an invalid document's errors, as the router reports them", async () => {
    await project.kv.put(
      "default",
      JSON.stringify({ origins: { stable: "http://a" }, weights: { stable: 90 } }),
    );
    const run = await project.gray(["status"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "INVALID   the router keeps serving the last valid document it saw:",
    );
    expect(run.stdout).toContain("weights: must sum to exactly 100");
  });
});

describe("gray history --local", () => {
  it("says when there is no history yet", async () => {
    await project.kv.put("default", rollout(10));
    const run = await project.gray(["history"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^no history for "default" yet/);
  });

  it("lists decisions with their figures, --checks with every check", async () => {
    // A salt of its own: a revision no earlier test sent data points for.
    await project.kv.put("default", rollout(10, { analysis: ANALYSIS, salt: "history" }));
    await project.runController(Date.now());
    await project.runController(Date.now() + 60_000);
    const run = await project.gray(["history", "--checks"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}start {5}started\s+at 10 % {9} analysis started at 10%$/,
    );
    expect(lines[1]).toMatch(
      /^\d\d:\d\d:\d\d {2}hold {6}no_data\s+at 10 %\s+no data from the canary/,
    );
    expect(run.stdout).toContain("error_rate_absolute");
    const limited = await project.gray(["history", "--limit", "1"]);
    expect(limited.stdout.split("\n")[0]).toBe("(1 older entries; --limit 2 shows all)");
  });
});

describe("gray watch --local", () => {
  /** Sleeps that return `true` n times, then play a Ctrl-C. */
  const frames = (n: number) => {
    let left = n;
    return () => Promise.resolve(left-- > 0);
  };

  it("redraws the status with sparklines until Ctrl-C (exit 130); piped, one frame after another", async () => {
    await project.kv.put("default", rollout(10, { analysis: ANALYSIS }));
    const run = await project.gray(["watch"], { sleep: frames(1) });
    expect(run.code).toBe(130);
    expect(run.stderr).toBe("");
    expect(run.stdout.match(/^rollout default {2}revision/gm)).toHaveLength(2);
    expect(run.stdout).toContain("trend, last 30 complete minutes");
    expect(run.stdout).toMatch(/canary {5}weight\s+.{30} {2}10 % now/);
    expect(run.stdout).toContain("recent decisions");
  });

  it("on a terminal, draws in the alternate screen and gives the terminal back on Ctrl-C", async () => {
    await project.kv.put("default", rollout(10));
    const run = await project.gray(["watch"], { sleep: frames(0), tty: true });
    expect(run.code).toBe(130);
    expect(run.stdout.startsWith("\u001b[?1049h\u001b[?25l\u001b[H")).toBe(true);
    expect(run.stdout.endsWith("\u001b[?25h\u001b[?1049l")).toBe(true);
  });

  it("--json: one status per line", async () => {
    await project.kv.put("default", rollout(10));
    const run = await project.gray(["watch", "--json"], { sleep: frames(1) });
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ version: 1, status: { key: "default" } });
    expect(Array.isArray(lines[0].series)).toBe(true);
  });

  it("keeps watching a key that does not exist yet, saying so", async () => {
    const run = await project.gray(["watch", "soon"], { sleep: frames(0) });
    expect(run.code).toBe(130);
    expect(run.stdout).toContain(
      'gray: no rollout at KV key "soon" (the namespace holds no rollout)',
    );
  });
});

describe("gray validate", () => {
  it("passes a valid document, with what it routes", async () => {
    await writeFile(path.join(project.dir, "ok.json"), rollout(10, { analysis: ANALYSIS }));
    const run = await project.gray(["validate", "ok.json"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `ok.json: valid (revision ${revisionOf(rollout(10, { analysis: ANALYSIS }))}; stable 90%, canary 10%; 0 rules; analysis of "canary")\n`,
    );
  });

  it("lists every problem with the router's own messages, exit 1", async () => {
    const bad = JSON.stringify({
      origins: { stable: "ftp://x" },
      weights: { stable: 90 },
      wieghts: {},
    });
    const run = await project.gray(["validate", "-"], { stdin: bad });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "stdin: wieghts: unknown field (allowed: origins, weights, salt, rules, stickiness, timeouts, failover, breaker, cache, analysis, change)\n",
    );
    const json = await project.gray(["validate", "-", "--json"], {
      stdin: JSON.stringify({ origins: { stable: "ftp://x" }, weights: { stable: 90 } }),
    });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 1, file: "stdin", valid: false });
    expect(JSON.parse(json.stdout).errors).toHaveLength(2);
  });

  it("says which file it cannot read", async () => {
    const run = await project.gray(["validate", "nope.json"]);
    expect(run).toMatchObject({ code: 66, stderr: "gray: cannot read nope.json\n", stdout: "" });
  });
});

describe("help", () => {
  it("--help lists every command and the exit codes; no command at all is a usage error", async () => {
    const help = await project.gray(["--help"]);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) {
      expect(help.stdout).toContain(`gray ${command}`);
    }
    expect(help.stdout).toContain("Exit codes: 0 done");
    const none = await project.gray([]);
    expect(none.code).toBe(64);
    expect(none.stderr).toBe(help.stdout);
    const one = await project.gray(["set", "--help"]);
    expect(one.stdout.split("\n")[0]).toBe(
      "gray set [key] <cohort>=<percent>... | --file rollout.json",
    );
  });
});

describe("npx gray (the bin, as a process)", () => {
  const bin = path.resolve(import.meta.dirname, "..", "..", "bin", "gray.mjs");
  const gray = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        // A hung gray is killed (and fails the test) rather than left behind.
        { cwd: project.dir, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 30_000 },
        (error, stdout, stderr) => {
          resolve({
            code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
            stdout,
            stderr,
          });
        },
      );
    });

  it("runs the command against the project's local state", async () => {
    await project.kv.put("default", rollout(25));
    const run = await gray(["status", "--json"], { GRAY_COLLECTOR_URL: project.collector.url });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).document.weights).toEqual({ stable: 75, canary: 25 });
  });

  it("fails with one line and its exit code, never a stack trace", async () => {
    const run = await gray(["status", "--since", "never"]);
    expect(run).toEqual({
      code: 64,
      stdout: "",
      stderr: 'gray: --since: expected a duration such as 90s, 15m or 2h, got "never"\n',
    });
    const missing = await gray(["status"], { GRAY_COLLECTOR_URL: "http://example.com" });
    expect(missing).toEqual({
      code: 64,
      stdout: "",
      stderr:
        'gray: GRAY_COLLECTOR_URL: expected an http URL on this machine (127.0.0.1, localhost or [::1]), got "http://example.com"\n',
    });
  });
});
