import type { Context } from "hono";
import type { Rollout } from "./core/rollout";
import type { Settings } from "./core/settings";
import type { Visitor } from "./core/visitor";
import type { AppEnv } from "./env";
import type { RequestMetrics } from "./core/metrics";
import type { MetricsSink } from "./edge/metrics";
import type { Override } from "./edge/override";

/** Per-request values the middlewares hand down (Hono `c.var`). */
export interface Vars {
  started: number;
  settings: Settings;
  sink: MetricsSink;
  /** The request URL, parsed once. */
  url: URL;
  host: string;
  rollout: Rollout;
  configState: "fresh" | "stale";
  visitor: Visitor;
  override: Override;
}

/** The Hono environment of the app. */
export interface AppContext {
  Bindings: AppEnv;
  Variables: Vars;
}

/** A data point with the request's own fields filled in and neutral defaults for the rest. */
export function dataPoint(
  c: Context<AppContext>,
  now: () => number,
  fields: Partial<RequestMetrics> & Pick<RequestMetrics, "rolloutKey" | "outcome">,
): RequestMetrics {
  const colo = c.req.raw.cf?.colo;
  return {
    cohort: "",
    host: c.get("host"),
    method: c.req.method,
    revision: "",
    configState: "none",
    colo: typeof colo === "string" ? colo : "",
    status: 0,
    ttfbMs: 0,
    durationMs: now() - c.get("started"),
    bucket: -1,
    weightPercent: 0,
    bytes: 0,
    decidedBy: "",
    detail: "",
    breaker: "",
    visitor: "",
    ...fields,
  };
}
