/**
 * Benchmark-only: the router built up one step at a time, to see where the CPU goes
 * (the ablation table in BENCHMARKS.md). Each step is a Worker of its own, chosen by the
 * `ABLATION_STEP` var; every step adds one stage of the production path, using the
 * production functions, to the step before it.
 */
import { Hono } from "hono";
import { applyCachePolicy } from "../src/core/cache-policy";
import { decide } from "../src/core/decide";
import { clientHeaders, COHORT_HEADER, upstreamHeaders } from "../src/core/headers";
import { parseSettings } from "../src/core/settings";
import { upstreamUrl } from "../src/core/upstream-url";
import { identifyVisitor, randomVisitorId } from "../src/core/visitor";
import { declaredLength, forward, relayBody } from "../src/edge/proxy";
import { readOverride } from "../src/edge/override";
import { requestFacts } from "../src/edge/request-facts";
import { RolloutStore } from "../src/edge/rollout-store";
import type { AppEnv } from "../src/env";
import { ABLATION_STEPS } from "./ablation-steps.mjs";

type Step = (typeof ABLATION_STEPS)[number]["step"];
/** Index of a step by name. */
const at = (name: Step): number => ABLATION_STEPS.findIndex((s) => s.step === name);

const store = new RolloutStore();

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
  const started = Date.now();
  const url = new URL(request.url);
  if (step === 0) {
    // A Hono app that only forwards, as the bare worker does.
    const origin = String(Reflect.get(env, "ORIGIN"));
    return fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  }
  const settings = parseSettings(env).settings;
  const loaded = await store.load(env.ROLLOUTS, url.hostname, settings.configCacheSeconds);
  if (!loaded.ok) {
    return new Response(loaded.reason, { status: 503 });
  }
  const rollout = loaded.rollout;
  const visitor = identifyVisitor(request.headers.get("cookie"), started, randomVisitorId);
  const override = await readOverride(request, url, env.GRAY_SECRET, started);
  const decision = decide({
    rollout,
    facts: requestFacts(request, url),
    visitorId: visitor.id,
    forced: override.forced,
  });
  const origin = rollout.origins.get(decision.cohort);
  if (origin === undefined) {
    throw new Error("no origin");
  }
  const target = upstreamUrl(origin, url.pathname, url.search);
  const headers =
    step >= at("request-headers")
      ? upstreamHeaders(request.headers, {
          cohort: decision.cohort,
          host: request.headers.get("host") ?? url.host,
          proto: "http",
          websocket: false,
        })
      : request.headers;
  const init = { method: request.method, headers, body: request.body };
  let upstream: Response;
  let ttfbMs = 0;
  if (step >= at("timeout")) {
    const result = await forward(target, init, settings.originTimeoutMs);
    if (result.kind === "error") {
      return new Response(result.detail, { status: 502 });
    }
    upstream = result.response;
    ttfbMs = result.ttfbMs;
  } else {
    upstream = await fetch(target, { ...init, redirect: "manual" });
  }
  let responseHeaders: Headers;
  if (step >= at("response-headers")) {
    responseHeaders = clientHeaders(upstream.headers, decision.cohort, false);
    applyCachePolicy(responseHeaders, rollout.cache);
  } else {
    responseHeaders = new Headers(upstream.headers);
    responseHeaders.set(COHORT_HEADER, decision.cohort);
  }
  if (visitor.setCookie !== undefined) {
    responseHeaders.append("Set-Cookie", visitor.setCookie);
  }
  const responseInit = { status: upstream.status, headers: responseHeaders };
  if (step >= at("relay") && upstream.body !== null) {
    const relayed = relayBody(
      upstream.body,
      (end) => {
        // The data point the router would write, to a no-op sink.
        void [rollout.key, end.outcome, end.bytes, ttfbMs, Date.now() - started];
      },
      declaredLength(upstream.headers),
      settings.originTimeoutMs,
    );
    ctx.waitUntil(relayed.done);
    return new Response(relayed.body, responseInit);
  }
  return new Response(upstream.body, responseInit);
}

const app = new Hono<{ Bindings: AppEnv }>();
app.all("*", (c) => handle(c.req.raw, c.env, c.executionCtx));

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<AppEnv>;
