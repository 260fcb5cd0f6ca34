import { describe, it, expect } from "vitest";
import { Breakers } from "../../src/edge/breaker";
import type { BreakerPolicy } from "../../src/core/options";

const POLICY: BreakerPolicy = {
  failureRate: 0.5,
  minRequests: 4,
  windowMs: 10_000,
  coolDownMs: 5_000,
  halfOpenPercent: 25,
  halfOpenSuccesses: 3,
};

/** A Breakers instance on a hand-driven clock. */
function setup(start = 1_000_000): { breakers: Breakers; clock: { t: number } } {
  const clock = { t: start };
  return { breakers: new Breakers(() => clock.t), clock };
}

function stateOf(breakers: Breakers, circuit: string): string | undefined {
  return breakers.snapshot().find((s) => s.circuit === circuit)?.state;
}

/** Records `n` results of the same kind, returning the transitions reported. */
function recordMany(
  breakers: Breakers,
  circuit: string,
  n: number,
  failed: boolean,
): (string | undefined)[] {
  const transitions: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    transitions.push(breakers.record(circuit, POLICY, failed));
  }
  return transitions;
}

/** Opens the circuit with minRequests failures. */
function open(breakers: Breakers, circuit = "k:canary"): void {
  recordMany(breakers, circuit, POLICY.minRequests, true);
}

/** Opens the circuit and waits out the cool-down, then admits once (the half-open transition). */
function halfOpen(breakers: Breakers, clock: { t: number }, circuit = "k:canary"): void {
  open(breakers, circuit);
  clock.t += POLICY.coolDownMs;
  breakers.admit(circuit, POLICY);
}

describe("Breakers", () => {
  it("admits requests to a new circuit", () => {
    const { breakers } = setup();
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: true, transition: undefined });
  });

  it("stays closed below minRequests even at 100 % failures", () => {
    const { breakers } = setup();
    const transitions = recordMany(breakers, "k:canary", POLICY.minRequests - 1, true);
    expect(transitions).toEqual([undefined, undefined, undefined]);
    expect(stateOf(breakers, "k:canary")).toBe("closed");
    expect(breakers.admit("k:canary", POLICY).allow).toBe(true);
  });

  it("opens once minRequests are reached at 100 % failures", () => {
    const { breakers } = setup();
    const transitions = recordMany(breakers, "k:canary", POLICY.minRequests, true);
    expect(transitions).toEqual([undefined, undefined, undefined, "open"]);
    expect(stateOf(breakers, "k:canary")).toBe("open");
  });

  it("opens when the failure rate reaches failureRate", () => {
    const { breakers } = setup();
    recordMany(breakers, "k:canary", 2, false);
    expect(recordMany(breakers, "k:canary", 2, true)).toEqual([undefined, "open"]);
  });

  it("stays closed while the failure rate is below failureRate", () => {
    const { breakers } = setup();
    recordMany(breakers, "k:canary", 3, false);
    expect(breakers.record("k:canary", POLICY, true)).toBeUndefined();
    expect(recordMany(breakers, "k:canary", 10, false).every((t) => t === undefined)).toBe(true);
    expect(stateOf(breakers, "k:canary")).toBe("closed");
  });

  it("diverts requests while open, until the cool-down ends", () => {
    const { breakers, clock } = setup();
    open(breakers);
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: false, transition: undefined });
    clock.t += POLICY.coolDownMs - 1;
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: false, transition: undefined });
  });

  it("goes half-open on the first admit after the cool-down", () => {
    const { breakers, clock } = setup();
    open(breakers);
    clock.t += POLICY.coolDownMs;
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: true, transition: "half_open" });
    expect(stateOf(breakers, "k:canary")).toBe("half_open");
  });

  it("lets only every Nth request through while half-open, N = round(100 / halfOpenPercent)", () => {
    const { breakers, clock } = setup();
    // The request that moves the breaker to half-open is the first of the trickle.
    halfOpen(breakers, clock);
    const n = Math.round(100 / POLICY.halfOpenPercent);
    const allowed = Array.from({ length: 10 * n }, () => breakers.admit("k:canary", POLICY).allow);
    expect(allowed.filter((a) => a)).toHaveLength(10);
    expect(allowed.slice(0, 2 * n)).toEqual([false, false, false, true, false, false, false, true]);
  });

  it("rounds N for a percentage that does not divide 100", () => {
    const { breakers, clock } = setup();
    const policy: BreakerPolicy = { ...POLICY, halfOpenPercent: 30 };
    recordMany(breakers, "k:canary", POLICY.minRequests, true);
    clock.t += POLICY.coolDownMs;
    breakers.admit("k:canary", policy);
    const allowed = Array.from({ length: 30 }, () => breakers.admit("k:canary", policy).allow);
    expect(allowed.filter((a) => a)).toHaveLength(10);
  });

  it("re-opens on one failure while half-open", () => {
    const { breakers, clock } = setup();
    halfOpen(breakers, clock);
    expect(breakers.record("k:canary", POLICY, true)).toBe("open");
    expect(stateOf(breakers, "k:canary")).toBe("open");
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: false, transition: undefined });
  });

  it("counts a new cool-down from the re-opening", () => {
    const { breakers, clock } = setup();
    halfOpen(breakers, clock);
    clock.t += 1_000;
    breakers.record("k:canary", POLICY, true);
    clock.t += POLICY.coolDownMs - 1;
    expect(breakers.admit("k:canary", POLICY).allow).toBe(false);
    clock.t += 1;
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: true, transition: "half_open" });
  });

  it("closes after halfOpenSuccesses successes while half-open", () => {
    const { breakers, clock } = setup();
    halfOpen(breakers, clock);
    expect(recordMany(breakers, "k:canary", POLICY.halfOpenSuccesses, false)).toEqual([
      undefined,
      undefined,
      "closed",
    ]);
    expect(stateOf(breakers, "k:canary")).toBe("closed");
    expect(breakers.admit("k:canary", POLICY)).toEqual({ allow: true, transition: undefined });
  });

  it("starts counting afresh after closing", () => {
    const { breakers, clock } = setup();
    halfOpen(breakers, clock);
    recordMany(breakers, "k:canary", POLICY.halfOpenSuccesses, false);
    expect(breakers.snapshot()).toEqual([
      { circuit: "k:canary", state: "closed", requests: 0, failures: 0 },
    ]);
    expect(
      recordMany(breakers, "k:canary", POLICY.minRequests - 1, true).every((t) => t === undefined),
    ).toBe(true);
  });

  it("still remembers a failure just under windowMs old", () => {
    const { breakers, clock } = setup();
    recordMany(breakers, "k:canary", POLICY.minRequests - 1, true);
    clock.t += POLICY.windowMs - 1;
    expect(breakers.record("k:canary", POLICY, true)).toBe("open");
  });

  it("forgets failures older than windowMs", () => {
    const { breakers, clock } = setup();
    recordMany(breakers, "k:canary", POLICY.minRequests - 1, true);
    clock.t += POLICY.windowMs;
    expect(breakers.record("k:canary", POLICY, true)).toBeUndefined();
    expect(breakers.snapshot()).toEqual([
      { circuit: "k:canary", state: "closed", requests: 1, failures: 1 },
    ]);
  });

  it("forgets failures after a long idle period", () => {
    const { breakers, clock } = setup();
    recordMany(breakers, "k:canary", POLICY.minRequests - 1, true);
    clock.t += 100 * POLICY.windowMs + 123;
    expect(breakers.record("k:canary", POLICY, true)).toBeUndefined();
    expect(stateOf(breakers, "k:canary")).toBe("closed");
  });

  it("keeps independent circuits per key", () => {
    const { breakers } = setup();
    open(breakers, "a:canary");
    expect(breakers.admit("a:canary", POLICY).allow).toBe(false);
    expect(breakers.admit("b:canary", POLICY).allow).toBe(true);
    expect(breakers.record("b:canary", POLICY, true)).toBeUndefined();
  });

  it("lists every circuit's state in the snapshot", () => {
    const { breakers } = setup();
    open(breakers, "a:canary");
    breakers.record("b:canary", POLICY, false);
    breakers.record("b:canary", POLICY, true);
    expect(breakers.snapshot()).toEqual([
      { circuit: "a:canary", state: "open", requests: 0, failures: 0 },
      { circuit: "b:canary", state: "closed", requests: 2, failures: 1 },
    ]);
  });

  it("has an empty snapshot before any request", () => {
    const { breakers } = setup();
    expect(breakers.snapshot()).toEqual([]);
  });
});
