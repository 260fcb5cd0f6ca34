import type { BreakerPolicy } from "../core/options";

/** Breaker states (the classic three). */
export type BreakerState = "closed" | "open" | "half_open";

/** A state change, reported on the request that caused it (and in metrics). */
export type BreakerTransition = "open" | "half_open" | "closed";

const SLOTS = 10;

interface Circuit {
  state: BreakerState;
  /** Ring of per-slot [requests, failures] over the window. */
  readonly requests: number[];
  readonly failures: number[];
  slotStart: number;
  slot: number;
  /** The window of the policy last used, so a snapshot can age the counts. */
  windowMs: number;
  openedAt: number;
  halfOpenSeen: number;
  halfOpenSuccesses: number;
}

/** What the breaker says about one request to a cohort. */
export interface Admission {
  /** False: send this request to `stable` instead. */
  readonly allow: boolean;
  readonly transition: BreakerTransition | undefined;
}

/** A snapshot for the debug view. */
export interface CircuitSnapshot {
  readonly circuit: string;
  readonly state: BreakerState;
  readonly requests: number;
  readonly failures: number;
}

/**
 * Per-isolate circuit breakers, one per rollout key + cohort. Closed: count
 * requests and failures over a sliding window (10 slots); past `failureRate`
 * with at least `minRequests`, open. Open: divert the cohort to `stable` for
 * `coolDownMs`. Half-open: let `halfOpenPercent` of requests through; one
 * failure re-opens, `halfOpenSuccesses` successes in a row close.
 *
 * Each isolate decides alone (no shared state between isolates or locations),
 * so it reacts in seconds where a KV rollback takes up to a minute to spread,
 * but it protects only the traffic that isolate sees.
 */
export class Breakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Asks whether a request may go to the circuit's cohort. */
  admit(circuit: string, policy: BreakerPolicy): Admission {
    const c = this.get(circuit, policy);
    if (c.state === "open") {
      if (this.now() - c.openedAt < policy.coolDownMs) {
        return { allow: false, transition: undefined };
      }
      c.state = "half_open";
      // This request is the first of the trickle.
      c.halfOpenSeen = 1;
      c.halfOpenSuccesses = 0;
      return { allow: true, transition: "half_open" };
    }
    if (c.state === "half_open") {
      // Deterministic trickle: every Nth request goes through.
      const every = Math.max(1, Math.round(100 / policy.halfOpenPercent));
      const allow = c.halfOpenSeen % every === 0;
      c.halfOpenSeen++;
      return { allow, transition: undefined };
    }
    return { allow: true, transition: undefined };
  }

  /** Records the result of a request that was sent to the circuit's cohort. */
  record(circuit: string, policy: BreakerPolicy, failed: boolean): BreakerTransition | undefined {
    const c = this.get(circuit, policy);
    if (c.state === "half_open") {
      if (failed) {
        this.open(c);
        return "open";
      }
      c.halfOpenSuccesses++;
      if (c.halfOpenSuccesses >= policy.halfOpenSuccesses) {
        c.state = "closed";
        c.requests.fill(0);
        c.failures.fill(0);
        return "closed";
      }
      return undefined;
    }
    if (c.state === "open") {
      return undefined;
    }
    this.rotate(c, policy);
    c.requests[c.slot] = (c.requests[c.slot] ?? 0) + 1;
    if (failed) {
      c.failures[c.slot] = (c.failures[c.slot] ?? 0) + 1;
    }
    const requests = sum(c.requests);
    if (requests >= policy.minRequests && sum(c.failures) / requests >= policy.failureRate) {
      this.open(c);
      return "open";
    }
    return undefined;
  }

  /** Current state of every circuit this isolate knows. */
  snapshot(): CircuitSnapshot[] {
    return [...this.circuits].map(([circuit, c]) => {
      this.rotate(c, c);
      return {
        circuit,
        state: c.state,
        requests: sum(c.requests),
        failures: sum(c.failures),
      };
    });
  }

  private open(c: Circuit): void {
    c.state = "open";
    c.openedAt = this.now();
    c.requests.fill(0);
    c.failures.fill(0);
  }

  private get(circuit: string, policy: BreakerPolicy): Circuit {
    let c = this.circuits.get(circuit);
    if (c === undefined) {
      c = {
        state: "closed",
        requests: new Array<number>(SLOTS).fill(0),
        failures: new Array<number>(SLOTS).fill(0),
        slotStart: this.now(),
        slot: 0,
        windowMs: policy.windowMs,
        openedAt: 0,
        halfOpenSeen: 0,
        halfOpenSuccesses: 0,
      };
      this.circuits.set(circuit, c);
    }
    this.rotate(c, policy);
    return c;
  }

  /** Advances the ring to the current slot, clearing slots that fell out of the window. */
  private rotate(c: Circuit, policy: Pick<BreakerPolicy, "windowMs">): void {
    c.windowMs = policy.windowMs;
    const slotMs = policy.windowMs / SLOTS;
    const elapsed = Math.floor((this.now() - c.slotStart) / slotMs);
    if (elapsed <= 0) {
      return;
    }
    for (let i = 1; i <= Math.min(elapsed, SLOTS); i++) {
      const index = (c.slot + i) % SLOTS;
      c.requests[index] = 0;
      c.failures[index] = 0;
    }
    c.slot = (c.slot + elapsed) % SLOTS;
    c.slotStart += elapsed * slotMs;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}
