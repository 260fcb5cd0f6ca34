// @ts-check
/**
 * The ablation's steps, in the order bench/ablation-entry.ts adds them to a bare forwarder,
 * and what each adds; the benchmark runner reads this list to start one Worker per step.
 */
export const ABLATION_STEPS = /** @type {const} */ ([
  { step: "hono", adds: "a Hono app around a plain forwarding fetch" },
  {
    step: "decide",
    adds: "load rollout (isolate cache), identify visitor, QA override check, decide; cohort header and cookie on a copied response",
  },
  { step: "request-headers", adds: "the upstream header edits (`upstreamHeaders`)" },
  {
    step: "response-headers",
    adds: "the client header edits and cache policy (`clientHeaders`, `applyCachePolicy`)",
  },
  { step: "timeout", adds: "the origin timeout (`forward`: AbortController and timer)" },
  {
    step: "relay",
    adds: "the end-of-body relay (`relayBody` into a FixedLengthStream) and the data point",
  },
]);
