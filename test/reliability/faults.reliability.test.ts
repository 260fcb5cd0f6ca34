import { describe, expect, inject, it } from "vitest";
import { parseEcho } from "../support/echo";
import { origins, router } from "../support/harness";
import {
  expectPointAgrees,
  expectRouterAnswer,
  faultyOrigin,
  isPattern,
  MemoryKv,
  onlyStable,
  patternStream,
  points,
  readBody,
  settle,
} from "./support";

/**
 * One faulty origin per behaviour (test/node/faulty-origin.ts). Every case
 * checks what the client gets, that the router never answers 500 (or its
 * masked "internal error" 503) for an origin's failure, that the request ends
 * with exactly one data point, and that the data point agrees with what the
 * client saw: a body is byte-exact, or the client's read rejects.
 */

const HOST = "faulty.test";

/**
 * A router whose every request goes to the faulty origin. The default
 * timeout is generous so that a loaded machine never turns an expected answer
 * into a 504; tests about timeouts pass their own.
 */
function faultyRouter(timeoutSeconds = "3") {
  const kv = new MemoryKv({
    [HOST]: onlyStable(faultyOrigin()),
    "down.test": onlyStable(origins().down),
  });
  return router({ kv: () => kv, vars: { ORIGIN_TIMEOUT_SECONDS: timeoutSeconds } });
}

const originHost = (): string => new URL(faultyOrigin()).host;

describe("an origin that fails before answering", () => {
  it("refuses connections: 502 naming the cohort, origin_error, status 0", async () => {
    const r = faultyRouter();
    const { response, body } = await r.send("http://down.test/x");
    expectRouterAnswer(response, body, 502, new URL(origins().down).host);
    expect(body).toMatch(/^gray-router: the "stable" origin could not be reached: /);
    expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
    expect(points(r.dataset)).toMatchObject([
      { cohort: "stable", outcome: "origin_error", status: 0, bytes: 0 },
    ]);
  });

  it("reads the request and never answers: 504 at ORIGIN_TIMEOUT_SECONDS, timeout", async () => {
    const r = faultyRouter("0.3");
    const started = Date.now();
    const { response, body } = await r.send(`http://${HOST}/hang`);
    const took = Date.now() - started;
    expectRouterAnswer(response, body, 504, originHost());
    expect(body).toBe('gray-router: the "stable" origin timed out: no response within 300 ms');
    expect(took).toBeGreaterThanOrEqual(290);
    const [point] = points(r.dataset);
    expect(point).toMatchObject({ outcome: "timeout", status: 0 });
    expect(point?.ttfbMs).toBeGreaterThanOrEqual(290);
    expect(r.dataset.points).toHaveLength(1);
  });

  it("resets the connection while reading a 10 MB upload: 502, origin_error", async () => {
    const r = faultyRouter();
    const { response, body } = await r.send(`http://${HOST}/consume-then-reset?after=1000000`, {
      method: "POST",
      body: patternStream(10 * 1024 * 1024),
    });
    expectRouterAnswer(response, body, 502, originHost());
    expect(points(r.dataset)).toMatchObject([{ outcome: "origin_error", status: 0 }]);
  });
});

describe("an origin whose body breaks after the headers", () => {
  it.each([
    ["reset, with a Content-Length", "/reset?bytes=1000&length=5000", "5000"],
    ["reset, chunked", "/reset?bytes=1000", null],
    ["clean close before the last chunk (chunked)", "/fin?bytes=1000", null],
    ["reset short of its Content-Length", "/shorter?declared=2000&actual=1000&then=rst", "2000"],
  ])(
    "%s: the client's read rejects after the bytes that came, stream_error",
    async (_what, path, length) => {
      const r = faultyRouter();
      const { response, ctx } = await r.open(`http://${HOST}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Length")).toBe(length);
      const read = await readBody(response);
      expect(read.kind).toBe("error");
      // What did arrive is the origin's bytes, in order.
      expect(read.bytes.byteLength).toBeLessThanOrEqual(1000);
      expect(isPattern(read.bytes)).toBe(true);
      expect(await settle(ctx)).toBe("settled");
      expect(r.dataset.points).toHaveLength(1);
      expectPointAgrees(response, read, points(r.dataset)[0]);
      expect(points(r.dataset)[0]?.bytes).toBe(1000);
    },
  );

  it.each([
    ["headers, 100 bytes, then silence", "/silence?bytes=100"],
    ["headers, no body, then silence", "/silence"],
  ])(
    "%s (no length): the body stays open; the client gives up: client_abort",
    async (_what, path) => {
      // A body without a length may be a quiet event stream: no body timeout applies.
      const r = faultyRouter("0.2");
      const { response, ctx } = await r.open(`http://${HOST}${path}`);
      expect(response.status).toBe(200);
      const read = await readBody(response, 600);
      expect(read.kind).toBe("stalled");
      expect(isPattern(read.bytes)).toBe(true);
      expect(await settle(ctx)).toBe("settled");
      expect(r.dataset.points).toHaveLength(1);
      expectPointAgrees(response, read, points(r.dataset)[0]);
    },
  );

  it("sends 50 of 100 declared bytes, then silence: the client sees an error or gives up, and exactly one data point follows", async () => {
    const r = faultyRouter("0.2");
    const { response, ctx } = await r.open(
      `http://${HOST}/shorter?declared=100&actual=50&then=hang`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Length")).toBe("100");
    const read = await readBody(response, 600);
    expect(read.kind).not.toBe("complete");
    expect(isPattern(read.bytes)).toBe(true);
    expect(await settle(ctx)).toBe("settled");
    expect(r.dataset.points).toHaveLength(1);
    expectPointAgrees(response, read, points(r.dataset)[0]);
  });

  it("gives up a declared-length body after ORIGIN_TIMEOUT_SECONDS of silence: the client's read fails, outcome stream_error", async () => {
    const r = faultyRouter("0.1");
    const { response, ctx } = await r.open(
      `http://${HOST}/shorter?declared=100&actual=50&then=hang`,
    );
    // Waits up to 2 s for a byte: far longer than the 0.1 s idle limit, so only the limit ends it.
    const read = await readBody(response, 2_000);
    expect(read.kind).toBe("error");
    expect(await settle(ctx)).toBe("settled");
    expect(points(r.dataset)[0]?.outcome).toBe("stream_error");
  });

  it("records nothing while a silent body is still open: the one data point comes at its end", async () => {
    const r = faultyRouter();
    const { response, ctx } = await r.open(`http://${HOST}/silence?bytes=10`);
    const reader = response.body?.getReader();
    expect(reader).toBeDefined();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.dataset.points).toHaveLength(0);
    await reader?.cancel("done waiting");
    expect(await settle(ctx)).toBe("settled");
    expect(points(r.dataset)).toMatchObject([{ outcome: "client_abort", bytes: 10 }]);
  });
});

describe("an origin that is slow or frames its body oddly", () => {
  it.each([
    ["with a Content-Length", "&length=1", "25"],
    ["chunked", "", null],
  ])(
    "trickles 25 bytes 60 ms apart (%s): all arrive, ok, duration covers the trickle",
    async (_what, query, length) => {
      // The whole body takes ~1.5 s, longer than the origin timeout: only the headers are timed.
      const r = faultyRouter("1");
      const { response, ctx } = await r.open(`http://${HOST}/trickle?n=25&gap=60${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Length")).toBe(length);
      const read = await readBody(response);
      expect(read.kind).toBe("complete");
      expect(isPattern(read.bytes)).toBe(true);
      expect(read.bytes.byteLength).toBe(25);
      expect(await settle(ctx)).toBe("settled");
      const [point] = points(r.dataset);
      expectPointAgrees(response, read, point);
      // The body's 24 gaps come after the headers: ttfb is taken at the
      // headers, the duration at the last byte.
      expect(point?.durationMs).toBeGreaterThanOrEqual(1_400);
      expect((point?.durationMs ?? 0) - (point?.ttfbMs ?? 0)).toBeGreaterThanOrEqual(1_300);
    },
  );

  it("sends more bytes than its Content-Length: the client gets exactly the declared bytes, ok", async () => {
    const r = faultyRouter();
    const { response, ctx } = await r.open(`http://${HOST}/longer?declared=100&actual=150`);
    expect(response.headers.get("Content-Length")).toBe("100");
    const read = await readBody(response);
    expect(read.kind).toBe("complete");
    expect(read.bytes.byteLength).toBe(100);
    expect(isPattern(read.bytes)).toBe(true);
    expect(await settle(ctx)).toBe("settled");
    expectPointAgrees(response, read, points(r.dataset)[0]);
  });

  it("answers a 10 MB upload early without reading it: the client gets that answer or a clear error", async () => {
    const r = faultyRouter();
    const { response, ctx } = await r.open(`http://${HOST}/early/413`, {
      method: "POST",
      body: patternStream(10 * 1024 * 1024),
    });
    expect([413, 502]).toContain(response.status);
    const read = await readBody(response);
    expect(await settle(ctx)).toBe("settled");
    expect(r.dataset.points).toHaveLength(1);
    if (response.status === 413) {
      if (read.kind === "complete") {
        expect(new TextDecoder().decode(read.bytes)).toBe("early 413");
      }
      expectPointAgrees(response, read, points(r.dataset)[0]);
    } else {
      expect(points(r.dataset)[0]?.outcome).toBe("origin_error");
    }
  });
});

describe("a request body that breaks on the client's side", () => {
  const total = 4 * 1024 * 1024;
  const brokenAt = 1024 * 1024;

  it.each([
    [
      "chunked (no length)",
      (): { body: ReadableStream<Uint8Array>; headers: Record<string, string> } => ({
        body: patternStream(total, brokenAt),
        headers: {},
      }),
    ],
    [
      "with a Content-Length",
      (): { body: ReadableStream<Uint8Array>; headers: Record<string, string> } => {
        const fixed = new FixedLengthStream(total);
        patternStream(total, brokenAt)
          .pipeTo(fixed.writable)
          .catch(() => undefined);
        return { body: fixed.readable, headers: { "Content-Length": String(total) } };
      },
    ],
  ])("%s: never reaches the origin as a complete (truncated) upload", async (_what, upload) => {
    const r = faultyRouter();
    const { body, headers } = upload();
    const { response, ctx } = await r.open(`http://${HOST}/upload`, {
      method: "POST",
      body,
      headers,
    });
    const read = await readBody(response);
    expect(await settle(ctx)).toBe("settled");
    expect(r.dataset.points).toHaveLength(1);
    if (response.status === 200 && read.kind === "complete") {
      // The origin answered: it must have seen every byte, not the first MiB as a whole upload.
      const echo = parseEcho(new TextDecoder().decode(read.bytes));
      expect(echo.bodyLength).toBe(total);
    }
    // The cohort did nothing wrong, but the exchange did not succeed either.
    expect(points(r.dataset)[0]?.outcome).not.toBe("ok");
    expect(response.status).not.toBe(500);
  });

  it("chunked: the origin's request is aborted and the client gets 400, recorded client_abort", async () => {
    const r = faultyRouter();
    const { response, ctx } = await r.open(`http://${HOST}/upload`, {
      method: "POST",
      body: patternStream(total, brokenAt),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/did not get the whole request body/);
    expect(await settle(ctx)).toBe("settled");
    expect(points(r.dataset)[0]?.outcome).toBe("client_abort");
  });
});

/**
 * Raw responses (see RAW in test/node/faulty-origin.ts). `rejected`: the
 * runtime cannot parse it, so the client gets the router's 502. `passes`:
 * valid if unusual HTTP/1.1, passed through. `either`: the client gets the
 * origin's answer whole, or a clear failure, and the data point says which.
 */
const RAW_CASES: readonly (readonly [string, "rejected" | "passes" | "either"])[] = [
  ["bad-status-text", "rejected"],
  ["bad-status-code", "rejected"],
  ["status-99", "rejected"],
  ["garbage", "rejected"],
  ["not-http", "rejected"],
  ["empty", "rejected"],
  ["http-0.9", "rejected"],
  ["no-blank-line", "rejected"],
  ["header-without-colon", "rejected"],
  ["bad-content-length", "rejected"],
  ["negative-content-length", "rejected"],
  ["conflicting-content-length", "rejected"],
  ["nul-in-header", "rejected"],
  ["bad-chunk-size", "either"],
  ["content-length-and-chunked", "either"],
  // A status the Fetch API cannot hold in a Response (outside 200..599), and a
  // 101 to a request that asked for no upgrade: the router must say the origin
  // misbehaved (502), not fail itself.
  ["status-999", "rejected"],
  ["status-600", "rejected"],
  ["switching-protocols", "rejected"],
  ["bare-lf", "passes"],
  ["informational-then-final", "passes"],
  ["close-delimited", "passes"],
  ["http-1.0", "passes"],
  ["huge-header", "passes"],
  ["no-content-with-body", "passes"],
];

describe("an origin that writes malformed HTTP", () => {
  it.each(RAW_CASES)("%s: %s", async (rawCase, expected) => {
    // Each case has an origin (and so a connection) of its own: see startRawOrigins.
    const origin = `http://127.0.0.1:${inject("rawPorts")[rawCase] ?? 0}`;
    const kv = new MemoryKv({ [HOST]: onlyStable(origin) });
    const r = router({ kv: () => kv, vars: { ORIGIN_TIMEOUT_SECONDS: "3" } });
    const { response, ctx } = await r.open(`http://${HOST}/raw/${rawCase}`);
    const read = await readBody(response);
    expect(await settle(ctx)).toBe("settled");
    expect(response.status).not.toBe(500);
    expect(r.dataset.points).toHaveLength(1);
    const [point] = points(r.dataset);
    if (expected === "rejected") {
      expect(read.kind).toBe("complete");
      expectRouterAnswer(response, new TextDecoder().decode(read.bytes), 502, new URL(origin).host);
      expect(response.headers.get("X-Gray-Cohort")).toBe("stable");
      expect(point?.outcome).toBe("origin_error");
      return;
    }
    if (expected === "passes") {
      expect(read.kind).toBe("complete");
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(300);
    }
    expectPointAgrees(response, read, point);
  });
});
