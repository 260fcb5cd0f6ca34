/**
 * The proxy path of one request, once its rollout is loaded and its visitor identified
 * (src/app.ts): decide -> plan the route -> forward -> respond -> record at body end.
 */
import { decide } from "../core/decide";
import type { CohortDecision } from "../core/decide";
import type { RequestMetrics, VisitorKind } from "../core/metrics";
import type { Visitor } from "../core/visitor";
import type { Routing } from "../context";
import { coloOf } from "../context";
import type { Breakers } from "../edge/breaker";
import type { MetricsSink } from "../edge/metrics";
import { requestFacts } from "../edge/request-facts";
import { respond } from "./respond";
import type { Ending } from "./respond";
import { forwardRoute, planRoute } from "./route";
import type { Exchange, Route } from "./route";

/** What the proxy path needs from the isolate (the same for every request). */
export interface ProxyDeps {
  readonly breakers: Breakers;
  readonly now: () => number;
}

/** Where a request's data point goes, and how to keep the request alive until it is written. */
export interface Recorder {
  readonly sink: MetricsSink;
  readonly ctx: Pick<ExecutionContext, "waitUntil">;
}

/**
 * Decides the cohort, plans the route (breaker, failover), forwards, builds the
 * response, and records one data point when its body has finished.
 */
export async function proxy(
  routing: Routing,
  deps: ProxyDeps,
  recorder: Recorder,
): Promise<Response> {
  const decision = decideCohort(routing);
  const route = planRoute(routing, decision, deps.breakers);
  const exchange = await forwardRoute(routing, route, deps.breakers, deps.now);
  const reply = await respond(routing, route, exchange);
  recordAtEnd(reply.ending, { routing, route, exchange }, deps.now, recorder);
  return reply.response;
}

/** Step 3: the cohort for this request, from the override, the rules or the weights. */
export function decideCohort(routing: Routing): CohortDecision {
  return decide({
    rollout: routing.rollout,
    facts: requestFacts(routing.arrival.request, routing.arrival.url),
    visitorId: routing.visitor.id,
    forced: routing.override.forced,
  });
}

/** What a data point says about a proxied request, besides how it ended. */
interface Story {
  readonly routing: Routing;
  readonly route: Route;
  readonly exchange: Exchange;
}

/**
 * Step 7: one data point, written when the response body has ended: at once when that
 * is known already, else when it happens (kept alive with `waitUntil`).
 */
function recordAtEnd(
  ending: Ending | Promise<Ending>,
  story: Story,
  now: () => number,
  { sink, ctx }: Recorder,
): void {
  if (ending instanceof Promise) {
    ctx.waitUntil(ending.then((end) => sink.record(proxyPoint(story, end, now()))));
  } else {
    sink.record(proxyPoint(story, ending, now()));
  }
}

/**
 * The data point of a proxied request. After a failover it charges the cohort that
 * failed: its status and timing, outcome `failover`.
 */
function proxyPoint(story: Story, end: Ending, nowMs: number): RequestMetrics {
  const { routing, route, exchange } = story;
  const { arrival, rollout, override } = routing;
  const failedOver = exchange.failedOver;
  return {
    rolloutKey: rollout.key,
    cohort: route.cohort,
    outcome: failedOver === undefined ? end.outcome : "failover",
    host: arrival.host,
    method: arrival.request.method,
    revision: rollout.revision,
    configState: routing.configState,
    colo: coloOf(arrival.request),
    status: failedOver?.status ?? end.status,
    ttfbMs: failedOver?.ttfbMs ?? end.ttfbMs,
    durationMs: nowMs - arrival.started,
    bucket: route.decision.bucket,
    weightPercent: route.decision.weight / 100,
    bytes: end.bytes,
    decidedBy: route.decidedBy,
    detail: route.decision.rule ?? override.problem ?? "",
    breaker: exchange.transition ?? "",
    visitor: visitorKind(route.decision, routing.visitor),
  };
}

/** Where the decision's bucket came from, for the data point. */
function visitorKind(decision: CohortDecision, visitor: Visitor): VisitorKind {
  if (decision.stickyBy !== "visitor") {
    return "app";
  }
  return visitor.status === "new" ? "new" : "returning";
}
