/**
 * Benchmark-only: the router built up one step at a time, to see where the CPU goes (the
 * ablation table in BENCHMARKS.md). Each step is a Worker of its own, chosen by the
 * `ABLATION_STEP` var; every step adds one stage of the production path, calling the
 * production functions, to the step before it. Two asides stand beside them: `floor`, what
 * the contract alone costs any router, and `hono`, the whole router behind a Hono app
 * shaped like the old one, to price Hono on the proxy path.
 */
import { Hono } from "hono";
import { applyCachePolicy } from "../src/core/cache-policy";
import { COHORT_HEADER, editClientHeaders, upstreamHeaders } from "../src/core/headers";
import { parseSettings } from "../src/core/settings";
import { upstreamUrl } from "../src/core/upstream-url";
import { identifyVisitor, randomVisitorId } from "../src/core/visitor";
import { coloOf, readArrival } from "../src/context";
import type { Routing } from "../src/context";
import { Breakers } from "../src/edge/breaker";
import { analyticsEngineSink } from "../src/edge/metrics";
import { readOverride } from "../src/edge/override";
import { declaredLength, forward } from "../src/edge/proxy";
import { relayBody } from "../src/edge/relay";
import { RolloutStore } from "../src/edge/rollout-store";
import { Watchdog } from "../src/edge/watchdog";
import type { AppEnv } from "../src/env";
import { decideCohort } from "../src/routes/proxy";
import { planRoute } from "../src/routes/route";
import { benchFetch } from "./router-entry";
import { ABLATION_ASIDES, ABLATION_STEPS } from "./ablation-steps.mjs";

type Step = (typeof ABLATION_STEPS)[number]["step"];
/** Index of a step by name. */
const at = (name: Step): number => ABLATION_STEPS.findIndex((s) => s.step === name);

const store = new RolloutStore();
const sink = analyticsEngineSink({ writeDataPoint: () => undefined });
const breakers = new Breakers();

function stepOf(env: AppEnv): number {
  const raw = Reflect.get(env, "ABLATION_STEP");
  const index = ABLATION_STEPS.findIndex((s) => s.step === raw);
  if (index < 0) {
    throw new Error(`ABLATION_STEP must be one of ${ABLATION_STEPS.map((s) => s.step).join(", ")}`);
  }
  return index;
}

async function handle(
  request: Request,
  env: AppEnv,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<Response> {
  const step = stepOf(env);
  const arrival = readArrival(request, Date.now());
  if ("problem" in arrival) {
    throw new Error("bad request URL");
  }
  const settings = parseSettings(env).settings;
  const loaded = await store.load(env.ROLLOUTS, arrival.host, settings.configCacheSeconds);
  if (!loaded.ok) {
    return new Response(loaded.reason, { status: 503 });
  }
  const visitor = identifyVisitor(request.headers.get("cookie"), Date.now(), randomVisitorId);
  const override = await readOverride(request, arrival.url, env.GRAY_SECRET, Date.now());
  const routing: Routing = {
    arrival,
    settings,
    rollout: loaded.rollout,
    configState: loaded.state,
    visitor,
    override,
  };
  const route = planRoute(routing, decideCohort(routing), breakers);
  const origin = loaded.rollout.origins.get(route.cohort);
  if (origin === undefined) {
    throw new Error("no origin");
  }
  const url = upstreamUrl(origin, arrival.url.pathname, arrival.url.search);
  const headers =
    step >= at("request-headers")
      ? upstreamHeaders(request.headers, {
          cohort: route.cohort,
          host: request.headers.get("host") ?? arrival.url.host,
          proto: "http",
          websocket: false,
        })
      : request.headers;
  let upstream: Response;
  let ttfbMs = 0;
  let watchdog: Watchdog | undefined;
  if (step >= at("timeout")) {
    watchdog = new Watchdog(settings.originTimeoutMs);
    const result = await forward(
      { url, method: request.method, headers, body: request.body },
      watchdog,
      Date.now,
    );
    if (result.kind === "error") {
      return new Response(result.detail, { status: 502 });
    }
    upstream = result.response;
    ttfbMs = result.ttfbMs;
  } else {
    upstream = await fetch(url, { method: request.method, headers, redirect: "manual" });
  }
  let body: ReadableStream<Uint8Array> | Uint8Array | null = upstream.body;
  if (step >= at("body-end") && watchdog !== undefined && upstream.body !== null) {
    const relayed = await relayBody(upstream.body, declaredLength(upstream.headers), watchdog);
    body = relayed.body;
    const record = (bytes: number): void => {
      // The data point the router writes, through the production sink to a no-op dataset.
      sink.record({
        rolloutKey: loaded.rollout.key,
        cohort: route.cohort,
        outcome: "ok",
        host: arrival.host,
        method: request.method,
        revision: loaded.rollout.revision,
        configState: loaded.state,
        colo: coloOf(request),
        status: upstream.status,
        ttfbMs,
        durationMs: Date.now() - arrival.started,
        bucket: route.decision.bucket,
        weightPercent: route.decision.weight / 100,
        bytes,
        decidedBy: route.decidedBy,
        detail: "",
        breaker: "",
        visitor: "returning",
      });
    };
    if (relayed.end instanceof Promise) {
      ctx.waitUntil(relayed.end.then((end) => record(end.bytes)));
    } else {
      record(relayed.end.bytes);
    }
  }
  const response = new Response(body, {
    status: upstream.status,
    headers: upstream.headers,
    encodeBody: "manual",
  });
  if (step >= at("response-headers")) {
    editClientHeaders(response.headers, route.cohort, false);
    applyCachePolicy(response.headers, loaded.rollout.cache, upstream.status);
  } else {
    response.headers.set(COHORT_HEADER, route.cohort);
  }
  if (visitor.setCookie !== undefined) {
    response.headers.append("Set-Cookie", visitor.setCookie);
  }
  return response;
}

/** The router behind a Hono app shaped like the one it replaced: three middlewares, nine values. */
const honoRouter = new Hono<{ Bindings: AppEnv; Variables: Record<string, unknown> }>();
honoRouter.use(async (c, next) => {
  c.set("started", Date.now());
  c.set("settings", parseSettings(c.env).settings);
  c.set("sink", undefined);
  c.set("url", new URL(c.req.url));
  c.set("host", c.req.header("host"));
  await next();
});
honoRouter.use(async (c, next) => {
  c.set("rollout", undefined);
  c.set("configState", "fresh");
  await next();
});
honoRouter.use(async (c, next) => {
  c.set("visitor", undefined);
  c.set("override", undefined);
  await next();
});
honoRouter.all("*", (c) => benchFetch(c.req.raw, c.env, c.executionCtx));

/**
 * The contract's floor (the aside `floor`): what a router pays on every request for the
 * contract alone, whatever its code: the request headers copied with the cohort and
 * forwarding headers, one timer for the origin, the body's first chunk read so that its
 * end is known (a 1 KiB body arrives whole), the response headers copied with the cohort
 * header, one data point. No routing: the cohort is fixed and nothing is read from KV.
 */
async function floor(request: Request, env: AppEnv): Promise<Response> {
  const started = Date.now();
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete("host");
  headers.set(COHORT_HEADER, "stable");
  headers.set("X-Forwarded-Host", url.host);
  headers.set("X-Forwarded-Proto", "http");
  const timer = setTimeout(() => undefined, 30_000);
  const origin = Reflect.get(env, "ORIGIN");
  const upstream = await fetch(`${String(origin)}${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    redirect: "manual",
  });
  let body: Uint8Array | null = null;
  if (upstream.body !== null) {
    const first = await upstream.body.getReader().read();
    body = first.value ?? new Uint8Array(0);
  }
  clearTimeout(timer);
  const response = new Response(body, { status: upstream.status, headers: upstream.headers });
  response.headers.set(COHORT_HEADER, "stable");
  sink.record({
    rolloutKey: "default",
    cohort: "stable",
    outcome: "ok",
    host: url.hostname,
    method: request.method,
    revision: "",
    configState: "fresh",
    colo: coloOf(request),
    status: upstream.status,
    ttfbMs: 0,
    durationMs: Date.now() - started,
    bucket: 0,
    weightPercent: 100,
    bytes: body?.byteLength ?? 0,
    decidedBy: "weights",
    detail: "",
    breaker: "",
    visitor: "returning",
  });
  return response;
}

const [FLOOR, HONO] = [ABLATION_ASIDES[0].step, ABLATION_ASIDES[1].step];

export default {
  fetch(request, env, ctx) {
    const step = Reflect.get(env, "ABLATION_STEP");
    if (step === FLOOR) {
      return floor(request, env);
    }
    if (step === HONO) {
      return honoRouter.fetch(request, env, ctx);
    }
    return handle(request, env, ctx);
  },
} satisfies ExportedHandler<AppEnv>;
