import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { router } from "../support/harness";
import { echoSplit, everyKey, RUNS } from "./support";

/**
 * SSRF attempts in hosts, paths and query strings. Whatever the request
 * looks like, the request that reaches an origin went to the configured
 * origin of the chosen cohort (the echo origin reports its own name and the
 * Host it was sent), and its target is the cohort's base path followed by
 * the path and query exactly as the runtime parsed them: never resolved,
 * never able to climb out of the base path.
 */

/** Pieces an attacker strings together to move a request elsewhere. */
const fragment = fc.oneof(
  fc.constantFrom(
    "/",
    "//",
    "\\",
    "\\\\",
    "@",
    "evil.example",
    "evil.example:8080",
    "127.0.0.1",
    "[::1]",
    "169.254.169.254",
    "localhost",
    "user:pass@",
    "http:",
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/x",
    "\\\\evil.example\\x",
    "%2F%2F",
    "%2f%2fevil.example",
    "%5C",
    "%5c%5c",
    "%40",
    "%0D%0A",
    "%0d%0aHost:%20evil.example",
    "%00",
    "%",
    "%zz",
    "..",
    "..",
    "%2e%2e",
    "%2E%2E/",
    ".%2e",
    "%252e%252e",
    "%252F",
    ":",
    ";",
    "#",
    "?",
    "&",
    "\t",
    "\r\n",
    " ",
    "\u00e9",
    "\u{1F600}",
    "\uFF0F",
  ),
  fc.string({ maxLength: 12 }),
);

const path = fc.array(fragment, { maxLength: 10 }).map((parts) => `/${parts.join("")}`);
const query = fc.option(
  fc.array(fragment, { maxLength: 6 }).map((parts) => `?${parts.join("")}`),
  { nil: "" },
);
/** The request's own host: the router looks up its rollout, and must still send it to the configured origin. */
const host = fc.constantFrom(
  "ssrf.test",
  "127.0.0.1",
  "localhost",
  "169.254.169.254",
  "[::1]",
  "evil.example:8443",
  "metadata.google.internal",
  "xn--nxasmq6b.example",
);
/** A Host header that disagrees with the URL. */
const hostHeader = fc.option(
  fc.constantFrom(
    "evil.example",
    "127.0.0.1:22",
    "a@b.example",
    "localhost:8787",
    "169.254.169.254",
    "x".repeat(300),
  ),
  { nil: undefined },
);

describe("the upstream target", () => {
  it("is always the chosen cohort's configured origin and base path, followed by the parsed path and query", async () => {
    const split = echoSplit();
    const r = router({ kv: () => everyKey(split.doc) });
    await fc.assert(
      fc.asyncProperty(host, path, query, hostHeader, async (h, p, q, spoofedHost) => {
        let request: Request;
        try {
          request = new Request(
            `http://${h}${p}${q}`,
            spoofedHost === undefined ? {} : { headers: { Host: spoofedHost } },
          );
        } catch {
          return; // Not a URL the runtime would hand a worker.
        }
        const parsed = new URL(request.url);
        const { response, body } = await r.send(request.url, { headers: request.headers });
        expect(response.status).toBe(200);
        const cohort = response.headers.get("X-Gray-Cohort") ?? "";
        const echo = parseEcho(body);
        expect(echo.origin).toBe(cohort);
        expect(echo.headers["host"]).toBe(split.hosts[cohort]);
        const base = split.bases[cohort] ?? "?";
        expect(echo.url.startsWith(`${base}/`)).toBe(true);
        expect(echo.url).toBe(`${base}${parsed.pathname}${parsed.search}`);
        // The client's Host is reported, never used: it only ever appears as X-Forwarded-Host.
        expect(echo.headers["x-forwarded-host"]).toBe(request.headers.get("host") ?? parsed.host);
      }),
      RUNS(250),
    );
  }, 30_000);

  it.each([
    ["//evil.example/x", "/base//evil.example/x"],
    ["/\\\\evil.example\\x", "/base///evil.example/x"],
    ["/@evil.example/x", "/base/@evil.example/x"],
    ["/http://evil.example/x", "/base/http://evil.example/x"],
    ["/%2F%2Fevil.example/x", "/base/%2F%2Fevil.example/x"],
    ["/%5C%5Cevil.example", "/base/%5C%5Cevil.example"],
    ["/%40evil.example", "/base/%40evil.example"],
    ["/x%0D%0AHost:%20evil.example", "/base/x%0D%0AHost:%20evil.example"],
    ["/x\r\nHost: evil.example", "/base/xHost:%20evil.example"],
    ["/..%2f..%2fetc/passwd", "/base/..%2f..%2fetc/passwd"],
    ["/%2e%2e/%2e%2e/admin", "/base/admin"],
    ["/a/../../../../admin", "/base/admin"],
  ])("keeps %s on the origin, under the base path", async (hostile, expected) => {
    const split = echoSplit(0);
    const { response, body } = await router({ kv: () => everyKey(split.doc) }).send(
      `http://ssrf.test${hostile}`,
    );
    expect(response.status).toBe(200);
    const echo = parseEcho(body);
    expect(echo.origin).toBe("stable");
    expect(echo.headers["host"]).toBe(split.hosts["stable"]);
    expect(echo.url).toBe(expected);
  });
});
