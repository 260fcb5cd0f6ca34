import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_CACHED_HOSTS, RolloutStore } from "../../src/edge/rollout-store";
import { CountingKv, putRollout, rolloutDoc } from "../support/harness";

// A wildcard route brings any number of hostnames to one isolate; every one
// of them here falls back to the `default` key of the real local KV.
// A thousand hosts means two thousand local KV reads per test: allow for a busy machine.
describe("the isolate's host cache is bounded (LRU)", { timeout: 60_000 }, () => {
  const WINDOW_SECONDS = 3600;
  const host = (i: number) => `h${i}.wildcard.test`;
  const kv = new CountingKv(env.ROLLOUTS);

  beforeAll(async () => {
    await putRollout("default", rolloutDoc(10));
  });

  async function loadAll(store: RolloutStore, from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      await store.load(kv, host(i), WINDOW_SECONDS);
    }
  }

  it("keeps no more hosts than MAX_CACHED_HOSTS", async () => {
    const store = new RolloutStore();
    await loadAll(store, 0, MAX_CACHED_HOSTS + 50);
    expect(store.cachedHosts).toBe(MAX_CACHED_HOSTS);
  });

  it("reads KV again for the least recently used host, not for a recent one", async () => {
    const store = new RolloutStore();
    await loadAll(store, 0, MAX_CACHED_HOSTS + 1);
    const reads = kv.reads;
    await store.load(kv, host(MAX_CACHED_HOSTS), WINDOW_SECONDS);
    expect(kv.reads).toBe(reads);
    // h0 was the oldest: evicted, so its host key and `default` are read again.
    await store.load(kv, host(0), WINDOW_SECONDS);
    expect(kv.reads).toBe(reads + 2);
  });

  it("keeps a host that keeps being used", async () => {
    const store = new RolloutStore();
    await loadAll(store, 0, MAX_CACHED_HOSTS);
    await store.load(kv, host(0), WINDOW_SECONDS);
    await loadAll(store, MAX_CACHED_HOSTS, MAX_CACHED_HOSTS + 10);
    const reads = kv.reads;
    await store.load(kv, host(0), WINDOW_SECONDS);
    expect(kv.reads).toBe(reads);
  });
});
