/**
 * The host part of a request, as the router uses it to pick a rollout: the runtime has
 * already parsed the URL (WHATWG URL rules, which lower-case the name); what is left is
 * the fully qualified form with a trailing dot, and empty labels the parser lets through.
 */

/**
 * The KV key a hostname maps to: lower-case, without the trailing dot of a fully
 * qualified name (`shop.example.` is `shop.example`, as DNS resolves both alike).
 * Undefined when a label is empty (`shop.example..`, `shop..example`, `.example`): no
 * name resolves like that, so the request is refused rather than routed by `default`.
 */
export function hostKey(hostname: string): string | undefined {
  const lower = hostname.toLowerCase();
  const host = lower.endsWith(".") ? lower.slice(0, -1) : lower;
  if (host === "" || host.startsWith(".") || host.endsWith(".") || host.includes("..")) {
    return undefined;
  }
  return host;
}
