/**
 * Posts a decision to the rollout's webhook: JSON with a Slack-compatible
 * `text` field (Slack incoming webhooks, and the many chat tools that accept
 * the same shape, show it as the message) plus the decision itself for
 * machines. A failing webhook is logged and never blocks or changes a decision.
 */

import type { HistoryEntry } from "./history";
import type { FetchLike } from "./fetch";

/** A webhook that has not answered by then is abandoned. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** The message line: `gray-router default: promote canary 5% -> 10% (reason)`. */
export function webhookText(key: string, canary: string, entry: HistoryEntry): string {
  const dry = entry.dryRun ? "[dry run] " : "";
  const move =
    entry.from === entry.to
      ? `${canary} at ${entry.from}%`
      : `${canary} ${entry.from}% -> ${entry.to}%`;
  const kept = entry.dryRun || entry.written || entry.from === entry.to ? "" : " (not written)";
  return `gray-router ${key}: ${dry}${entry.action} ${move}${kept}: ${entry.reason}`;
}

/**
 * POSTs the decision; resolves to whether the webhook accepted it (2xx).
 * Never rejects: failures are reported through `log`.
 */
export async function postWebhook(
  url: string,
  key: string,
  canary: string,
  entry: HistoryEntry,
  fetcher: FetchLike,
  log: (message: string) => void,
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<boolean> {
  const body = JSON.stringify({
    text: webhookText(key, canary, entry),
    rollout: key,
    canary,
    decision: {
      at: entry.at,
      action: entry.action,
      code: entry.code,
      reason: entry.reason,
      dryRun: entry.dryRun,
      written: entry.written,
      from: entry.from,
      to: entry.to,
      verdict: entry.verdict,
    },
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetcher(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: controller.signal,
    });
    // Drain the body so the connection is released.
    await response.arrayBuffer();
    if (!response.ok) {
      log(`gray-router controller: ${key}: webhook answered ${response.status}; decision stands`);
      return false;
    }
    return true;
  } catch (error) {
    const why = controller.signal.aborted
      ? `no answer within ${timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error);
    log(`gray-router controller: ${key}: webhook failed (${why}); decision stands`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
