import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { getPlatformProxy } from "wrangler";
import { startCollector } from "../../src/collector/server";
import type { Collector } from "../../src/collector/server";
import { CollectorMetrics } from "../../src/control/collector-source";
import { runController } from "../../src/control/controller";
import type { RolloutKv } from "../../src/control/kv";
import type { MetricsSource } from "../../src/control/metrics-source";
import type { Io } from "../../src/cli/io";
import { main } from "../../src/cli/main";
import { openLocal } from "../../src/cli/local";
import type { Target } from "../../src/cli/target";

/** The repository's wrangler.toml: the CLI's tests run against a copy of the real configuration. */
const WRANGLER_TOML = path.resolve(import.meta.dirname, "..", "..", "wrangler.toml");

/** What a command printed and returned. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one command run. */
export interface RunOptions {
  /** Answers to confirmation prompts; absent: no terminal (the prompt is refused). */
  readonly confirm?: readonly boolean[];
  readonly env?: Readonly<Record<string, string>>;
  readonly now?: () => number;
  /** Called on every sleep instead of waiting; resolve to false to play a Ctrl-C. */
  readonly sleep?: (ms: number) => Promise<boolean>;
  readonly stdin?: string;
  readonly tty?: boolean;
  /** Open the target the way the CLI does on its own (default: reuse the project's). */
  readonly fresh?: boolean;
  /** Runs while the confirmation prompt is open (another writer acting meanwhile). */
  readonly onConfirm?: () => Promise<void>;
  /** Runs right after gray's KV write (another writer acting before the read-back). */
  readonly afterPut?: () => Promise<void>;
  /** Who the CLI says made a change (default: "tester"). */
  readonly user?: string;
}

/**
 * A temporary project: a copy of wrangler.toml, the `.wrangler/state` that
 * `wrangler dev` would use beside it (opened with getPlatformProxy, as the
 * CLI opens it), and a real local collector.
 */
export class Project {
  private constructor(
    readonly dir: string,
    readonly collector: Collector,
    /** The local ROLLOUTS namespace, for seeding and checking. */
    readonly kv: RolloutKv & { delete(key: string): Promise<void> },
    private readonly dispose: () => Promise<void>,
    /** The CLI's own local target, opened once. */
    readonly target: Target,
    /** The project's clock, shared by the collector, gray and the controller. */
    private readonly clock: { at: number | undefined },
  ) {}

  /** The project's time: frozen at `at` by `freeze`, else the wall clock. */
  now(): number {
    return this.clock.at ?? Date.now();
  }

  /** Stops the clock at `at` for the collector, gray and the controller (reset() restarts it). */
  freeze(at: number): void {
    this.clock.at = at;
  }

  static async create(): Promise<Project> {
    const dir = await mkdtemp(path.join(tmpdir(), "gray-cli-"));
    await copyFile(WRANGLER_TOML, path.join(dir, "wrangler.toml"));
    const clock: { at: number | undefined } = { at: undefined };
    const collector = await startCollector({
      stateDir: path.join(dir, ".wrangler", "state", "gray-collector"),
      now: () => clock.at ?? Date.now(),
    });
    const proxy = await getPlatformProxy<{
      ROLLOUTS: RolloutKv & { delete(key: string): Promise<void> };
    }>({
      configPath: path.join(dir, "wrangler.toml"),
      persist: { path: path.join(dir, ".wrangler", "state", "v3") },
      remoteBindings: false,
    });
    const target = await openLocal(
      { config: null, env: null, collector: collector.url },
      baseIo(dir, {}),
    );
    return new Project(dir, collector, proxy.env.ROLLOUTS, () => proxy.dispose(), target, clock);
  }

  /** Runs `gray <argv>` in-process, in this project. */
  async gray(argv: readonly string[], options: RunOptions = {}): Promise<Run> {
    const io = baseIo(this.dir, { now: () => this.now(), ...options });
    const kv = this.target.kv;
    const afterPut = options.afterPut;
    const put =
      afterPut === undefined
        ? kv.put
        : async (key: string, value: string) => {
            await kv.put(key, value);
            await afterPut();
          };
    const shared: Target = { ...this.target, kv: { ...kv, put }, close: () => Promise.resolve() };
    const withTarget: Io =
      options.fresh === true ? io : { ...io, openTarget: () => Promise.resolve(shared) };
    const code = await main(argv, withTarget, () => Promise.resolve(options.stdin ?? ""));
    return { code, stdout: io.out(), stderr: io.err() };
  }

  /** Every key and value in the namespace: what "nothing was written" is checked against. */
  async snapshot(): Promise<Record<string, string | null>> {
    const list = await this.kv.list();
    const entries = await Promise.all(
      list.keys.map(async ({ name }) => [name, await this.kv.get(name, { type: "text" })] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Deletes every key: each test starts from an empty namespace. */
  async reset(): Promise<void> {
    this.clock.at = undefined;
    for (const name of Object.keys(await this.snapshot())) {
      await this.kv.delete(name);
    }
  }

  /** The document at a key, parsed. */
  async doc(key = "default"): Promise<Record<string, unknown>> {
    return JSON.parse((await this.kv.get(key, { type: "text" })) ?? "null");
  }

  /** Runs the real controller once against the local state (reading the collector unless told otherwise). */
  runController(
    now = this.now(),
    metrics: MetricsSource = new CollectorMetrics(this.collector.url),
  ) {
    return runController(
      { ROLLOUTS: this.kv },
      { now: () => now, fetch: (url, init) => fetch(url, init), metrics, log: () => undefined },
    );
  }

  async close(): Promise<void> {
    await this.target.close();
    await this.dispose();
    await this.collector.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A project for the test file: created before its tests, emptied before each,
 * removed after them. Call at the top of a file; use the getter in tests.
 */
export function useProject(): () => Project {
  let project: Project | undefined;
  beforeAll(async () => {
    project = await Project.create();
  });
  afterAll(async () => {
    await project?.close();
  });
  beforeEach(async () => {
    await project?.reset();
  });
  return () => {
    if (project === undefined) {
      throw new Error("useProject: the project is created in beforeAll");
    }
    return project;
  };
}

/** Captured streams and the rest of the CLI's outside world. */
function baseIo(cwd: string, options: RunOptions): Io & { out(): string; err(): string } {
  let out = "";
  let err = "";
  const answers = [...(options.confirm ?? [])];
  return {
    stdout: { write: (text: string) => (out += text), isTTY: options.tty === true, columns: 120 },
    stderr: { write: (text: string) => (err += text) },
    confirm:
      options.confirm === undefined
        ? null
        : async (question) => {
            err += question;
            await options.onConfirm?.();
            return answers.shift() ?? false;
          },
    env: { NO_COLOR: "1", ...options.env },
    cwd,
    now: options.now ?? Date.now,
    user: options.user ?? "tester",
    sleep: options.sleep ?? (() => Promise.resolve(true)),
    interrupted: () => false,
    out: () => out,
    err: () => err,
  };
}

/**
 * Runs `gray <argv>` in-process in `cwd`, the CLI opening its own target (as for
 * `--remote`): no project, no local state.
 */
export async function grayIn(
  cwd: string,
  argv: readonly string[],
  options: RunOptions = {},
): Promise<Run> {
  const io = baseIo(cwd, options);
  const code = await main(argv, io, () => Promise.resolve(options.stdin ?? ""));
  return { code, stdout: io.out(), stderr: io.err() };
}

/**
 * An analysis block that ramps quickly: 10 -> 50 -> 100 %, a minute per step,
 * without the evidence gate (which would hold a test's small traffic at 10 %).
 */
export const ANALYSIS = { steps: [10, 50, 100], interval: 60, minRequests: 10, evidence: null };

/** The demo-like rollout document the tests start from. */
export function rollout(canary: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    origins: { stable: "http://127.0.0.1:8701", canary: "http://127.0.0.1:8702" },
    weights: { stable: 100 - canary, canary },
    ...extra,
  });
}
