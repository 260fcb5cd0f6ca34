import { Hono } from "hono";
import { parseSettings } from "./core/settings";
import type { Settings } from "./core/settings";
import { identifyVisitor } from "./core/visitor";
import type { AppContext } from "./context";
import { dataPoint } from "./context";
import type { AppEnv } from "./env";
import type { Breakers } from "./edge/breaker";
import type { MetricsSink } from "./edge/metrics";
import type { Rollout } from "./core/rollout";
import { readOverride } from "./edge/override";
import type { KvReader, RolloutStore } from "./edge/rollout-store";
import { DEFAULT_DEBUG_PATH, debugView } from "./routes/debug";
import { proxy } from "./routes/proxy";

/** What the app needs from the outside world; tests inject fakes. */
export interface AppDeps {
  readonly store: RolloutStore;
  readonly breakers: Breakers;
  /** Where rollout documents are read: the `ROLLOUTS` binding in production. */
  readonly rollouts: (env: AppEnv) => KvReader;
  readonly metrics: (env: AppEnv) => MetricsSink;
  readonly newVisitorId: () => string;
  readonly now: () => number;
  readonly log: (message: string) => void;
}

/**
 * The router: load rollout -> identify visitor (and QA override) -> decide
 * cohort -> forward -> record. Each step is one middleware or the handler.
 */
export function createApp(deps: AppDeps): Hono<AppContext> {
  const app = new Hono<AppContext>();

  // Vars only change with a deployment: parse them once per distinct value
  // (and log a bad one once, not on every request).
  let parsed: { readonly key: string; readonly settings: Settings } | undefined;
  const settingsOf = (env: AppEnv): Settings => {
    const key = `${env.CONFIG_CACHE_SECONDS}|${env.ORIGIN_TIMEOUT_SECONDS}`;
    if (parsed?.key !== key) {
      const { settings, problems } = parseSettings(env);
      for (const problem of problems) {
        deps.log(`gray-router: ${problem}`);
      }
      parsed = { key, settings };
    }
    return parsed.settings;
  };

  // Settings, the metrics sink and the parsed URL, once per request.
  app.use(async (c, next) => {
    c.set("started", deps.now());
    c.set("settings", settingsOf(c.env));
    c.set("sink", deps.metrics(c.env));
    const url = new URL(c.req.url);
    c.set("url", url);
    c.set("host", url.hostname.toLowerCase());
    await next();
  });

  // Load rollout: a host without any valid rollout gets the contract's 503.
  app.use(async (c, next) => {
    const host = c.get("host");
    const loaded = await deps.store.load(
      deps.rollouts(c.env),
      host,
      c.get("settings").configCacheSeconds,
    );
    if (!loaded.ok) {
      c.get("sink").record(
        dataPoint(c, deps.now, { rolloutKey: loaded.key, outcome: "config_error" }),
      );
      return c.text(loaded.reason, 503, { "Cache-Control": "no-store" });
    }
    c.set("rollout", loaded.rollout);
    c.set("configState", loaded.state);
    await next();
    return;
  });

  // Identify visitor and QA override; their cookies go on whatever response comes back.
  app.use(async (c, next) => {
    const url = c.get("url");
    c.set(
      "visitor",
      identifyVisitor(c.req.header("cookie") ?? null, deps.now(), deps.newVisitorId),
    );
    c.set("override", await readOverride(c.req.raw, url, c.env.GRAY_SECRET, deps.now()));
    await next();
    for (const setCookie of [c.get("visitor").setCookie, c.get("override").setCookie]) {
      if (setCookie !== undefined) {
        c.res.headers.append("Set-Cookie", setCookie);
      }
    }
  });

  app.all("*", async (c) => {
    const secret = c.env.GRAY_SECRET;
    const debugPath = c.env.DEBUG_PATH ?? DEFAULT_DEBUG_PATH;
    if (
      secret !== undefined &&
      secret !== "" &&
      c.req.method === "GET" &&
      c.get("url").pathname === debugPath
    ) {
      return debugView(c, secret, deps.store, deps.breakers, deps.now);
    }
    return proxy(c, deps.breakers, deps.now);
  });

  app.onError((error, c) => {
    // Fail safe: a bug must not turn into a 500 page or leak internals.
    deps.log(
      `gray-router: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    // Still one data point per request, so such failures show in the metrics.
    const sink: MetricsSink | undefined = c.get("sink");
    const rollout: Rollout | undefined = c.get("rollout");
    sink?.record(
      dataPoint(c, deps.now, {
        rolloutKey: rollout?.key ?? c.get("host"),
        revision: rollout?.revision ?? "",
        outcome: "internal_error",
      }),
    );
    return c.text("gray-router: internal error (details are in the worker logs)", 503, {
      "Cache-Control": "no-store",
    });
  });

  return app;
}
