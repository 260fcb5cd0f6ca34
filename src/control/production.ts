/**
 * The controller's wiring: the metrics source (the local collector in local
 * runs, else the Analytics Engine SQL API with the account id and token from
 * secrets), the global fetch for webhooks, the real clock, the worker log.
 */

import { collectorUrl } from "../core/local-collector";
import { CollectorMetrics } from "./collector-source";
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
  /** Local runs only (`npm start`, `npm run dev`): the local collector's URL (src/core/local-collector.ts). */
  readonly LOCAL_COLLECTOR_URL?: string;
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

/**
 * Where the controller reads figures: the local collector when
 * LOCAL_COLLECTOR_URL is set (local runs, where Analytics Engine keeps
 * nothing), else the SQL API when both secrets are set, else nowhere (every
 * analysed rollout holds with `not_configured`).
 */
export function metricsSourceFor(env: ControllerSecrets): MetricsSource {
  const local = collectorUrl(env.LOCAL_COLLECTOR_URL);
  if (local !== null) {
    return new CollectorMetrics(local);
  }
  const accountId = env.CF_ACCOUNT_ID ?? "";
  const apiToken = env.CF_API_TOKEN ?? "";
  return accountId !== "" && apiToken !== ""
    ? new SqlMetricsSource({ accountId, apiToken })
    : unconfigured;
}

/** Dependencies for the Worker's `scheduled` handler. */
export function productionControllerDeps(env: ControllerSecrets): ControllerDeps {
  return {
    now: Date.now,
    fetch: (url, init) => fetch(url, init),
    metrics: metricsSourceFor(env),
    log: (message) => console.warn(message),
  };
}
