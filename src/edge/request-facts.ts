import type { BotSignals } from "../core/bots";
import { cookieValues } from "../core/cookie";
import type { RequestFacts } from "../core/facts";

/**
 * The plain facts targeting rules look at, read from a runtime `Request` only when a rule
 * asks: a rollout without rules never touches `request.cf` or a header for them.
 */
export function requestFacts(request: Request, url: URL): RequestFacts {
  return new LazyFacts(request, url);
}

class LazyFacts implements RequestFacts {
  readonly method: string;
  readonly path: string;
  private cookieHeader: string | null | undefined;

  constructor(
    private readonly request: Request,
    url: URL,
  ) {
    this.method = request.method;
    this.path = url.pathname;
  }

  header(name: string): string | null {
    return this.request.headers.get(name);
  }

  cookie(name: string): string | undefined {
    if (this.cookieHeader === undefined) {
      this.cookieHeader = this.request.headers.get("cookie");
    }
    return cookieValues(this.cookieHeader, name)[0];
  }

  get country(): string | null {
    const country = this.request.cf?.country;
    return typeof country === "string" ? country.toUpperCase() : null;
  }

  get continent(): string | null {
    const continent = this.request.cf?.continent;
    return typeof continent === "string" ? continent.toUpperCase() : null;
  }

  get bot(): BotSignals {
    const bot: unknown = this.request.cf?.botManagement;
    const verified = read(bot, "verifiedBot");
    const score = read(bot, "score");
    return {
      userAgent: this.request.headers.get("user-agent"),
      verifiedBot: typeof verified === "boolean" ? verified : undefined,
      botScore: typeof score === "number" ? score : undefined,
    };
  }
}

/** A field of an untyped object (`request.cf` shapes vary by plan), if it is present. */
function read(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null ? Reflect.get(object, key) : undefined;
}
