/**
 * The one timer of a request's exchange with an origin: the time runs out when nothing
 * has happened for `ms`. Progress (an upload chunk from the client, a response chunk from
 * the origin) only moves a deadline, so an exchange costs one timer however many chunks
 * it has; the timer re-arms itself for the time left when it fires early.
 *
 * What running out means depends on the phase, and the phase says it with `onExpiry`:
 * while waiting for the response headers, `guard` rejects the wait; while relaying a body,
 * the relay cancels its read. No AbortController is needed on the way (the runtime drops a
 * subrequest nobody waits for when the request ends), which keeps the common request
 * cheaper.
 *
 * It runs on the runtime's clock, as `setTimeout` does, never on an injected one: a test
 * that freezes the router's clock must not freeze its timeouts.
 */
export class Watchdog {
  /** True once the time ran out. */
  expired = false;
  private deadline: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private action: ((reason: Error) => void) | undefined;

  constructor(
    /** The allowed silence, in ms. */
    readonly ms: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.deadline = clock() + ms;
    this.timer = setTimeout(() => this.check(), ms);
  }

  /** Something happened: the allowed silence starts again. */
  touch(): void {
    this.deadline = this.clock() + this.ms;
  }

  /** What to do if the time runs out from now on (replaces the previous action). */
  onExpiry(action: (reason: Error) => void): void {
    this.action = action;
  }

  /** `promise`'s outcome, or a rejection if the time runs out first. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.action = reject;
      promise.then(resolve, reject);
    });
  }

  /** The exchange is over (or no longer timed): the timer is cleared. */
  stop(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.action = undefined;
  }

  private check(): void {
    const left = this.deadline - this.clock();
    if (left > 0) {
      this.timer = setTimeout(() => this.check(), left);
      return;
    }
    this.timer = undefined;
    this.expired = true;
    const action = this.action;
    this.action = undefined;
    action?.(new Error(`nothing happened for ${this.ms} ms`));
  }
}
