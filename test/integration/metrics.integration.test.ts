import { describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { analyticsEngineSink } from "../../src/edge/metrics";
import { Breakers } from "../../src/edge/breaker";
import { RolloutStore } from "../../src/edge/rollout-store";
import { randomVisitorId } from "../../src/core/visitor";
import { putRollout, rolloutDoc, router, visitorCookie } from "../support/harness";

describe("one Analytics Engine data point per proxied request", () => {
  it("writes the documented columns: key, cohort, outcome, status, timings, bucket, weight, bytes", async () => {
    await putRollout("metrics.test", rolloutDoc(100));
    const r = router();
    const { body } = await r.send("http://metrics.test/bytes?n=5000", { method: "GET" });
    expect(body.length).toBe(5000);
    expect(r.dataset.points).toHaveLength(1);
    const point = r.dataset.points[0];
    expect(point?.indexes).toEqual(["metrics.test"]);
    const [cohort, outcome, host, method, revision, configState, colo] = point?.blobs ?? [];
    expect({ cohort, outcome, host, method, configState, colo }).toEqual({
      cohort: "canary",
      outcome: "ok",
      host: "metrics.test",
      method: "GET",
      configState: "fresh",
      colo: "",
    });
    expect(revision).toMatch(/^[0-9a-f]{8}$/);
    const [status, ttfb, duration, bucket, weight, bytes] = point?.doubles ?? [];
    expect(status).toBe(200);
    expect(ttfb).toBeGreaterThanOrEqual(0);
    expect(duration).toBeGreaterThanOrEqual(ttfb ?? 0);
    expect(bucket).toBeGreaterThanOrEqual(0);
    expect(bucket).toBeLessThan(10_000);
    expect(weight).toBe(100);
    expect(bytes).toBe(5000);
  });

  it("says where the bucket came from in blob11: a new visitor, a returning one, an application id", async () => {
    await putRollout("visitor-kind.test", rolloutDoc(50));
    await putRollout("visitor-app.test", rolloutDoc(50, { stickiness: { header: "X-User-Id" } }));
    const r = router();
    const first = await r.send("http://visitor-kind.test/ok");
    const cookie = visitorCookie(first.response) ?? "";
    expect(cookie).not.toBe("");
    await r.send("http://visitor-kind.test/ok", { headers: { cookie } });
    await r.send("http://visitor-app.test/ok", { headers: { "X-User-Id": "user-7" } });
    await r.send("http://visitor-app.test/ok");
    expect(r.dataset.points.map((p) => p.blobs?.[10])).toEqual(["new", "returning", "app", "new"]);
  });

  it("takes the duration when the body has finished streaming, not at the headers", async () => {
    await putRollout("duration.test", rolloutDoc(0));
    const r = router();
    await r.send("http://duration.test/stream?chunks=4&gap=250");
    const [, ttfb, duration] = r.dataset.points[0]?.doubles ?? [];
    // Three 250 ms gaps come after the first chunk, so after the headers.
    expect(duration).toBeGreaterThanOrEqual(750);
    expect((duration ?? 0) - (ttfb ?? 0)).toBeGreaterThanOrEqual(700);
  });

  it("records exactly one point per request, with each request's cohort and status", async () => {
    await putRollout("many.test", rolloutDoc(50));
    const r = router();
    const seen: { cohort: string | null; status: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const path = i % 4 === 0 ? "/status/500" : "/ok";
      const { response } = await r.send(`http://many.test${path}`);
      seen.push({ cohort: response.headers.get("X-Gray-Cohort"), status: response.status });
    }
    expect(r.dataset.points).toHaveLength(40);
    expect(r.dataset.points.map((p) => ({ cohort: p.blobs?.[0], status: p.doubles?.[0] }))).toEqual(
      seen,
    );
    expect(new Set(seen.map((s) => s.cohort))).toEqual(new Set(["stable", "canary"]));
  });

  it("records a client that goes away mid-stream as client_abort", async () => {
    await putRollout("abort.test", rolloutDoc(0));
    const r = router();
    const { response, ctx } = await r.open("http://abort.test/stream?chunks=5&gap=100");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel("gone");
    await waitOnExecutionContext(ctx);
    expect(r.dataset.points).toHaveLength(1);
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("client_abort");
  });

  it("records a router bug as internal_error, with a generic 503 and no 500", async () => {
    await putRollout("bug.test", rolloutDoc(0));
    // A generator breaking its contract makes identifyVisitor throw: an internal error.
    const r = router({ newId: () => "not-a-valid-id" });
    const { response, body } = await r.send("http://bug.test/");
    expect(response.status).toBe(503);
    expect(body).toBe("gray-router: internal error (details are in the worker logs)");
    expect(r.dataset.points).toHaveLength(1);
    expect(r.dataset.points[0]?.indexes).toEqual(["bug.test"]);
    expect(r.dataset.points[0]?.blobs?.[1]).toBe("internal_error");
    expect(r.logs.join("\n")).toMatch(/internal error: Error: visitor id generator/);
  });

  it("writes a config_error point with the host as key, no cohort, bucket -1", async () => {
    await env.ROLLOUTS.delete("default");
    const r = router();
    await r.send("http://nokey.test/");
    const point = r.dataset.points[0];
    expect(point?.indexes).toEqual(["nokey.test"]);
    expect(point?.blobs?.slice(0, 2)).toEqual(["", "config_error"]);
    expect(point?.blobs?.[7]).toBe("");
    expect(point?.doubles?.[3]).toBe(-1);
  });

  it("never lets a failing metrics write break the request", async () => {
    await putRollout("throwing.test", rolloutDoc(0));
    const logs: string[] = [];
    const app = createApp({
      store: new RolloutStore({ log: (m) => logs.push(m) }),
      breakers: new Breakers(),
      rollouts: (e) => e.ROLLOUTS,
      metrics: () =>
        analyticsEngineSink(
          {
            writeDataPoint: () => {
              throw new Error("Analytics Engine write limit exceeded.");
            },
          },
          (m) => logs.push(m),
        ),
      newVisitorId: randomVisitorId,
      now: Date.now,
      log: (m) => logs.push(m),
    });
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request("http://throwing.test/"),
      { ...env, CONFIG_CACHE_SECONDS: "0" },
      ctx,
    );
    expect(response.status).toBe(200);
    await response.text();
    await waitOnExecutionContext(ctx);
    expect(logs.join("\n")).toMatch(
      /could not write a data point: Error: Analytics Engine write limit exceeded/,
    );
  });
});
