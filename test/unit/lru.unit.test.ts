import { describe, expect, it } from "vitest";
import { LruMap } from "../../src/core/lru";

describe("LruMap", () => {
  it("drops the least recently used entry, counting reads of the newest entry as use", () => {
    const lru = new LruMap<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    // "a" becomes the newest, then is read again while newest: "b" stays the oldest.
    expect(lru.get("a")).toBe(1);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
  });

  it("moves a read entry to the newest place, so the other one goes first", () => {
    const lru = new LruMap<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.size).toBe(2);
    // Setting the newest key again replaces its value and evicts nothing.
    lru.set("c", 4);
    expect(lru.get("c")).toBe(4);
    expect(lru.get("a")).toBe(1);
    expect(lru.size).toBe(2);
  });
});
