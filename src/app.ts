import { Hono } from "hono";
import { decide } from "./core/decide";
import type { Decision } from "./core/decide";
import { clientHeaders, COHORT_HEADER, isWebSocketUpgrade, upstreamHeaders } from "./core/headers";
import type { Rollout } from "./core/rollout";
import { parseSettings } from "./core/settings";
import type { Settings } from "./core/settings";
import { upstreamUrl } from "./core/upstream-url";
import { identifyVisitor } from "./core/visitor";
import type { Visitor } from "./core/visitor";
import type { AppEnv } from "./env";
import type { MetricsSink, Outcome, RequestMetrics } from "./edge/metrics";
import { declaredLength, forward, relayBody } from "./edge/proxy";
import type { KvReader, RolloutStore } from "./edge/rollout-store";

/** What the app needs from the outside world; tests inject fakes. */
export interface AppDeps {
  readonly store: RolloutStore;
  /** Where rollout documents are read: the `ROLLOUTS` binding in production. */
  readonly rollouts: (env: AppEnv) => KvReader;
  readonly metrics: (env: AppEnv) => MetricsSink;
  readonly newVisitorId: () => string;
  readonly now: () => number;
  readonly log: (message: string) => void;
}

interface Vars {
  started: number;
  settings: Settings;
  sink: MetricsSink;
  host: string;
  rollout: Rollout;
  configState: "fresh" | "stale";
  visitor: Visitor;
}

type AppContext = { Bindings: AppEnv; Variables: Vars };

/**
 * The router: load rollout -> identify visitor -> decide cohort -> forward ->
 * record. Each step is one middleware or the final handler below.
 */
export function createApp(deps: AppDeps): Hono<AppContext> {
  const app = new Hono<AppContext>();

  // Settings and the metrics sink, once per request.
  app.use(async (c, next) => {
    c.set("started", deps.now());
    const { settings, problems } = parseSettings(c.env);
    for (const problem of problems) {
      deps.log(`gray-router: ${problem}`);
    }
    c.set("settings", settings);
    c.set("sink", deps.metrics(c.env));
    c.set("host", new URL(c.req.url).hostname.toLowerCase());
    await next();
  });

  // Load rollout: a host without any valid rollout gets the contract's 503.
  app.use(async (c, next) => {
    const host = c.get("host");
    const loaded = await deps.store.load(deps.rollouts(c.env), host, c.get("settings").configCacheSeconds);
    if (!loaded.ok) {
      c.get("sink").record(
        point(c.req.raw, host, {
          rolloutKey: loaded.key,
          outcome: "config_error",
          durationMs: deps.now() - c.get("started"),
        }),
      );
      return c.text(loaded.reason, 503, { "Cache-Control": "no-store" });
    }
    c.set("rollout", loaded.rollout);
    c.set("configState", loaded.state);
    await next();
    return;
  });

  // Identify visitor; its cookie goes on whatever response comes back.
  app.use(async (c, next) => {
    c.set("visitor", identifyVisitor(c.req.header("cookie") ?? null, deps.now(), deps.newVisitorId));
    await next();
    const setCookie = c.get("visitor").setCookie;
    if (setCookie !== undefined) {
      c.res.headers.append("Set-Cookie", setCookie);
    }
  });

  // Decide, forward, record.
  app.all("*", async (c) => {
    const request = c.req.raw;
    const rollout = c.get("rollout");
    const decision = decide(rollout, c.get("visitor").id);
    const origin = rollout.origins.get(decision.cohort);
    if (origin === undefined) {
      // The layout only holds cohorts with origins; this is a bug, not bad input.
      throw new Error(`cohort "${decision.cohort}" has no origin`);
    }
    const url = new URL(request.url);
    const websocket = isWebSocketUpgrade(request.headers);
    const headers = upstreamHeaders(request.headers, {
      cohort: decision.cohort,
      host: request.headers.get("host") ?? url.host,
      proto: url.protocol.replace(/:$/, ""),
      websocket,
    });
    const result = await forward(
      upstreamUrl(origin, url.pathname, url.search),
      { method: request.method, headers, body: request.body },
      c.get("settings").originTimeoutMs,
      deps.now,
    );
    const record = (outcome: Outcome, status: number, ttfbMs: number, bytes: number): void => {
      c.get("sink").record(
        point(request, c.get("host"), {
          rolloutKey: rollout.key,
          cohort: decision.cohort,
          outcome,
          revision: rollout.revision,
          configState: c.get("configState"),
          status,
          ttfbMs,
          durationMs: deps.now() - c.get("started"),
          ...decisionFields(decision),
          bytes,
        }),
      );
    };

    if (result.kind === "error") {
      record(result.outcome, 0, result.ttfbMs, 0);
      const status = result.outcome === "timeout" ? 504 : 502;
      const what = result.outcome === "timeout" ? "timed out" : "could not be reached";
      return c.text(`gray-router: the "${decision.cohort}" origin ${what}: ${result.detail}`, status, {
        [COHORT_HEADER]: decision.cohort,
        "Cache-Control": "no-store",
      });
    }

    const upstream = result.response;
    const upgraded = upstream.status === 101 && websocket;
    const init: ResponseInit = {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: clientHeaders(upstream.headers, decision.cohort, upgraded),
      // The body is the origin's encoded bytes (encodeResponseBody: "manual").
      encodeBody: "manual",
    };

    if (upgraded) {
      record("ok", 101, result.ttfbMs, 0);
      return new Response(null, { ...init, webSocket: upstream.webSocket });
    }
    if (upstream.body === null) {
      record("ok", upstream.status, result.ttfbMs, 0);
      return new Response(null, init);
    }
    const relayed = relayBody(
      upstream.body,
      (end) => record(end.outcome, upstream.status, result.ttfbMs, end.bytes),
      declaredLength(upstream.headers),
    );
    c.executionCtx.waitUntil(relayed.done);
    return new Response(relayed.body, init);
  });

  app.onError((error, c) => {
    // Fail safe: a bug must not turn into a 500 page or leak internals.
    deps.log(`gray-router: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.text("gray-router: internal error (details are in the worker logs)", 503, {
      "Cache-Control": "no-store",
    });
  });

  return app;
}

function decisionFields(decision: Decision): Pick<RequestMetrics, "bucket" | "weightPercent"> {
  return { bucket: decision.bucket, weightPercent: decision.weight / 100 };
}

/** A data point with the request's own fields filled in and neutral defaults for the rest. */
function point(
  request: Request,
  host: string,
  fields: Partial<RequestMetrics> & Pick<RequestMetrics, "rolloutKey" | "outcome" | "durationMs">,
): RequestMetrics {
  const colo = request.cf?.colo;
  return {
    cohort: "",
    host,
    method: request.method,
    revision: "",
    configState: "none",
    colo: typeof colo === "string" ? colo : "",
    status: 0,
    ttfbMs: 0,
    bucket: -1,
    weightPercent: 0,
    bytes: 0,
    ...fields,
  };
}
