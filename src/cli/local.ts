/**
 * `--local`: the rollouts in the `.wrangler/state` that `wrangler dev` uses,
 * opened with wrangler's getPlatformProxy (so gray reads and writes what the
 * local router reads, the same way `wrangler kv key put --local` does), and
 * figures from the local collector that `npm start` / `npm run dev` run.
 */

import path from "node:path";
import { collectorUrl } from "../core/local-collector";
import { CollectorMetrics } from "../control/collector-source";
import type { RolloutKv } from "../control/kv";
import { DEFAULT_COLLECTOR_PORT, announcedUrl } from "../collector/location";
import { CliError, EXIT, usage } from "./errors";
import type { Io } from "./io";
import type { CliKv } from "./kv";
import type { Target } from "./target";
import { ROLLOUTS_BINDING, configPath, firstLine, readWorkerConfig, wrangler } from "./wrangler";

/** Where wrangler dev keeps local bindings' data, relative to wrangler.toml's directory. */
const LOCAL_STATE = path.join(".wrangler", "state", "v3");

/** Opens the local state and finds the collector. */
export async function openLocal(
  options: {
    readonly config: string | null;
    readonly env: string | null;
    readonly collector: string | null;
  },
  io: Io,
): Promise<Target> {
  const file = configPath(io.cwd, options.config);
  const config = await readWorkerConfig(file, options.env, io.env);
  const project = path.dirname(file);
  // Everything that can fail before the proxy starts: once started, workerd runs until disposed.
  const collector = await findCollector(options.collector, io.env, project);
  const { getPlatformProxy } = await wrangler(io.env);
  let proxy: Awaited<ReturnType<typeof getPlatformProxy<Record<string, RolloutKv>>>>;
  try {
    proxy = await getPlatformProxy<Record<string, RolloutKv>>({
      configPath: file,
      ...(options.env === null ? {} : { environment: options.env }),
      // wrangler dev keeps its state next to wrangler.toml; getPlatformProxy's default is
      // relative to the process's directory, so say where explicitly.
      persist: { path: path.join(project, LOCAL_STATE) },
      remoteBindings: false,
    });
  } catch (error) {
    throw new CliError(EXIT.unavailable, `could not open the local state: ${firstLine(error)}`);
  }
  const namespace = proxy.env[ROLLOUTS_BINDING];
  if (namespace === undefined) {
    await proxy.dispose();
    throw new CliError(EXIT.config, `no ${ROLLOUTS_BINDING} binding in the local state`);
  }
  return {
    name: "local",
    description: `local (.wrangler/state; collector ${collector})`,
    kv: localKv(namespace),
    metrics: new CollectorMetrics(collector),
    crons: config.crons,
    collector,
    close: () => proxy.dispose(),
  };
}

/** --collector, else GRAY_COLLECTOR_URL, else what a running collector announced, else the default port. */
async function findCollector(
  option: string | null,
  env: Readonly<Record<string, string | undefined>>,
  project: string,
): Promise<string> {
  const given = option ?? env["GRAY_COLLECTOR_URL"] ?? null;
  if (given !== null) {
    const url = collectorUrl(given);
    if (url === null) {
      throw usage(
        `${option === null ? "GRAY_COLLECTOR_URL" : "--collector"}: expected an http URL on this machine (127.0.0.1, localhost or [::1]), got "${given}"`,
      );
    }
    return url;
  }
  return (await announcedUrl(project)) ?? `http://127.0.0.1:${DEFAULT_COLLECTOR_PORT}`;
}

function localKv(namespace: RolloutKv): CliKv {
  const failed = (what: string, error: unknown): CliError =>
    new CliError(EXIT.unavailable, `local KV ${what} failed: ${firstLine(error)}`);
  return {
    get: (key) =>
      namespace
        .get(key, { type: "text" })
        .catch((error: unknown) => Promise.reject(failed(`get of "${key}"`, error))),
    put: (key, value) =>
      namespace
        .put(key, value)
        .catch((error: unknown) => Promise.reject(failed(`put of "${key}"`, error))),
    list: async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      try {
        do {
          const page = await namespace.list(cursor === undefined ? {} : { cursor });
          names.push(...page.keys.map((k) => k.name));
          cursor = page.list_complete ? undefined : page.cursor;
        } while (cursor !== undefined);
      } catch (error) {
        throw failed("list", error);
      }
      return names;
    },
  };
}
