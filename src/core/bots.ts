/**
 * User-agent substrings of known bots and crawlers, matched case-insensitively.
 * A rule with `"bot": true` matches these (and requests Cloudflare Bot
 * Management marks as verified bots or scores as likely automated). The list
 * is deliberately explicit rather than a loose /bot/ pattern, so operators can
 * read exactly what is excluded; docs/rollout-document.md "Known bots" lists it (a test keeps
 * the two equal).
 */
export const BOT_USER_AGENT_TOKENS: readonly string[] = [
  "googlebot",
  "google-inspectiontool",
  "adsbot-google",
  "mediapartners-google",
  "bingbot",
  "bingpreview",
  "slurp",
  "duckduckbot",
  "baiduspider",
  "yandexbot",
  "yandex.com/bots",
  "sogou",
  "exabot",
  "facebookexternalhit",
  "facebot",
  "meta-externalagent",
  "twitterbot",
  "linkedinbot",
  "slackbot",
  "discordbot",
  "telegrambot",
  "whatsapp",
  "applebot",
  "petalbot",
  "semrushbot",
  "ahrefsbot",
  "mj12bot",
  "dotbot",
  "rogerbot",
  "screaming frog",
  "gptbot",
  "chatgpt-user",
  "oai-searchbot",
  "claudebot",
  "claude-web",
  "anthropic-ai",
  "perplexitybot",
  "ccbot",
  "bytespider",
  "amazonbot",
  "google-extended",
  "headlesschrome",
  "lighthouse",
  "pingdom",
  "uptimerobot",
  "statuscake",
];

/** Cloudflare Bot Management scores below this mean "likely automated" (1..99 scale). */
export const BOT_SCORE_THRESHOLD = 30;

/** What is known about a request for bot detection; all optional. */
export interface BotSignals {
  readonly userAgent: string | null;
  /** `request.cf.botManagement.verifiedBot`, when Bot Management is on. */
  readonly verifiedBot?: boolean | undefined;
  /** `request.cf.botManagement.score`, when Bot Management is on. */
  readonly botScore?: number | undefined;
}

/** True if the request comes from a known bot or crawler. */
export function isKnownBot(signals: BotSignals): boolean {
  if (signals.verifiedBot === true) {
    return true;
  }
  if (
    signals.botScore !== undefined &&
    signals.botScore > 0 &&
    signals.botScore < BOT_SCORE_THRESHOLD
  ) {
    return true;
  }
  const ua = signals.userAgent?.toLowerCase();
  if (ua === undefined || ua === "") {
    return false;
  }
  return BOT_USER_AGENT_TOKENS.some((token) => ua.includes(token));
}
