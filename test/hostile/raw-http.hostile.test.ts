import { describe, expect, it } from "vitest";
import { rawPoints, rawRequest } from "../support/raw";
import type { RawResponse } from "../support/raw";

/**
 * Requests as bytes on the wire, to the router in a real workerd
 * (test/node/raw-router.ts): what no `Request` object can hold. Issue 11's
 * findings that need them.
 */

let tags = 0;
/** A tag of its own for each request, so its data points can be found. */
const tag = (name: string): string => `${name}-${++tags}`;

/** The router's own one-line answer: plain text, never cached, nothing internal. */
function expectOneLine(response: RawResponse, status: number): void {
  expect(response.status).toBe(status);
  const header = (name: string): string | undefined =>
    response.headers.find(([n]) => n === name)?.[1];
  expect(header("content-type")).toMatch(/^text\/plain/);
  expect(header("cache-control")).toBe("no-store");
  expect(response.body).toMatch(/^gray-router: \S[^\r\n]*$/);
  expect(response.body).not.toMatch(/internal error|\bat .*:\d+:\d+/);
}

describe("a Host that is not a host name (issue 11 item 7)", () => {
  it.each([
    ["two Host headers", ["Host: a.test", "Host: b.test"]],
    ["a space", ["Host: a b"]],
    ["an unclosed IPv6 bracket", ["Host: [::1"]],
    ["an IPv4 address out of range", ["Host: 1.2.3.256"]],
    ["an empty label", ["Host: shop..example"]],
  ])(
    "%s: 400 with a one-line reason and exactly one bad_request data point",
    async (_what, hostLines) => {
      const t = tag("host");
      const response = await rawRequest(["GET /x HTTP/1.1", ...hostLines], t);
      expectOneLine(response, 400);
      expect(response.body).toMatch(/^gray-router: the request's host name is not valid/);
      const points = await rawPoints(t);
      expect(points).toHaveLength(1);
      expect(points[0]).toMatchObject({ outcome: "bad_request", cohort: "", status: 0 });
    },
  );
});

describe("a GET or HEAD with a body (issue 11 item 3)", () => {
  it.each([
    ["GET with a Content-Length", ["GET /x HTTP/1.1", "Content-Length: 5"], "hello"],
    ["GET chunked", ["GET /x HTTP/1.1", "Transfer-Encoding: chunked"], "5\r\nhello\r\n0\r\n\r\n"],
    ["HEAD with a Content-Length", ["HEAD /x HTTP/1.1", "Content-Length: 5"], "hello"],
  ])(
    "%s: 400 bad_request before any routing, the origin never asked",
    async (_what, lines, body) => {
      const t = tag("body");
      const response = await rawRequest([...lines, "Host: raw.test"], t, body);
      expect(response.status).toBe(400);
      if (!lines[0]?.startsWith("HEAD")) {
        expectOneLine(response, 400);
        expect(response.body).toMatch(/^gray-router: a (GET|HEAD) request must not have a body$/);
      }
      expect(await rawPoints(t)).toMatchObject([
        { rolloutKey: "raw.test", host: "raw.test", outcome: "bad_request", cohort: "", status: 0 },
      ]);
    },
  );

  it("a GET with Content-Length: 0 has no body: forwarded as usual", async () => {
    const t = tag("cl0");
    const response = await rawRequest(
      ["GET /x HTTP/1.1", "Host: raw.test", "Content-Length: 0"],
      t,
    );
    expect(response.status).toBe(200);
    expect(await rawPoints(t)).toMatchObject([{ outcome: "ok", status: 200 }]);
  });
});

describe("a trailing dot in the Host, as workerd delivers it (issue 11 item 6)", () => {
  it.each([["dot.test."], ["dot.test.:80"]])("%s uses the KV key dot.test", async (host) => {
    const t = tag("dot");
    const response = await rawRequest(["GET /x HTTP/1.1", `Host: ${host}`], t);
    expect(response.status).toBe(200);
    expect(await rawPoints(t)).toMatchObject([{ rolloutKey: "dot.test", host: "dot.test" }]);
  });
});
