/**
 * `--remote`: Cloudflare's REST API for the ROLLOUTS namespace (the id from
 * wrangler.toml) and the Analytics Engine SQL API for figures, with
 * CF_ACCOUNT_ID and CF_API_TOKEN (the controller's secrets; wrangler's
 * CLOUDFLARE_ACCOUNT_ID / CLOUDFLARE_API_TOKEN are accepted too).
 * CLOUDFLARE_API_BASE_URL, wrangler's own override, points it elsewhere
 * (the tests' local stand-in).
 */

import { SqlApiMetrics } from "../control/sql-api-metrics";
import { CLOUDFLARE_API_BASE } from "../control/sql-source";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";
import { RestKv } from "./rest-kv";
import type { Target } from "./target";
import {
  PLACEHOLDER_NAMESPACE_ID,
  ROLLOUTS_BINDING,
  configPath,
  readWorkerConfig,
} from "./wrangler";

/** The account id and token, from the environment. */
export function credentials(env: Readonly<Record<string, string | undefined>>): {
  readonly accountId: string;
  readonly apiToken: string;
} {
  const accountId = env["CF_ACCOUNT_ID"] || env["CLOUDFLARE_ACCOUNT_ID"] || "";
  const apiToken = env["CF_API_TOKEN"] || env["CLOUDFLARE_API_TOKEN"] || "";
  const missing = [
    accountId === "" ? "CF_ACCOUNT_ID" : null,
    apiToken === "" ? "CF_API_TOKEN" : null,
  ].filter((name) => name !== null);
  if (missing.length > 0) {
    throw new CliError(
      EXIT.credentials,
      `--remote needs ${missing.join(" and ")} in the environment (a token with Workers KV Storage: Edit and Account Analytics: Read)`,
    );
  }
  return { accountId, apiToken };
}

/** Opens the remote target: credentials first, then the namespace id from the configuration. */
export async function openRemote(
  options: { readonly config: string | null; readonly env: string | null },
  io: Io,
): Promise<Target> {
  const { accountId, apiToken } = credentials(io.env);
  const file = configPath(io.cwd, options.config);
  const config = await readWorkerConfig(file, options.env, io.env);
  if (config.namespaceId === PLACEHOLDER_NAMESPACE_ID) {
    throw new CliError(
      EXIT.config,
      `wrangler.toml: the ${ROLLOUTS_BINDING} namespace has the local placeholder id; put your namespace's id there (npx wrangler kv namespace create ${ROLLOUTS_BINDING})`,
    );
  }
  const baseUrl = (io.env["CLOUDFLARE_API_BASE_URL"] || CLOUDFLARE_API_BASE).replace(/\/+$/, "");
  return {
    name: "remote",
    description: `remote (account ${accountId.slice(0, 8)}…, namespace ${config.namespaceId.slice(0, 8)}…)`,
    kv: new RestKv({ baseUrl, accountId, namespaceId: config.namespaceId, apiToken }),
    metrics: new SqlApiMetrics({ accountId, apiToken, baseUrl }),
    crons: config.crons,
    close: () => Promise.resolve(),
  };
}
