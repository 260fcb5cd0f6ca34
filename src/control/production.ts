/**
 * The controller's production wiring: the Analytics Engine SQL API as the
 * metrics source (account id and token from secrets), the global fetch for
 * webhooks, the real clock, the worker log.
 */

import type { ControllerDeps, ControllerEnv } from "./controller";
import { MetricsError } from "./metrics-source";
import type { MetricsSource } from "./metrics-source";
import { SqlMetricsSource } from "./sql-source";

/** The controller's bindings plus its secrets (`wrangler secret put CF_ACCOUNT_ID` / `CF_API_TOKEN`). */
export interface ControllerSecrets extends ControllerEnv {
  /** Cloudflare account id that owns the `gray_router` dataset. */
  readonly CF_ACCOUNT_ID?: string;
  /** API token with Account Analytics: Read. */
  readonly CF_API_TOKEN?: string;
}

/** A source that always fails: analysed rollouts then hold and say why in their history. */
const unconfigured: MetricsSource = {
  read: () =>
    Promise.reject(
      new MetricsError(
        "not_configured",
        "the secrets CF_ACCOUNT_ID and CF_API_TOKEN must both be set to read metrics",
      ),
    ),
};

/** Dependencies for the deployed Worker's `scheduled` handler. */
export function productionControllerDeps(env: ControllerSecrets): ControllerDeps {
  const accountId = env.CF_ACCOUNT_ID ?? "";
  const apiToken = env.CF_API_TOKEN ?? "";
  return {
    now: Date.now,
    fetch: (url, init) => fetch(url, init),
    metrics:
      accountId !== "" && apiToken !== ""
        ? new SqlMetricsSource({ accountId, apiToken })
        : unconfigured,
    log: (message) => console.warn(message),
  };
}
