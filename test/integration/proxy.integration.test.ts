import { waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { origins, putRollout, rolloutDoc, router } from "../support/harness";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("transparent proxy", () => {
  it("forwards method, path, query, headers and a 1 MB body unchanged", async () => {
    await putRollout("fidelity.test", rolloutDoc(0));
    const body = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 256);
    const { response, body: text } = await router().send(
      "http://fidelity.test/a/b%2Fc/d?q=1&q=2&sp=%20x&empty=",
      {
        method: "PUT",
        body,
        headers: { "Content-Type": "application/x-test", "X-Custom": "kept" },
      },
    );
    expect(response.status).toBe(200);
    const echo = parseEcho(text);
    expect(echo.method).toBe("PUT");
    expect(echo.url).toBe("/a/b%2Fc/d?q=1&q=2&sp=%20x&empty=");
    expect(echo.bodyLength).toBe(body.length);
    expect(echo.bodySha256).toBe(await sha256Hex(body));
    expect(echo.headers["content-type"]).toBe("application/x-test");
    expect(echo.headers["x-custom"]).toBe("kept");
  });

  it("prefixes the origin's base path and never lets the path change the host", async () => {
    const o = origins();
    await putRollout(
      "base.test",
      JSON.stringify({ origins: { stable: `${o.stable}/base/` }, weights: { stable: 100 } }),
    );
    const r = router();
    for (const [path, expected] of [
      ["/a/b?q=1", "/base/a/b?q=1"],
      ["//evil.example/x", "/base//evil.example/x"],
      ["/\\evil.example/y", "/base//evil.example/y"],
      ["/%2F%2Fevil.example", "/base/%2F%2Fevil.example"],
      ["/../../etc/passwd", "/base/etc/passwd"],
    ] as const) {
      const { response, body } = await r.send(`http://base.test${path}`);
      expect(response.status).toBe(200);
      const echo = parseEcho(body);
      expect(echo.origin).toBe("stable");
      expect(echo.url).toBe(expected);
      expect(echo.headers["host"]).toBe(new URL(o.stable).host);
    }
  });

  it("sets X-Gray-Cohort, X-Forwarded-Host and X-Forwarded-Proto, and drops spoofed router headers", async () => {
    await putRollout("headers.test", rolloutDoc(100));
    const { response, body } = await router().send("http://headers.test:8443/h", {
      headers: {
        "X-Gray-Cohort": "stable",
        "x-gray-anything": "spoofed",
        "X-Forwarded-Host": "spoofed.example",
        "X-Forwarded-Proto": "gopher",
        Host: "headers.test:8443",
      },
    });
    const echo = parseEcho(body);
    expect(echo.origin).toBe("canary");
    expect(echo.headers["x-gray-cohort"]).toBe("canary");
    expect(echo.headers["x-gray-anything"]).toBeUndefined();
    expect(echo.headers["x-forwarded-host"]).toBe("headers.test:8443");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
  });

  it("passes redirects to the client instead of following them", async () => {
    await putRollout("redirect.test", rolloutDoc(0));
    // The client's own request says "follow": the router must still not follow.
    const { response } = await router().send("http://redirect.test/redirect");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/elsewhere");
  });

  it("keeps every Set-Cookie from the origin, next to the router's own", async () => {
    await putRollout("cookies.test", rolloutDoc(0));
    const { response } = await router().send("http://cookies.test/cookies");
    const cookies = response.headers.getSetCookie();
    expect(cookies).toEqual(
      expect.arrayContaining(["a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3; Path=/x"]),
    );
    expect(cookies.some((c) => c.startsWith("gray_vid="))).toBe(true);
    expect(cookies).toHaveLength(4);
  });

  it.each([400, 404, 500, 502, 503])(
    "passes origin status %i through unchanged",
    async (status) => {
      await putRollout("status.test", rolloutDoc(0));
      const r = router();
      const { response, body } = await r.send(`http://status.test/status/${status}`);
      expect(response.status).toBe(status);
      expect(body).toBe(`status ${status}`);
      expect(r.dataset.points).toHaveLength(1);
      expect(r.dataset.points[0]?.doubles?.[0]).toBe(status);
      expect(r.dataset.points[0]?.blobs?.[1]).toBe("ok");
    },
  );

  it("streams: the first chunk arrives before the origin has finished", async () => {
    await putRollout("stream.test", rolloutDoc(0));
    const r = router();
    const { response, ctx } = await r.open("http://stream.test/stream?chunks=4&gap=300");
    expect(response.headers.get("Content-Type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const firstAt = Date.now();
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: 0 /);
    let rest = "";
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) {
        break;
      }
      rest += new TextDecoder().decode(chunk.value);
    }
    // Each chunk carries the origin's clock when it was written (same machine):
    // the last one was written after the first had already reached us.
    const lastWrittenAt = Number(/data: 3 (\d+)/.exec(rest)?.[1]);
    expect(lastWrittenAt).toBeGreaterThan(firstAt);
    void ctx;
  });

  it("downloads 8 MB byte-exact through the worker", async () => {
    await putRollout("download.test", rolloutDoc(0));
    const r = router();
    const { response, ctx } = await r.open("http://download.test/bytes?n=8388608");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(8388608);
    let mismatch = -1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== i % 251) {
        mismatch = i;
        break;
      }
    }
    expect(mismatch).toBe(-1);
    void ctx;
  });

  it("keeps the origin's Content-Length", async () => {
    await putRollout("length.test", rolloutDoc(0));
    const { response, body } = await router().send("http://length.test/bytes?n=1000");
    expect(response.headers.get("Content-Length")).toBe("1000");
    expect(body.length).toBe(1000);
  });

  it("passes a compressed body through byte-exact, neither decoded nor re-encoded", async () => {
    await putRollout("gzip.test", rolloutDoc(0));
    const r = router();
    const { response } = await r.open("http://gzip.test/gzip", {
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    const viaRouter = new Uint8Array(await response.arrayBuffer());
    const direct = await fetch(`${origins().stable}/gzip`, {
      headers: { "Accept-Encoding": "gzip" },
      encodeResponseBody: "manual",
    });
    const expected = new Uint8Array(await direct.arrayBuffer());
    expect(viaRouter).toEqual(expected);
    expect(response.headers.get("Content-Length")).toBe(String(expected.length));
  });

  it("makes a body shorter than its Content-Length an error, never a silently short 200", async () => {
    await putRollout("short.test", rolloutDoc(0));
    const r = router();
    const { response, ctx } = await r.open("http://short.test/short");
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("stream_error");
  });

  it("passes WebSocket upgrades through to the cohort's origin", async () => {
    await putRollout("ws.test", rolloutDoc(100));
    const { response } = await router().open("http://ws.test/ws", {
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    });
    expect(response.status).toBe(101);
    expect(response.headers.get("X-Gray-Cohort")).toBe("canary");
    const socket = response.webSocket;
    expect(socket).toBeTruthy();
    if (socket === null) {
      return;
    }
    const message = new Promise<string>((resolve) => {
      socket.addEventListener("message", (event) => resolve(String(event.data)));
    });
    socket.accept();
    expect(await message).toBe("hello from canary via canary");
    socket.close();
  });
});
