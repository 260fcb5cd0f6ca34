import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseHistory } from "../../src/control/history";
import { revisionOf } from "../../src/core/rollout";
import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "./harness";
import { ANALYSIS, rollout, useProject } from "./harness";

const use = useProject();
let project: Project;
beforeEach(() => {
  project = use();
});

// The gray CLI's writing commands end to end against a real local state of
// the kind `wrangler dev` uses, and every bad input with its one-line error.

describe("gray set / promote / pause / resume / rollback --local", () => {
  it("set: writes the weights, stable taking the rest, with who and why; shows the diff; reads it back", async () => {
    await project.kv.put("default", rollout(10));
    const run = await project.gray(["set", "canary=50", "-y", "--reason", "halfway"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const written = await project.doc();
    expect(written["weights"]).toEqual({ stable: 50, canary: 50 });
    expect(written["change"]).toMatchObject({ action: "set", by: "tester", reason: "halfway" });
    expect(run.stdout).toContain(
      "rollout default (local): set: weights stable 90%, canary 10% -> stable 50%, canary 50%",
    );
    expect(run.stdout).toContain('-    "canary": 10');
    expect(run.stdout).toContain('+    "canary": 50');
    expect(run.stdout).toContain(`written: revision ${revisionOf(rollout(10))} -> `);
  });

  it("the controller then records the change in the history, by whom and why", async () => {
    await project.kv.put("default", rollout(10, { analysis: ANALYSIS }));
    await project.runController();
    expect(
      (await project.gray(["set", "canary=50", "-y", "--by", "alice", "--reason", "faster"])).code,
    ).toBe(0);
    await project.runController();
    const history = parseHistory(await project.kv.get("default::history", { type: "text" })).record;
    expect(history.entries.at(-1)).toMatchObject({
      action: "manual",
      code: "set",
      from: 10,
      to: 50,
      change: { action: "set", by: "alice", reason: "faster" },
    });
    const text = await project.gray(["history"]);
    expect(text.stdout).toMatch(/manual\s+set\s+10 % → 50 %\s+set by alice: faster/);
    const json = JSON.parse((await project.gray(["history", "--json"])).stdout);
    expect(json).toMatchObject({ version: 1, key: "default", target: "local", total: 2 });
    expect(json.entries.at(-1).change.by).toBe("alice");
  });

  it("--dry-run shows the change and writes nothing", async () => {
    await project.kv.put("default", rollout(10));
    const before = await project.snapshot();
    const run = await project.gray(["rollback", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('+    "canary": 0');
    expect(run.stdout).toContain("dry run: nothing written");
    expect(await project.snapshot()).toEqual(before);
  });

  it("asks before writing; no is no", async () => {
    await project.kv.put("default", rollout(10));
    const before = await project.snapshot();
    const declined = await project.gray(["set", "canary=20"], { confirm: [false] });
    expect(declined.code).toBe(4);
    expect(declined.stderr).toMatch(
      /^Write revision [0-9a-f]{8} to local KV key "default"\? \[y\/N\] $/,
    );
    expect(declined.stdout).toContain("not confirmed: nothing written");
    expect(await project.snapshot()).toEqual(before);
    const confirmed = await project.gray(["set", "canary=20"], { confirm: [true] });
    expect(confirmed.code).toBe(0);
    expect((await project.doc())["weights"]).toEqual({ stable: 80, canary: 20 });
  });

  it("promote: to the next step, --full to all it can have, nothing past the last", async () => {
    await project.kv.put("default", rollout(10, { analysis: ANALYSIS }));
    expect((await project.gray(["promote", "-y"])).code).toBe(0);
    expect((await project.doc())["weights"]).toEqual({ stable: 50, canary: 50 });
    expect((await project.gray(["promote", "--full", "-y"])).code).toBe(0);
    expect((await project.doc())["weights"]).toEqual({ stable: 0, canary: 100 });
    const before = await project.snapshot();
    const last = await project.gray(["promote", "-y"]);
    expect(last.code).toBe(0);
    expect(last.stdout).toBe("nothing to do: canary is already at 100%, its last step\n");
    expect(await project.snapshot()).toEqual(before);
  });

  it("pause and resume the controller", async () => {
    await project.kv.put("default", rollout(10, { analysis: ANALYSIS }));
    expect((await project.gray(["pause", "-y", "--reason", "incident"])).code).toBe(0);
    expect((await project.doc())["analysis"]).toEqual({ ...ANALYSIS, paused: true });
    expect((await project.doc())["change"]).toMatchObject({ action: "pause", reason: "incident" });
    expect((await project.gray(["pause", "-y"])).stdout).toBe(
      "nothing to do: the rollout is already paused\n",
    );
    expect((await project.gray(["resume", "-y"])).code).toBe(0);
    expect((await project.doc())["analysis"]).toEqual(ANALYSIS);
  });

  it("rollback: every non-stable cohort to 0 at once; --ramp-down to the first ramp-down step", async () => {
    const origins = {
      stable: "http://127.0.0.1:1",
      canary: "http://127.0.0.1:2",
      beta: "http://127.0.0.1:3",
    };
    await project.kv.put(
      "default",
      JSON.stringify({
        origins,
        weights: { stable: 60, canary: 30, beta: 10 },
        rules: [
          {
            name: "staff",
            match: { header: { name: "x-staff", present: true } },
            cohort: "canary",
          },
        ],
      }),
    );
    const run = await project.gray(["rollback", "-y"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "note: rules still send matching requests to a non-stable cohort: staff (edit them with gray set --file)",
    );
    expect((await project.doc())["weights"]).toEqual({ stable: 100, canary: 0, beta: 0 });

    await project.kv.put(
      "default",
      rollout(50, { analysis: { ...ANALYSIS, rampDown: { steps: [25, 5] } } }),
    );
    expect((await project.gray(["rollback", "--ramp-down", "-y"])).code).toBe(0);
    expect((await project.doc())["weights"]).toEqual({ stable: 75, canary: 25 });
  });
});

describe("every bad input: one line, the documented exit code, nothing written", () => {
  beforeEach(async () => {
    await project.kv.put("default", rollout(10));
    await project.kv.put(
      "broken",
      JSON.stringify({ origins: { stable: "http://a" }, weights: { stable: 90 } }),
    );
    await project.kv.put(
      "three",
      JSON.stringify({
        origins: { stable: "http://a", canary: "http://b", beta: "http://c" },
        weights: { stable: 100 },
      }),
    );
    await writeFile(path.join(project.dir, "not-json.json"), "{ nope");
    await writeFile(
      path.join(project.dir, "invalid.json"),
      JSON.stringify({ origins: { stable: "http://a" }, weights: { stable: 90, canary: 10 } }),
    );
  });

  it.each([
    [
      ["frobnicate"],
      64,
      'unknown command "frobnicate" (commands: status, watch, set, promote, pause, resume, rollback, history, wait, validate, report)',
    ],
    [["set", "canary=10", "--ful"], 64, "set: unknown option --ful"],
    [["status", "--full"], 64, "status: unknown option --full (see gray status --help)"],
    [["status", "--since"], 64, "status: option --since needs a value"],
    [
      ["status", "--since", "soon"],
      64,
      '--since: expected a duration such as 90s, 15m or 2h, got "soon"',
    ],
    [["history", "--limit", "0"], 64, '--limit: expected a whole number from 1, got "0"'],
    [["status", "--local", "--remote"], 64, "status: --local and --remote exclude each other"],
    [
      ["status", "default", "extra"],
      64,
      'status: unexpected argument "extra" (usage: gray status [key] [--since 5m])',
    ],
    [["set"], 64, "set: expected <cohort>=<percent> pairs (e.g. canary=10) or --file rollout.json"],
    [
      ["set", "canary=150", "-y"],
      64,
      "set: canary=150: expected a percent from 0 to 100 with at most two decimals",
    ],
    [
      ["set", "canary=10.555", "-y"],
      64,
      "set: canary=10.555: expected a percent from 0 to 100 with at most two decimals",
    ],
    [["set", "canary=10", "canary=20", "-y"], 64, 'set: cohort "canary" is given twice'],
    [
      ["set", "canry=10", "-y"],
      64,
      'set: unknown cohort "canry" (cohorts with an origin: stable, canary)',
    ],
    [
      ["set", "three", "canary=60", "beta=50", "-y"],
      64,
      "set: the cohorts other than stable would have 110% together; at most 100% is left",
    ],
    [
      ["set", "stable=50", "canary=40", "-y"],
      65,
      "the new document would be invalid, nothing written: weights: must sum to exactly 100, got 90",
    ],
    [
      ["set", "canary=10", "--file", "x.json"],
      64,
      "set: give either <cohort>=<percent> pairs or --file, not both",
    ],
    [["set", "--file", "missing.json", "-y"], 66, "--file: cannot read missing.json"],
    [
      ["set", "--file", "not-json.json", "-y"],
      65,
      expect.stringMatching(/^not-json\.json: not valid JSON \(.+\); nothing written$/),
    ],
    [
      ["set", "--file", "invalid.json", "-y"],
      65,
      "the new document would be invalid, nothing written: weights.canary: cohort has no origin (add origins.canary)",
    ],
    [
      ["set", "broken", "canary=10", "-y"],
      65,
      'KV key "broken" holds an invalid document (weights: must sum to exactly 100, got 90): replace it with gray set --file',
    ],
    [
      ["set", "nope", "canary=10", "-y"],
      66,
      'no rollout at KV key "nope" (rollouts: broken, default, three)',
    ],
    [
      ["set", "canary=20", "-y", "--by", "a\tb"],
      64,
      "--by: expected a name (1 to 100 printable characters)",
    ],
    [
      ["set", "canary=20", "-y", "--reason", "x".repeat(501)],
      64,
      "--reason: expected text (at most 500 printable characters)",
    ],
    [
      ["set", "canary=20"],
      64,
      "no terminal to confirm on: pass -y to write without asking (or --dry-run to see the change)",
    ],
    [["pause", "-y"], 64, "pause: the rollout has no analysis block, so no controller to pause"],
    [
      ["rollback", "--ramp-down", "-y"],
      64,
      'rollback: --ramp-down needs analysis.rampDown in the document (e.g. "rampDown": {"steps": [25, 5]})',
    ],
    [
      ["promote", "three", "-y"],
      64,
      "promote: several non-stable cohorts (canary, beta) and no analysis.canary to say which; use gray set",
    ],
    [
      ["wait"],
      64,
      "wait: the rollout has no analysis block: no controller will complete it or roll it back",
    ],
    [["validate"], 64, "validate: expected a file to check (or - for stdin)"],
  ])("gray %j -> exit %i", async (argv, code, message) => {
    const before = await project.snapshot();
    const run = await project.gray(argv);
    if (typeof message === "string") {
      expect(run.stderr).toBe(`gray: ${message}\n`);
    } else {
      expect(run.stderr.trimEnd().replace(/^gray: /, "")).toEqual(message);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(run.code).toBe(code);
    expect(await project.snapshot()).toEqual(before);
  });
});

describe("writes and other writers (KV has no compare-and-swap)", () => {
  it("writes nothing when the document changed between gray's read and its write, and says so", async () => {
    await project.kv.put("default", rollout(10));
    const theirs = rollout(30);
    const run = await project.gray(["set", "canary=20"], {
      confirm: [true],
      // The prompt is where a person is slow: another writer's put lands meanwhile.
      onConfirm: () => project.kv.put("default", theirs),
    });
    expect(run.stderr).toMatch(
      /^Write revision [0-9a-f]{8} to local KV key "default"\? \[y\/N\] gray: the document changed while gray was working \(revision [0-9a-f]{8} -> [0-9a-f]{8}\); nothing written: run the command again\n$/,
    );
    expect(run.code).toBe(3);
    expect(await project.kv.get("default", { type: "text" })).toBe(theirs);
  });

  it("reads its write back and says so when another writer won", async () => {
    await project.kv.put("default", rollout(10));
    const theirs = rollout(30);
    const run = await project.gray(["set", "canary=20", "-y"], {
      afterPut: () => project.kv.put("default", theirs),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^gray: another writer won: the key holds revision ${revisionOf(theirs)} now, not ours \\([0-9a-f]{8}\\); check it with gray status\n$`,
      ),
    );
    expect(await project.kv.get("default", { type: "text" })).toBe(theirs);
  });
});
