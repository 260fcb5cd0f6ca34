import { describe, it, expect } from "vitest";
import {
  clientHeaders,
  COHORT_HEADER,
  isWebSocketUpgrade,
  upstreamHeaders,
} from "../../src/core/headers";
import type { ForwardedFacts } from "../../src/core/headers";

const FACTS: ForwardedFacts = {
  cohort: "canary",
  host: "shop.example.com:8443",
  proto: "https",
  websocket: false,
};
const WEBSOCKET: ForwardedFacts = { ...FACTS, websocket: true };

function names(headers: Headers): string[] {
  return [...headers.keys()];
}

describe("upstreamHeaders", () => {
  const HOP_BY_HOP = [
    "Connection",
    "Keep-Alive",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Proxy-Connection",
    "Proxy-Authenticate",
    "Proxy-Authorization",
  ];

  for (const name of HOP_BY_HOP) {
    it(`removes the hop-by-hop header ${name}`, () => {
      const incoming = new Headers({ [name]: "x", Accept: "text/html" });
      expect(upstreamHeaders(incoming, FACTS).has(name)).toBe(false);
    });
  }

  it("removes the headers that Connection names", () => {
    const incoming = new Headers({
      Connection: "close, X-Debug-Token , x-trace",
      "X-Debug-Token": "1",
      "X-Trace": "2",
      Accept: "*/*",
    });
    const out = upstreamHeaders(incoming, FACTS);
    expect(out.has("x-debug-token")).toBe(false);
    expect(out.has("x-trace")).toBe(false);
    expect(out.get("accept")).toBe("*/*");
  });

  it("never lets Connection remove a header the edge vouches for (CF-*, X-Forwarded-For, True-Client-IP, CDN-Loop)", () => {
    const incoming = new Headers({
      Connection: "CF-Connecting-IP, cf-ray, X-Forwarded-For, True-Client-IP, CDN-Loop, X-Trace",
      "CF-Connecting-IP": "203.0.113.7",
      "CF-Ray": "8a",
      "X-Forwarded-For": "203.0.113.7",
      "True-Client-IP": "203.0.113.7",
      "CDN-Loop": "cloudflare",
      "X-Trace": "1",
    });
    const out = upstreamHeaders(incoming, FACTS);
    for (const name of [
      "cf-connecting-ip",
      "cf-ray",
      "x-forwarded-for",
      "true-client-ip",
      "cdn-loop",
    ]) {
      expect(out.get(name), name).toBe(incoming.get(name));
    }
    expect(out.has("x-trace")).toBe(false);
  });

  it("treats _ as - in header names: underscore spellings of filtered or vouched headers are dropped", () => {
    const incoming = new Headers([
      ["X_Forwarded_Host", "evil.example"],
      ["x_forwarded_for", "6.6.6.6"],
      ["X_Gray_Cohort", "canary"],
      ["CF_Connecting_IP", "6.6.6.6"],
      ["Keep_Alive", "timeout=5"],
      ["X_Trace_Id", "kept"],
    ]);
    expect(names(upstreamHeaders(incoming, FACTS)).filter((n) => n.includes("_"))).toEqual([
      "x_trace_id",
    ]);
  });

  it("removes a client-sent X-Gray-Cohort and replaces it with the router's", () => {
    const out = upstreamHeaders(new Headers({ "X-Gray-Cohort": "stable" }), FACTS);
    expect(out.get(COHORT_HEADER)).toBe("canary");
  });

  it("removes every client-sent X-Gray-* header, whatever its case", () => {
    const incoming = new Headers([
      ["x-gray-override", "canary"],
      ["X-GRAY-DEBUG", "1"],
      ["X-Gray-Anything-Else", "1"],
    ]);
    expect(names(upstreamHeaders(incoming, FACTS)).filter((n) => n.startsWith("x-gray-"))).toEqual([
      "x-gray-cohort",
    ]);
  });

  it("keeps headers that merely contain gray in their name", () => {
    const out = upstreamHeaders(new Headers({ "X-Grayscale": "1", "Gray-Mode": "on" }), FACTS);
    expect(out.get("x-grayscale")).toBe("1");
    expect(out.get("gray-mode")).toBe("on");
  });

  it("removes Host", () => {
    expect(upstreamHeaders(new Headers({ Host: "shop.example.com" }), FACTS).has("host")).toBe(
      false,
    );
  });

  it("sets X-Gray-Cohort to the cohort", () => {
    expect(upstreamHeaders(new Headers(), FACTS).get("X-Gray-Cohort")).toBe("canary");
  });

  it("sets X-Forwarded-Host to the original Host, port included", () => {
    expect(upstreamHeaders(new Headers(), FACTS).get("X-Forwarded-Host")).toBe(
      "shop.example.com:8443",
    );
  });

  it("overrides a client-sent X-Forwarded-Host", () => {
    expect(
      upstreamHeaders(new Headers({ "X-Forwarded-Host": "evil.example" }), FACTS).get(
        "X-Forwarded-Host",
      ),
    ).toBe("shop.example.com:8443");
  });

  it("sets X-Forwarded-Proto to the original scheme", () => {
    expect(
      upstreamHeaders(new Headers({ "X-Forwarded-Proto": "ftp" }), { ...FACTS, proto: "http" }).get(
        "X-Forwarded-Proto",
      ),
    ).toBe("http");
  });

  it("leaves every other header unchanged", () => {
    const incoming = new Headers([
      ["Accept", "text/html"],
      ["Authorization", "Bearer t"],
      ["Cookie", "a=1; gray_vid=x"],
      ["Content-Type", "application/json"],
      ["Content-Length", "12"],
      ["User-Agent", "test/1"],
      ["X-Custom", "one"],
      ["X-Custom", "two"],
    ]);
    const out = upstreamHeaders(incoming, FACTS);
    for (const name of [
      "accept",
      "authorization",
      "cookie",
      "content-type",
      "content-length",
      "user-agent",
      "x-custom",
    ]) {
      expect(out.get(name), name).toBe(incoming.get(name));
    }
  });

  it("adds nothing but the three router headers", () => {
    const out = upstreamHeaders(new Headers({ Accept: "*/*" }), FACTS);
    expect(names(out).sort()).toEqual([
      "accept",
      "x-forwarded-host",
      "x-forwarded-proto",
      "x-gray-cohort",
    ]);
  });

  it("does not modify the incoming headers", () => {
    const incoming = new Headers({ Connection: "keep-alive", "X-Gray-Cohort": "x", Host: "h" });
    upstreamHeaders(incoming, FACTS);
    expect(names(incoming).sort()).toEqual(["connection", "host", "x-gray-cohort"]);
  });

  it("keeps Upgrade and Connection for a WebSocket upgrade", () => {
    const out = upstreamHeaders(
      new Headers({ Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "k" }),
      WEBSOCKET,
    );
    expect(out.get("upgrade")).toBe("websocket");
    expect(out.get("connection")).toBe("Upgrade");
    expect(out.get("sec-websocket-key")).toBe("k");
  });

  it("still removes the other hop-by-hop headers for a WebSocket upgrade", () => {
    const out = upstreamHeaders(
      new Headers({
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Keep-Alive": "timeout=5",
        TE: "trailers",
      }),
      WEBSOCKET,
    );
    expect(out.has("keep-alive")).toBe(false);
    expect(out.has("te")).toBe(false);
  });
});

describe("isWebSocketUpgrade", () => {
  it("is true for Upgrade: websocket", () => {
    expect(isWebSocketUpgrade(new Headers({ Upgrade: "websocket" }))).toBe(true);
  });

  it("ignores the case of the value", () => {
    expect(isWebSocketUpgrade(new Headers({ Upgrade: "WebSocket" }))).toBe(true);
  });

  it("is false without an Upgrade header", () => {
    expect(isWebSocketUpgrade(new Headers({ Connection: "Upgrade" }))).toBe(false);
  });

  it("is false for another protocol", () => {
    expect(isWebSocketUpgrade(new Headers({ Upgrade: "h2c" }))).toBe(false);
  });
});

describe("clientHeaders", () => {
  it("keeps every Set-Cookie as its own header", () => {
    const upstream = new Headers();
    upstream.append("Set-Cookie", "a=1; Path=/");
    upstream.append("Set-Cookie", "b=2; Path=/; HttpOnly");
    upstream.append("Set-Cookie", "c=3, with a comma; Expires=Wed, 21 Oct 2026 07:28:00 GMT");
    expect(clientHeaders(upstream, "canary", false).getSetCookie()).toEqual([
      "a=1; Path=/",
      "b=2; Path=/; HttpOnly",
      "c=3, with a comma; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
    ]);
  });

  it("sets the cohort header", () => {
    expect(clientHeaders(new Headers(), "canary", false).get(COHORT_HEADER)).toBe("canary");
  });

  it("overrides a cohort header the origin sent", () => {
    expect(
      clientHeaders(new Headers({ "X-Gray-Cohort": "stable" }), "canary", false).get(COHORT_HEADER),
    ).toBe("canary");
  });

  it("removes hop-by-hop headers", () => {
    const out = clientHeaders(
      new Headers({
        Connection: "keep-alive",
        "Keep-Alive": "timeout=5",
        "Transfer-Encoding": "chunked",
        Upgrade: "h2c",
      }),
      "stable",
      false,
    );
    expect(names(out)).toEqual(["x-gray-cohort"]);
  });

  it("removes every X-Gray-* the origin sent, in any spelling, and sets its own cohort", () => {
    const out = clientHeaders(
      new Headers([
        ["X-Gray-Failover", "1"],
        ["x-gray-cohort", "stable"],
        ["X_Gray_Debug", "secret"],
        ["X-Grayscale", "kept"],
      ]),
      "canary",
      false,
    );
    expect(names(out).sort()).toEqual(["x-gray-cohort", "x-grayscale"]);
    expect(out.get(COHORT_HEADER)).toBe("canary");
  });

  it("removes the headers the origin's Connection names", () => {
    const out = clientHeaders(
      new Headers({ Connection: "X-Internal", "X-Internal": "secret", ETag: '"v1"' }),
      "stable",
      false,
    );
    expect(out.has("x-internal")).toBe(false);
    expect(out.get("etag")).toBe('"v1"');
  });

  it("leaves the origin's other headers unchanged", () => {
    const upstream = new Headers({
      "Content-Type": "text/html",
      "Cache-Control": "no-store",
      Location: "/next",
    });
    const out = clientHeaders(upstream, "stable", false);
    expect(out.get("content-type")).toBe("text/html");
    expect(out.get("cache-control")).toBe("no-store");
    expect(out.get("location")).toBe("/next");
  });

  it("keeps Upgrade and Connection on a WebSocket handshake", () => {
    const out = clientHeaders(
      new Headers({ Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Accept": "a" }),
      "canary",
      true,
    );
    expect(out.get("upgrade")).toBe("websocket");
    expect(out.get("connection")).toBe("Upgrade");
    expect(out.get("sec-websocket-accept")).toBe("a");
  });

  it("does not modify the origin's headers", () => {
    const upstream = new Headers({ Connection: "close" });
    clientHeaders(upstream, "canary", false);
    expect(names(upstream)).toEqual(["connection"]);
  });
});
