/**
 * What gray needs from wrangler: its configuration reader (the KV
 * namespace id, the cron schedule) and, for `--local`, getPlatformProxy,
 * which opens the very `.wrangler/state` that `wrangler dev` uses. Wrangler
 * is loaded on first use: it takes a second or two, and `validate` and
 * `--help` do without it.
 */

import { existsSync } from "node:fs";
import path from "node:path";
import * as v from "valibot";
import type * as WranglerModule from "wrangler";
import { CliError, EXIT } from "./errors";

/** The binding the contract fixes for rollout documents. */
export const ROLLOUTS_BINDING = "ROLLOUTS";
/** wrangler.toml's placeholder id for local runs (README "Deploying"). */
export const PLACEHOLDER_NAMESPACE_ID = "00000000000000000000000000000000";

/** The parts of the Worker's configuration gray uses. */
export interface WorkerConfig {
  /** The configuration file read. */
  readonly path: string;
  /** The ROLLOUTS namespace id. */
  readonly namespaceId: string;
  /** Cron expressions of the Worker's triggers (the controller's schedule). */
  readonly crons: readonly string[];
}

type Wrangler = typeof WranglerModule;

const configFields = v.object({
  kv_namespaces: v.array(v.object({ binding: v.string(), id: v.optional(v.string()) })),
  triggers: v.optional(v.object({ crons: v.optional(v.array(v.string())) })),
});

let loaded: Promise<Wrangler> | undefined;

/** The wrangler module, loaded once, with its own logging kept out of gray's output. */
export function wrangler(env: Readonly<Record<string, string | undefined>>): Promise<Wrangler> {
  if (env["WRANGLER_LOG"] === undefined) {
    // gray prints its own messages; wrangler's warnings would break --json output.
    process.env["WRANGLER_LOG"] = "error";
  }
  process.env["WRANGLER_SEND_METRICS"] ??= "false";
  loaded ??= import("wrangler");
  return loaded;
}

/** The configuration file to read: --config, else wrangler.toml (or .json/.jsonc) in the working directory. */
export function configPath(cwd: string, option: string | null): string {
  if (option !== null) {
    const file = path.resolve(cwd, option);
    if (!existsSync(file)) {
      throw new CliError(EXIT.config, `--config: no such file: ${option}`);
    }
    return file;
  }
  for (const name of ["wrangler.toml", "wrangler.jsonc", "wrangler.json"]) {
    const file = path.join(cwd, name);
    if (existsSync(file)) {
      return file;
    }
  }
  throw new CliError(
    EXIT.config,
    `no wrangler.toml in ${cwd}: run gray in the project's directory, or pass --config`,
  );
}

/** Reads the Worker's configuration with wrangler's own reader. */
export async function readWorkerConfig(
  file: string,
  environment: string | null,
  env: Readonly<Record<string, string | undefined>>,
): Promise<WorkerConfig> {
  const { unstable_readConfig } = await wrangler(env);
  let config: ReturnType<typeof unstable_readConfig>;
  try {
    config = unstable_readConfig(
      environment === null ? { config: file } : { config: file, env: environment },
      { hideWarnings: true },
    );
  } catch (error) {
    throw new CliError(EXIT.config, `${path.basename(file)}: ${firstLine(error)}`);
  }
  // Read through a schema: gray relies on two fields of wrangler's (unstable) config object.
  const fields = v.safeParse(configFields, config);
  const namespace = fields.success
    ? fields.output.kv_namespaces.find((ns) => ns.binding === ROLLOUTS_BINDING)
    : undefined;
  if (namespace?.id === undefined || namespace.id === "") {
    throw new CliError(
      EXIT.config,
      `${path.basename(file)}${environment === null ? "" : ` [env.${environment}]`}: no KV namespace with binding = "${ROLLOUTS_BINDING}"`,
    );
  }
  return {
    path: file,
    namespaceId: namespace.id,
    crons: fields.success ? (fields.output.triggers?.crons ?? []) : [],
  };
}

/** An error's first line, without a stack. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n").find((line) => line.trim() !== "") ?? text).trim();
}
