import type { FailoverPolicy } from "../core/options";
import { declaredLength } from "./proxy";

/** RFC 9110 §9.2.2: methods whose effect is the same however often they are sent. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/**
 * Whether a request may be replayed on `stable` if its cohort's origin fails:
 * idempotent, not a WebSocket upgrade, and with no body or a body whose
 * declared length is within the policy's limit (so it can be buffered first).
 * A body of unknown length (chunked) is never buffered, so never replayed.
 */
export function canReplay(request: Request, policy: FailoverPolicy, websocket: boolean): boolean {
  if (websocket || !IDEMPOTENT.has(request.method)) {
    return false;
  }
  if (request.body === null) {
    return true;
  }
  const length = declaredLength(request.headers);
  return length !== undefined && length <= policy.maxBodyBytes;
}

/** Whether an origin answer counts as a failure for failover. */
export function isFailoverStatus(policy: FailoverPolicy, status: number): boolean {
  return policy.statuses.has(status);
}
