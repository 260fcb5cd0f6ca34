import { parseSettings } from "./core/settings";
import type { Settings } from "./core/settings";
import type { Rollout } from "./core/rollout";
import { identifyVisitor } from "./core/visitor";
import { readArrival, requestMetrics } from "./context";
import type { Arrival, Routing } from "./context";
import type { AppEnv } from "./env";
import type { Breakers } from "./edge/breaker";
import type { MetricsSink } from "./edge/metrics";
import { readOverride } from "./edge/override";
import type { KvReader, LoadResult, RolloutStore } from "./edge/rollout-store";
import { DEFAULT_DEBUG_PATH, debugApp, isDebugRequest } from "./routes/debug";
import { proxy } from "./routes/proxy";

/** What the router needs from the outside world; tests inject fakes. */
export interface AppDeps {
  readonly store: RolloutStore;
  readonly breakers: Breakers;
  /** Where rollout documents are read: the `ROLLOUTS` binding in production. */
  readonly rollouts: (env: AppEnv) => KvReader;
  /** Where data points go; called once per request, `record` once at the body's end. */
  readonly metrics: (env: AppEnv) => MetricsSink;
  readonly newVisitorId: () => string;
  readonly now: () => number;
  readonly log: (message: string) => void;
}

/** The router as a Worker's fetch handler. */
export interface App {
  fetch(request: Request, env: AppEnv, ctx: Pick<ExecutionContext, "waitUntil">): Promise<Response>;
}

/**
 * The router. A request reads top to bottom in `handle`: arrive -> load rollout ->
 * identify visitor (and QA override) -> the debug view, or the proxy path
 * (src/routes/proxy.ts: decide -> plan the route -> forward -> respond -> record at body end).
 */
export function createApp(deps: AppDeps): App {
  const isolate: Isolate = {
    deps,
    vars: new VarsCache(deps.log),
    debug: debugApp(deps.store, deps.breakers, deps.now),
  };
  return { fetch: (request, env, ctx) => handle(request, env, ctx, isolate) };
}

/** The per-isolate pieces `handle` works with. */
interface Isolate {
  readonly deps: AppDeps;
  readonly vars: VarsCache;
  readonly debug: ReturnType<typeof debugApp>;
}

/**
 * One request: step 1 (arrive), 2 (load rollout) and 3 (identify), then the debug view
 * or the proxy path. Every failure is answered here: a bad request 400, no rollout 503,
 * a bug a generic 503; each with its one data point.
 */
async function handle(
  request: Request,
  env: AppEnv,
  ctx: Pick<ExecutionContext, "waitUntil">,
  isolate: Isolate,
): Promise<Response> {
  const { deps, vars } = isolate;
  const sink = deps.metrics(env);
  const arrival = readArrival(request, deps.now());
  if ("problem" in arrival) {
    // The request itself is unusable: the client's fault, answered before any routing.
    const { fallback } = arrival;
    sink.record(
      requestMetrics(fallback, deps.now(), { rolloutKey: fallback.host, outcome: "bad_request" }),
    );
    return plainText(`gray-router: ${arrival.problem}`, 400);
  }
  const settings = vars.settings(env);
  // Load rollout: a host without any valid rollout gets the contract's 503.
  let loaded: LoadResult;
  try {
    const loading = deps.store.load(deps.rollouts(env), arrival.host, settings.configCacheSeconds);
    loaded = loading instanceof Promise ? await loading : loading;
  } catch (error) {
    return internalError(error, arrival, undefined, sink, deps);
  }
  if (!loaded.ok) {
    sink.record(
      requestMetrics(arrival, deps.now(), { rolloutKey: loaded.key, outcome: "config_error" }),
    );
    return plainText(loaded.reason, 503);
  }
  try {
    // Identify visitor and QA override; their cookies go on whatever response comes back.
    const visitor = identifyVisitor(request.headers.get("cookie"), deps.now(), deps.newVisitorId);
    const maybeOverride = readOverride(request, arrival.url, env.GRAY_SECRET, deps.now());
    const override = maybeOverride instanceof Promise ? await maybeOverride : maybeOverride;
    const routing: Routing = {
      arrival,
      settings,
      rollout: loaded.rollout,
      configState: loaded.state,
      visitor,
      override,
    };
    const secret = env.GRAY_SECRET;
    const response =
      secret !== undefined && isDebugRequest(routing, secret, env.DEBUG_PATH ?? DEFAULT_DEBUG_PATH)
        ? await isolate.debug.fetch(request, { routing, secret })
        : await proxy(routing, deps, { sink, ctx });
    if (visitor.setCookie !== undefined) {
      response.headers.append("Set-Cookie", visitor.setCookie);
    }
    if (override.setCookie !== undefined) {
      response.headers.append("Set-Cookie", override.setCookie);
    }
    return response;
  } catch (error) {
    return internalError(error, arrival, loaded.rollout, sink, deps);
  }
}

/**
 * Fail safe: a bug must not turn into a 500 page or leak internals. The stack goes to the
 * log, the client gets a generic 503, and the request still gets its one data point.
 */
function internalError(
  error: unknown,
  arrival: Arrival,
  rollout: Rollout | undefined,
  sink: MetricsSink,
  deps: Pick<AppDeps, "now" | "log">,
): Response {
  deps.log(
    `gray-router: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  sink.record(
    requestMetrics(arrival, deps.now(), {
      rolloutKey: rollout?.key ?? arrival.host,
      revision: rollout?.revision ?? "",
      outcome: "internal_error",
    }),
  );
  return plainText("gray-router: internal error (details are in the worker logs)", 503);
}

/** A router answer of its own: one plain-text line, never cached. */
function plainText(text: string, status: number): Response {
  return new Response(text, {
    status,
    headers: { "Content-Type": "text/plain; charset=UTF-8", "Cache-Control": "no-store" },
  });
}

/**
 * Vars only change with a deployment: they are parsed once per distinct value (and a bad
 * one logged once, not on every request).
 */
class VarsCache {
  private cacheSeconds: string | undefined;
  private timeoutSeconds: string | undefined;
  private parsed: Settings | undefined;

  constructor(private readonly log: (message: string) => void) {}

  settings(env: AppEnv): Settings {
    if (
      this.parsed === undefined ||
      this.cacheSeconds !== env.CONFIG_CACHE_SECONDS ||
      this.timeoutSeconds !== env.ORIGIN_TIMEOUT_SECONDS
    ) {
      const { settings, problems } = parseSettings(env);
      for (const problem of problems) {
        this.log(`gray-router: ${problem}`);
      }
      this.cacheSeconds = env.CONFIG_CACHE_SECONDS;
      this.timeoutSeconds = env.ORIGIN_TIMEOUT_SECONDS;
      this.parsed = settings;
    }
    return this.parsed;
  }
}
