/**
 * A Map that keeps at most `max` entries, dropping the least recently used
 * (read or written) first. It relies on a Map iterating in insertion order:
 * a touched entry is moved to the end, so the first one is the oldest.
 * Hand-written (25 lines) rather than a dependency: the bundle is close to
 * its size target, and this is all the router needs.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** The key touched last (the Map's last entry), if any. */
  private newest: K | undefined;

  constructor(private readonly max: number) {}

  /** The value for `key`, which becomes the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    // The most recent entry stays where it is: a site with one host never moves it.
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  /** Stores `value` as the most recently used, dropping the least recently used past `max`. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) {
        this.entries.delete(oldest.value);
      }
    }
  }

  /** How many entries are kept. */
  get size(): number {
    return this.entries.size;
  }
}
