import { describe, expect, it } from "vitest";
import { collectorUrl } from "../../src/core/local-collector";

describe("LOCAL_COLLECTOR_URL", () => {
  it("is off when unset or empty", () => {
    expect(collectorUrl(undefined)).toBeNull();
    expect(collectorUrl("")).toBeNull();
  });

  it("takes plain http on this machine, without a trailing slash", () => {
    expect(collectorUrl("http://127.0.0.1:8703")).toBe("http://127.0.0.1:8703");
    expect(collectorUrl("http://localhost:8703/")).toBe("http://localhost:8703");
    expect(collectorUrl("http://[::1]:9000/base/")).toBe("http://[::1]:9000/base");
  });

  it("ignores anything that could send data off the machine, or is not a URL", () => {
    for (const value of [
      "https://127.0.0.1:8703",
      "http://collector.example.com",
      "http://10.0.0.2:8703",
      "http://user:pw@127.0.0.1:8703",
      "127.0.0.1:8703",
      "not a url",
    ]) {
      expect(collectorUrl(value), value).toBeNull();
    }
  });
});
