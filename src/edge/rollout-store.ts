import { KV_CACHE_TTL_SECONDS } from "../core/kv-limits";
import { lastValidKey } from "../core/last-valid-key";
import { LruMap } from "../core/lru";
import { parseRollout } from "../core/rollout";
import type { ParseResult, Rollout } from "../core/rollout";

/** The KV key read when the request's hostname has no rollout of its own. */
export const DEFAULT_KEY = "default";

/**
 * How long a KV read may take before it counts as unreadable (ms). Hot reads
 * take a few ms and cold ones tens; past this the request is better served by
 * the last valid rollout (or a clear 503) than by waiting.
 */
export const KV_TIMEOUT_MS = 2_000;

/**
 * Hosts whose rollout an isolate keeps (LRU). A wildcard route can bring any
 * number of hostnames; each cached host costs about half a kilobyte and, when
 * evicted, two KV reads on its next request. The last valid rollouts are kept
 * per KV key, not per host, so they stay bounded by the namespace.
 */
export const MAX_CACHED_HOSTS = 1_000;

/** The slice of `KVNamespace` the store uses. */
export interface KvReader {
  get(key: string, options: { type: "text"; cacheTtl: number }): Promise<string | null>;
}

/** What the router should do with a request, as far as configuration goes. */
export type LoadResult =
  | {
      readonly ok: true;
      readonly rollout: Rollout;
      /** `stale`: the current document is missing, unreadable or invalid; this is the last valid one. */
      readonly state: "fresh" | "stale";
    }
  | {
      readonly ok: false;
      /** KV key(s) looked up, for metrics. */
      readonly key: string;
      /** One line for the 503 body: names the host and the key(s). */
      readonly reason: string;
    };

/** Options of a `RolloutStore`; every one has a production default. */
export interface RolloutStoreOptions {
  readonly now?: () => number;
  readonly log?: (message: string) => void;
  readonly kvTimeoutMs?: number;
}

type Read =
  | { readonly kind: "found"; readonly key: string; readonly text: string }
  | { readonly kind: "missing" }
  | { readonly kind: "unreadable"; readonly error: string };

interface CacheEntry {
  readonly loadedAt: number;
  readonly result: LoadResult;
}

/** What an isolate remembers about a host. */
interface HostEntry {
  /** The rollout loaded for it, if within the cache window. */
  readonly cached?: CacheEntry;
  /** KV key last used for it: where to look for a fallback when KV is down. */
  readonly key?: string;
}

/**
 * Loads rollouts from KV for one isolate: host key first, then `default`
 * (the key that exists is the one used), with an isolate cache of
 * `CONFIG_CACHE_SECONDS`, one shared in-flight read per host, and the last
 * valid rollout per KV key to fall back on: the last one this isolate saw,
 * else the controller's copy in `<key>::last-valid`.
 */
export class RolloutStore {
  /** Per host, the cached rollout and the key last used; the MAX_CACHED_HOSTS most recent hosts. */
  private readonly hosts = new LruMap<string, HostEntry>(MAX_CACHED_HOSTS);
  private readonly inflight = new Map<string, Promise<LoadResult>>();
  private readonly lastValid = new Map<string, Rollout>();
  /** Last text parsed per key, so an unchanged document is not parsed again. */
  private readonly parsed = new Map<
    string,
    { readonly text: string; readonly result: ParseResult }
  >();
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly kvTimeoutMs: number;

  constructor(options: RolloutStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.warn(message));
    this.kvTimeoutMs = options.kvTimeoutMs ?? KV_TIMEOUT_MS;
  }

  /**
   * The rollout for `host` (lower case, no port): at once from the isolate cache, else a
   * promise of the KV read. Never throws and never rejects: every failure becomes a stale
   * rollout or a reason for a 503.
   */
  load(kv: KvReader, host: string, cacheSeconds: number): LoadResult | Promise<LoadResult> {
    const cached = this.hosts.get(host)?.cached;
    if (cached !== undefined && this.now() - cached.loadedAt < cacheSeconds * 1000) {
      // Within the cache window (nearly every request): answered at once, no promise.
      return cached.result;
    }
    return this.loadFromKv(kv, host);
  }

  /** `load` past the cache window: one shared KV read per host, then cached. */
  private async loadFromKv(kv: KvReader, host: string): Promise<LoadResult> {
    const pending = this.inflight.get(host);
    if (pending !== undefined) {
      // Another request of this isolate is reading already; share its result.
      // The timeout guards against that request being cancelled mid-read.
      const shared = await withTimeout(pending, this.kvTimeoutMs + 100);
      if (shared !== undefined) {
        return shared;
      }
    }
    const read = this.refresh(kv, host);
    this.inflight.set(host, read);
    try {
      const result = await read;
      const known = this.hosts.get(host);
      this.hosts.set(host, { ...known, cached: { loadedAt: this.now(), result } });
      return result;
    } finally {
      if (this.inflight.get(host) === read) {
        this.inflight.delete(host);
      }
    }
  }

  /** When the host's cached rollout was loaded (ms), for the debug view. */
  loadedAt(host: string): number | undefined {
    return this.hosts.get(host)?.cached?.loadedAt;
  }

  /** Hosts this isolate keeps (at most MAX_CACHED_HOSTS), for tests and the debug view. */
  get cachedHosts(): number {
    return this.hosts.size;
  }

  private async refresh(kv: KvReader, host: string): Promise<LoadResult> {
    const read = await this.read(kv, host);
    if (read.kind === "found") {
      this.hosts.set(host, { ...this.hosts.get(host), key: read.key });
      const parsed = this.parse(read.key, read.text);
      if (parsed.ok) {
        this.lastValid.set(read.key, parsed.rollout);
        return { ok: true, rollout: parsed.rollout, state: "fresh" };
      }
      const invalid = `KV key "${read.key}" holds an invalid rollout (see the worker logs)`;
      // Name every key looked up: the host's own was missing when `default` was read.
      const why = read.key === host ? invalid : `KV key "${host}" is missing and ${invalid}`;
      await this.recallCopy(kv, read.key);
      return this.fallback(read.key, () => why, host);
    }
    const keys = lookedUp(host);
    const previous = this.hosts.get(host)?.key;
    const why =
      read.kind === "missing"
        ? `no rollout: KV keys ${keys} are missing`
        : `could not read KV keys ${keys} (${read.error})`;
    if (read.kind === "unreadable") {
      this.log(`gray-router: host "${host}": ${why}`);
    }
    if (previous !== undefined) {
      return this.fallback(previous, () => why, host);
    }
    return { ok: false, key: host, reason: `gray-router: host "${host}": ${why}` };
  }

  private fallback(key: string, why: () => string, host: string): LoadResult {
    const last = this.lastValid.get(key);
    if (last !== undefined) {
      return { ok: true, rollout: last, state: "stale" };
    }
    return {
      ok: false,
      key,
      reason: `gray-router: host "${host}": ${why()}; no earlier valid rollout`,
    };
  }

  /**
   * With no valid version of `key` in this isolate (it started after the
   * document broke), takes the controller's copy of the last valid one from
   * KV (`<key>::last-valid`). A copy that cannot be read or is not valid
   * changes nothing: the request gets the 503.
   */
  private async recallCopy(kv: KvReader, key: string): Promise<void> {
    if (this.lastValid.has(key)) {
      return;
    }
    const copyKey = lastValidKey(key);
    try {
      const text = await this.get(kv, copyKey);
      const copy = text === null ? undefined : this.parse(copyKey, text, key);
      if (copy?.ok === true) {
        this.lastValid.set(key, copy.rollout);
      }
    } catch (error) {
      this.log(
        `gray-router: could not read KV key "${copyKey}": ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The problems of the text last read for `key`, or undefined when it was valid (or never read). */
  problems(key: string): readonly string[] | undefined {
    const last = this.parsed.get(key)?.result;
    return last === undefined || last.ok ? undefined : last.errors;
  }

  /**
   * Parses `text` read from KV key `from` as the rollout of `key` (the same
   * key, or the rollout a last valid copy belongs to: the salt defaults to
   * it). An unchanged text is not parsed again.
   */
  private parse(from: string, text: string, key: string = from): ParseResult {
    const previous = this.parsed.get(from);
    if (previous !== undefined && previous.text === text) {
      return previous.result;
    }
    const result = parseRollout(text, key);
    this.parsed.set(from, { text, result });
    if (!result.ok) {
      this.log(
        `gray-router: KV key "${from}" holds an invalid rollout: ${result.errors.join("; ")}`,
      );
    }
    return result;
  }

  private async read(kv: KvReader, host: string): Promise<Read> {
    try {
      const own = await this.get(kv, host);
      if (own !== null) {
        return { kind: "found", key: host, text: own };
      }
      if (host === DEFAULT_KEY) {
        return { kind: "missing" };
      }
      const fallback = await this.get(kv, DEFAULT_KEY);
      return fallback === null
        ? { kind: "missing" }
        : { kind: "found", key: DEFAULT_KEY, text: fallback };
    } catch (error) {
      return { kind: "unreadable", error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async get(kv: KvReader, key: string): Promise<string | null> {
    const value = await withTimeout(
      kv.get(key, { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
      this.kvTimeoutMs,
    );
    if (value === undefined) {
      throw new Error(`KV read timed out after ${this.kvTimeoutMs} ms`);
    }
    return value;
  }
}

function lookedUp(host: string): string {
  return host === DEFAULT_KEY ? `"${DEFAULT_KEY}"` : `"${host}" and "${DEFAULT_KEY}"`;
}

/** Resolves to the promise's value, or `undefined` if it takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
  }
}
