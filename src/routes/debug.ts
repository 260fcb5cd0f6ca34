import { Hono } from "hono";
import { verifyToken } from "../core/token";
import type { Routing } from "../context";
import type { Breakers } from "../edge/breaker";
import { TOKEN_HEADER, TOKEN_QUERY } from "../edge/override";
import type { RolloutStore } from "../edge/rollout-store";
import { decideCohort } from "./proxy";

/** Default path of the debug view (var `DEBUG_PATH`). */
export const DEFAULT_DEBUG_PATH = "/__gray";

/** What the debug view is given with each request. */
export interface DebugBindings {
  readonly routing: Routing;
  readonly secret: string;
}

/** Whether a request is for the debug view: only with a secret set, only `GET` on its path. */
export function isDebugRequest(
  routing: Routing,
  secret: string | undefined,
  path: string,
): boolean {
  return (
    secret !== undefined &&
    secret !== "" &&
    routing.arrival.request.method === "GET" &&
    routing.arrival.url.pathname === path
  );
}

/**
 * The debug view: JSON about how this isolate routes the caller. Only with a valid debug
 * token (`X-Gray-Token` header or `gray_token` query), signed with the `GRAY_SECRET`
 * secret; the route does not exist without that secret. A Hono app: the proxy path does
 * without one (see BENCHMARKS.md), this view keeps Hono's JSON and text helpers.
 */
export function debugApp(
  store: RolloutStore,
  breakers: Breakers,
  now: () => number,
): Hono<{ Bindings: DebugBindings }> {
  const app = new Hono<{ Bindings: DebugBindings }>();
  app.get("*", async (c) => {
    const { routing, secret } = c.env;
    const { arrival, rollout, visitor, override } = routing;
    const token = c.req.header(TOKEN_HEADER) ?? arrival.url.searchParams.get(TOKEN_QUERY) ?? "";
    const check = token === "" ? null : await verifyToken(token, secret, "debug", now());
    if (check === null || !check.ok) {
      const why = check === null ? "none was sent" : check.problem;
      return c.text(`gray-router: the debug view needs a valid debug token (${why})`, 401, {
        "Cache-Control": "no-store",
      });
    }
    const decision = decideCohort(routing);
    const loadedAt = store.loadedAt(arrival.host);
    const problems = store.problems(rollout.key);
    return c.json(
      {
        host: arrival.host,
        rolloutKey: rollout.key,
        revision: rollout.revision,
        configState: routing.configState,
        // Why the key's current document is not used (stale): the validation errors.
        configProblem: problems === undefined ? null : problems.join("; "),
        configAgeSeconds: loadedAt === undefined ? null : Math.round((now() - loadedAt) / 100) / 10,
        visitor: { status: visitor.status, stickyBy: decision.stickyBy },
        bucket: decision.bucket,
        cohort: decision.cohort,
        decidedBy: decision.decidedBy,
        rule: decision.rule ?? null,
        // The override reader looks at the same token first (header, then query),
        // and calls a debug token the wrong kind of override: not a problem here.
        overrideProblem: override.problem === "wrong_kind" ? null : (override.problem ?? null),
        weights: Object.fromEntries([...rollout.weights].map(([k, w]) => [k, w / 100])),
        breakers: breakers.snapshot(),
      },
      200,
      { "Cache-Control": "no-store" },
    );
  });
  return app;
}
