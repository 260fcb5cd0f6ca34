import { cookieValues } from "../core/cookie";
import type { RequestFacts } from "../core/facts";

/** Builds the plain facts targeting rules look at from a runtime `Request`. */
export function requestFacts(request: Request, url: URL): RequestFacts {
  const cf = request.cf;
  const cookieHeader = request.headers.get("cookie");
  const bot: unknown = cf?.botManagement;
  return {
    method: request.method,
    path: url.pathname,
    header: (name) => request.headers.get(name),
    cookie: (name) => cookieValues(cookieHeader, name)[0],
    country: typeof cf?.country === "string" ? cf.country.toUpperCase() : null,
    continent: typeof cf?.continent === "string" ? cf.continent.toUpperCase() : null,
    bot: {
      userAgent: request.headers.get("user-agent"),
      verifiedBot:
        typeof read(bot, "verifiedBot") === "boolean"
          ? read(bot, "verifiedBot") === true
          : undefined,
      botScore: ((score) => (typeof score === "number" ? score : undefined))(read(bot, "score")),
    },
  };
}

/** A field of an untyped object (`request.cf` shapes vary by plan), if it is present. */
function read(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null ? Reflect.get(object, key) : undefined;
}
