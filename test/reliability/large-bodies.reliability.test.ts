import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { router } from "../support/harness";
import {
  digestStream,
  faultyOrigin,
  MemoryKv,
  onlyStable,
  patternSha256,
  patternStream,
  points,
  settle,
} from "./support";

/**
 * 10 MB and 100 MB bodies both ways, byte-exact. Nothing is held whole: the
 * bytes are generated chunk by chunk (test/reliability/pattern.ts) and
 * hashed as they flow, on the origin for uploads and here for downloads; the
 * expected hash is computed here independently of the origin.
 */

const MB = 1024 * 1024;
const HOST = "large.test";

function largeRouter() {
  const kv = new MemoryKv({ [HOST]: onlyStable(faultyOrigin()) });
  return router({ kv: () => kv, vars: { ORIGIN_TIMEOUT_SECONDS: "5" } });
}

describe("downloads", () => {
  it.each([
    ["10 MB with a Content-Length", 10 * MB, false],
    ["100 MB with a Content-Length", 100 * MB, false],
    ["10 MB chunked", 10 * MB, true],
  ])(
    "%s arrive byte-exact, with one ok data point counting every byte",
    async (_what, size, chunked) => {
      const r = largeRouter();
      const { response, ctx } = await r.open(
        `http://${HOST}/bytes?n=${size}${chunked ? "&chunked=1" : ""}`,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Length")).toBe(chunked ? null : String(size));
      expect(response.body).not.toBeNull();
      if (response.body === null) {
        return;
      }
      const [got, expected] = await Promise.all([digestStream(response.body), patternSha256(size)]);
      expect(got).toEqual({ length: size, sha256: expected });
      expect(await settle(ctx, 10_000)).toBe("settled");
      expect(points(r.dataset)).toMatchObject([{ outcome: "ok", status: 200, bytes: size }]);
    },
    30_000,
  );
});

describe("uploads", () => {
  it.each([
    ["10 MB chunked", 10 * MB, false],
    ["100 MB chunked", 100 * MB, false],
    ["100 MB with a Content-Length", 100 * MB, true],
  ])(
    "%s arrive at the origin byte-exact",
    async (_what, size, withLength) => {
      const r = largeRouter();
      let body: ReadableStream<Uint8Array> = patternStream(size);
      const headers: Record<string, string> = {};
      if (withLength) {
        const fixed = new FixedLengthStream(size);
        body.pipeTo(fixed.writable).catch(() => undefined);
        body = fixed.readable;
        headers["Content-Length"] = String(size);
      }
      const [sent, expected] = await Promise.all([
        r.send(`http://${HOST}/upload`, { method: "POST", body, headers }),
        patternSha256(size),
      ]);
      expect(sent.response.status).toBe(200);
      const echo = parseEcho(sent.body);
      expect(echo.origin).toBe("faulty");
      expect({ length: echo.bodyLength, sha256: echo.bodySha256 }).toEqual({
        length: size,
        sha256: expected,
      });
      if (withLength) {
        // A known length stays a known length: the origin is not made to accept chunked uploads.
        expect(echo.headers["content-length"]).toBe(String(size));
      }
      expect(points(r.dataset)).toMatchObject([{ outcome: "ok", status: 200 }]);
    },
    30_000,
  );
});
