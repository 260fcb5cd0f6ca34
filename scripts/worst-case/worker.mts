/**
 * The Worker `npm run bench:worst` runs on raw workerd: the production entry
 * (src/index.ts, unchanged wiring) with a no-op Analytics Engine dataset, and
 * one measuring mode: a request with `X-Worst-Decide: N` is answered with N
 * routing decisions (request facts, then `decide` with every rule) for
 * itself, on the rollout stored for its host, instead of being proxied.
 * Bench-only; never deployed.
 */
import worker from "../../src/index";
import type { AppEnv } from "../../src/env";
import { decide } from "../../src/core/decide";
import { parseRollout } from "../../src/core/rollout";
import type { Rollout } from "../../src/core/rollout";
import { requestFacts } from "../../src/edge/request-facts";

const noDataset: AnalyticsEngineDataset = { writeDataPoint: () => undefined };
const parsed = new Map<string, Rollout>();

async function rolloutFor(env: AppEnv, host: string): Promise<Rollout> {
  const known = parsed.get(host);
  if (known !== undefined) {
    return known;
  }
  const text = (await env.ROLLOUTS.get(host, { type: "text" })) ?? "";
  const result = parseRollout(text, host);
  if (!result.ok) {
    throw new Error(`${host}: ${result.errors.join("; ")}`);
  }
  parsed.set(host, result.rollout);
  return result.rollout;
}

async function decideRoute(
  request: Request,
  env: AppEnv,
  url: URL,
  times: string,
): Promise<Response> {
  const n = Math.max(0, Math.min(100_000, Number(times) || 0));
  const rollout = await rolloutFor(env, url.hostname);
  const facts = requestFacts(request, url);
  const rules = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const decision = decide({ rollout, facts, visitorId: "worst-case-visitor-id" });
    const label = `${decision.cohort} by ${decision.decidedBy}${decision.rule === undefined ? "" : ` ${decision.rule}`}`;
    rules.set(label, (rules.get(label) ?? 0) + 1);
  }
  return Response.json({ n, decisions: Object.fromEntries(rules) });
}

export default {
  async fetch(request, env, ctx) {
    const times = request.headers.get("x-worst-decide");
    if (times !== null) {
      return decideRoute(request, env, new URL(request.url), times);
    }
    return worker.fetch(request, { ...env, METRICS: noDataset }, ctx);
  },
} satisfies ExportedHandler<AppEnv>;
