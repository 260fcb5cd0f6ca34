// @ts-check
/* global fetch, Request, URL */
/**
 * The baseline: a bare pass-through Worker. Same origin, same workerd, no routing,
 * no cookie, no KV, no metrics: what any proxying Worker costs.
 */
export default {
  /** @param {Request} request @param {{ ORIGIN: string }} env */
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(new Request(env.ORIGIN + url.pathname + url.search, request));
  },
};
