import type { BotSignals } from "./bots";

/**
 * What targeting rules may look at, as plain values and lookups: the pure
 * core never sees a `Request`. Header names are looked up lower-case.
 */
export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  readonly header: (lowerCaseName: string) => string | null;
  readonly cookie: (name: string) => string | undefined;
  /** ISO 3166-1 alpha-2 country from `request.cf.country`, or null. */
  readonly country: string | null;
  /** Continent code from `request.cf.continent` (AF, AN, AS, EU, NA, OC, SA), or null. */
  readonly continent: string | null;
  readonly bot: BotSignals;
}
