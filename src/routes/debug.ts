import type { Context } from "hono";
import { decide } from "../core/decide";
import { verifyToken } from "../core/token";
import type { Breakers } from "../edge/breaker";
import { TOKEN_HEADER, TOKEN_QUERY } from "../edge/override";
import { requestFacts } from "../edge/request-facts";
import type { RolloutStore } from "../edge/rollout-store";
import type { AppContext } from "../context";

/** Default path of the debug view (var `DEBUG_PATH`). */
export const DEFAULT_DEBUG_PATH = "/__gray";

/**
 * The debug view: JSON about how this isolate routes the caller. Only with a
 * valid debug token (`X-Gray-Token` header or `gray_token` query), signed with
 * the `GRAY_SECRET` secret; the route does not exist without that secret.
 */
export async function debugView(
  c: Context<AppContext>,
  secret: string,
  store: RolloutStore,
  breakers: Breakers,
  now: () => number,
): Promise<Response> {
  const url = c.get("url");
  const token = c.req.header(TOKEN_HEADER) ?? url.searchParams.get(TOKEN_QUERY) ?? "";
  const check = token === "" ? null : await verifyToken(token, secret, "debug", now());
  if (check === null || !check.ok) {
    const why = check === null ? "none was sent" : check.problem;
    return c.text(`gray-router: the debug view needs a valid debug token (${why})`, 401, {
      "Cache-Control": "no-store",
    });
  }
  const rollout = c.get("rollout");
  const decision = decide({
    rollout,
    facts: requestFacts(c.req.raw, url),
    visitorId: c.get("visitor").id,
    forced: c.get("override").forced,
  });
  const loadedAt = store.loadedAt(c.get("host"));
  const problems = store.problems(rollout.key);
  // The override reader looks at the same token first (header, then query),
  // and calls a debug token the wrong kind of override: not a problem here.
  const overrideProblem = c.get("override").problem;
  return c.json(
    {
      host: c.get("host"),
      rolloutKey: rollout.key,
      revision: rollout.revision,
      configState: c.get("configState"),
      // Why the key's current document is not used (stale): the validation errors.
      configProblem: problems === undefined ? null : problems.join("; "),
      configAgeSeconds: loadedAt === undefined ? null : Math.round((now() - loadedAt) / 100) / 10,
      visitor: { status: c.get("visitor").status, stickyBy: decision.stickyBy },
      bucket: decision.bucket,
      cohort: decision.cohort,
      decidedBy: decision.decidedBy,
      rule: decision.rule ?? null,
      overrideProblem: overrideProblem === "wrong_kind" ? null : (overrideProblem ?? null),
      weights: Object.fromEntries([...rollout.weights].map(([k, w]) => [k, w / 100])),
      breakers: breakers.snapshot(),
    },
    200,
    { "Cache-Control": "no-store" },
  );
}
