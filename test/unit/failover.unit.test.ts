import { describe, it, expect } from "vitest";
import { canReplay, isFailoverStatus } from "../../src/edge/failover";
import type { FailoverPolicy } from "../../src/core/options";

const POLICY: FailoverPolicy = { statuses: new Set([502, 503, 504]), maxBodyBytes: 16 };
const URL_ = "https://example.com/a";

function withBody(method: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_, { method, body, headers });
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

describe("canReplay", () => {
  for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) {
    it(`replays ${method} without a body`, () => {
      expect(canReplay(new Request(URL_, { method }), POLICY, false)).toBe(true);
    });
  }

  for (const method of ["POST", "PATCH"]) {
    it(`never replays ${method} without a body`, () => {
      expect(canReplay(new Request(URL_, { method }), POLICY, false)).toBe(false);
    });

    it(`never replays ${method} with a small body`, () => {
      expect(canReplay(withBody(method, "x", { "content-length": "1" }), POLICY, false)).toBe(
        false,
      );
    });
  }

  it("replays PUT with a Content-Length within maxBodyBytes", () => {
    expect(
      canReplay(withBody("PUT", "0123456789abcdef", { "content-length": "16" }), POLICY, false),
    ).toBe(true);
  });

  it("does not replay PUT with a Content-Length over maxBodyBytes", () => {
    expect(
      canReplay(withBody("PUT", "0123456789abcdefg", { "content-length": "17" }), POLICY, false),
    ).toBe(false);
  });

  it("does not replay PUT with a streamed body and no Content-Length", () => {
    const request = new Request(URL_, { method: "PUT", body: streamOf("small") });
    expect(request.headers.get("content-length")).toBeNull();
    expect(canReplay(request, POLICY, false)).toBe(false);
  });

  it("does not replay DELETE with a body over maxBodyBytes", () => {
    const body = "x".repeat(17);
    expect(canReplay(withBody("DELETE", body, { "content-length": "17" }), POLICY, false)).toBe(
      false,
    );
  });

  it("never replays a WebSocket upgrade", () => {
    const request = new Request(URL_, { headers: { upgrade: "websocket" } });
    expect(canReplay(request, POLICY, true)).toBe(false);
  });
});

describe("isFailoverStatus", () => {
  it("counts the policy's statuses as failures", () => {
    expect(isFailoverStatus(POLICY, 502)).toBe(true);
    expect(isFailoverStatus(POLICY, 503)).toBe(true);
    expect(isFailoverStatus(POLICY, 504)).toBe(true);
  });

  it("does not count other statuses as failures", () => {
    expect(isFailoverStatus(POLICY, 500)).toBe(false);
    expect(isFailoverStatus(POLICY, 200)).toBe(false);
    expect(isFailoverStatus(POLICY, 404)).toBe(false);
  });
});
