/**
 * Returns the values of every cookie named `name` in a `Cookie` request
 * header, in the order sent (RFC 6265 §5.4: longer paths first, so the most
 * specific copy comes first). Names are compared exactly; a pair without `=`
 * is skipped. Values are returned raw (the router's own values never need
 * decoding).
 */
export function cookieValues(header: string | null, name: string): string[] {
  if (header === null || header === "") {
    return [];
  }
  const values: string[] = [];
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1) {
      continue;
    }
    if (pair.slice(0, eq).trim() === name) {
      values.push(pair.slice(eq + 1).trim());
    }
  }
  return values;
}

/** Attributes of a `Set-Cookie` header the router writes. */
export interface CookieAttributes {
  readonly maxAgeSeconds: number;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: "Lax" | "Strict" | "None";
}

/**
 * Serializes a `Set-Cookie` value. `name` and `value` must already be cookie
 * tokens (the router only writes base64url and dots), so nothing is encoded.
 */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Max-Age=${attrs.maxAgeSeconds}`, `Path=${attrs.path}`];
  if (attrs.secure) {
    parts.push("Secure");
  }
  if (attrs.httpOnly) {
    parts.push("HttpOnly");
  }
  parts.push(`SameSite=${attrs.sameSite}`);
  return parts.join("; ");
}
