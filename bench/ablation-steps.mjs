// @ts-check
/**
 * The ablation's steps, in the order bench/ablation-entry.ts adds them to a bare forwarder,
 * and what each adds; the benchmark runner reads this list to start one Worker per step.
 * `aside` rows are not cumulative: they show one design choice against the router.
 */
export const ABLATION_STEPS = /** @type {const} */ ([
  {
    step: "decide",
    adds: "arrive, load rollout (isolate cache), identify visitor, decide; cohort header (and cookie) on a copy of the origin's response",
  },
  { step: "request-headers", adds: "the upstream header edits (`upstreamHeaders`)" },
  {
    step: "response-headers",
    adds: "the client header edits and cache policy (`editClientHeaders`, `applyCachePolicy`)",
  },
  { step: "timeout", adds: "the origin timeout: one `Watchdog` timer, `guard` on the fetch" },
  {
    step: "body-end",
    adds: "the end of the body (`relayBody`: first chunk read, answered whole) and the data point",
  },
]);

/** Workers measured beside the ablation, against the router itself. */
export const ABLATION_ASIDES = /** @type {const} */ ([
  {
    step: "floor",
    adds: "the contract's floor: no routing (a fixed cohort), only what any router that keeps the contract pays per request: a copy of the request headers with the cohort and forwarding headers, one timer, the body's first chunk read for its end, a copy of the response headers with the cohort header, one data point",
  },
  {
    step: "hono",
    adds: "the router behind a Hono app with three middlewares filling nine context values (the old design)",
  },
]);
