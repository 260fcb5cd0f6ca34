import { toBase64Url } from "./base64url";
import { cookieValues, serializeCookie } from "./cookie";

/** Name of the router's visitor cookie. */
export const VISITOR_COOKIE = "gray_vid";

/**
 * Cookie lifetime: 400 days, the longest browsers keep a cookie (RFC 6265bis
 * caps Max-Age there). The contract asks for at least 30 days.
 */
export const VISITOR_COOKIE_MAX_AGE = 400 * 86_400;

/**
 * A cookie older than this is sent again with the same id, so an active
 * visitor never reaches the 400-day cap and changes buckets. The cookie is
 * otherwise set only when new, so cacheable responses rarely carry it.
 */
export const VISITOR_COOKIE_REFRESH_DAYS = 30;

/** Visitor ids are 128 random bits in base64url: 22 characters. */
const ID_PATTERN = "[A-Za-z0-9_-]{22}";

/**
 * Cookie value: `1.<id>.<issued day>`: a format version, the id, and the day
 * (days since the Unix epoch, base 36) the cookie was last set.
 */
const VALUE = new RegExp(`^1\\.(${ID_PATTERN})\\.([0-9a-z]{1,6})$`);
const ID = new RegExp(`^${ID_PATTERN}$`);

/** Who the visitor is, and the `Set-Cookie` to send back, if any. */
export interface Visitor {
  readonly id: string;
  /** `new`: no usable cookie; `returning`: valid cookie; `refreshed`: valid but old. */
  readonly status: "new" | "returning" | "refreshed";
  /** A full `Set-Cookie` header value, or undefined when the cookie is current. */
  readonly setCookie: string | undefined;
}

/** 128 random bits as base64url (22 characters): the default visitor id generator. */
export function randomVisitorId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** Days since the Unix epoch for a millisecond timestamp. */
export function epochDay(nowMs: number): number {
  return Math.floor(nowMs / 86_400_000);
}

/**
 * Identifies the visitor from the `Cookie` header. The first well-formed copy
 * of the cookie wins; a malformed, oversized or unknown-version value is
 * ignored (never an error) and a new id is issued in its place.
 *
 * @param newId generator for new ids; must return 22 base64url characters.
 */
export function identifyVisitor(
  cookieHeader: string | null,
  nowMs: number,
  newId: () => string,
): Visitor {
  const today = epochDay(nowMs);
  for (const value of cookieValues(cookieHeader, VISITOR_COOKIE)) {
    const match = VALUE.exec(value);
    const id = match?.[1];
    const dayText = match?.[2];
    if (id === undefined || dayText === undefined) {
      continue;
    }
    const issued = parseInt(dayText, 36);
    // A day in the future cannot come from us: re-issue it, keeping the id.
    if (issued > today || today - issued >= VISITOR_COOKIE_REFRESH_DAYS) {
      return { id, status: "refreshed", setCookie: visitorSetCookie(id, today) };
    }
    return { id, status: "returning", setCookie: undefined };
  }
  const id = newId();
  if (!ID.test(id)) {
    throw new Error("visitor id generator must return 22 base64url characters");
  }
  return { id, status: "new", setCookie: visitorSetCookie(id, today) };
}

/** The `Set-Cookie` header value for a visitor id issued on `day`. */
export function visitorSetCookie(id: string, day: number): string {
  return serializeCookie(VISITOR_COOKIE, `1.${id}.${day.toString(36)}`, {
    maxAgeSeconds: VISITOR_COOKIE_MAX_AGE,
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
  });
}
