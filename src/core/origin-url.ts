/** An origin a cohort is forwarded to: scheme + host + port, and a base path. */
export interface Origin {
  /** `https://v2.example.com` or `http://127.0.0.1:8701` (no trailing slash). */
  readonly origin: string;
  /** `""` or a path such as `/base`, never ending in `/`. */
  readonly basePath: string;
}

/**
 * Parses an origin URL from a rollout document. Returns the parsed origin or
 * a message saying what is wrong with it (the caller adds the field name).
 */
export function parseOriginUrl(text: string): Origin | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an absolute http: or https: URL, got ${JSON.stringify(text)}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `expected an http: or https: URL, got scheme ${JSON.stringify(url.protocol)}`;
  }
  if (url.username !== "" || url.password !== "") {
    return "must not contain credentials (user:password@)";
  }
  // `new URL` drops an empty "?" or "#", so check the raw text as well.
  if (url.search !== "" || text.includes("?")) {
    return "must not contain a query (?...)";
  }
  if (url.hash !== "" || text.includes("#")) {
    return "must not contain a fragment (#...)";
  }
  const basePath = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, basePath };
}
