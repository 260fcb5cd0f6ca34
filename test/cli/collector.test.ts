import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PointStore, POINTS_FILE } from "../../src/collector/store";
import { startCollector } from "../../src/collector/server";
import type { Collector } from "../../src/collector/server";
import { CollectorMetrics } from "../../src/control/collector-source";
import { cohortTotals, MetricsError } from "../../src/control/metrics-source";
import { answerQuery, RecordedMetricsSource } from "../../src/control/recorded-source";
import { parseSeriesAnswer, seriesApiRows } from "../../src/control/series";
import { exportColumns, importColumns, pointColumnsSchema } from "../../src/report/point-columns";
import { positionalPoint, postPoints } from "./points";

// The local collector (src/collector/): points kept on disk and bounded,
// and the controller's and the CLI's queries answered like the SQL API,
// read back through the same adapter the controller uses locally.

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
let dir: string;
let collector: Collector | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gray-collector-test-"));
});
afterEach(async () => {
  await collector?.close();
  collector = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("the point store", () => {
  it("keeps points across a restart", async () => {
    const store = await PointStore.open(dir, () => NOW);
    store.add({ at: NOW - 1000, point: positionalPoint({ cohort: "canary" }) });
    store.add(positionalPoint());
    await store.close();
    const reopened = await PointStore.open(dir, () => NOW);
    expect(reopened.all().map((p) => [p.at, p.point.blobs?.[0]])).toEqual([
      [NOW - 1000, "canary"],
      [NOW, "stable"],
    ]);
    await reopened.close();
  });

  it("skips an unreadable line (a crash mid-write) and says how many it skipped", async () => {
    const good = JSON.stringify({ at: NOW, point: positionalPoint() });
    await writeFile(path.join(dir, POINTS_FILE), `${good}\n{"at": 12, "poi\n${good}\n`);
    const store = await PointStore.open(dir, () => NOW);
    expect(store.all()).toHaveLength(2);
    expect(store.stats().skippedLines).toBe(1);
    await store.close();
    // The file was rewritten without the broken line.
    expect((await readFile(path.join(dir, POINTS_FILE), "utf8")).trim().split("\n")).toHaveLength(
      2,
    );
  });

  it("is bounded: the newest points within the age limit, on disk too", async () => {
    const limits = { maxPoints: 10, maxAgeMs: 60_000 };
    const store = await PointStore.open(dir, () => NOW, limits);
    for (let i = 0; i < 12; i += 1) {
      store.add({ at: NOW - 12 + i, point: positionalPoint({ bytes: i }) });
    }
    expect(store.all().map((p) => p.point.doubles?.[5])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    store.add({ at: NOW - 120_000, point: positionalPoint() });
    await store.close();
    const reopened = await PointStore.open(dir, () => NOW, limits);
    expect(reopened.all()).toHaveLength(10);
    expect(reopened.all().every((p) => p.at >= NOW - 60_000)).toBe(true);
    await reopened.close();
  });
});

describe("the collector's HTTP API", () => {
  async function start(): Promise<string> {
    collector = await startCollector({ stateDir: dir, now: () => NOW });
    return collector.url;
  }

  it("answers the controller's query exactly as the recorded source computes it in-process", async () => {
    const url = await start();
    const points = [
      { at: NOW - 5000, point: positionalPoint({ revision: "rev00002" }) },
      {
        at: NOW - 4000,
        point: positionalPoint({ revision: "rev00002", cohort: "canary", status: 503 }),
      },
      {
        at: NOW - 3000,
        point: positionalPoint({ revision: "rev00002", cohort: "canary", durationMs: 80 }),
      },
      {
        at: NOW - 2000,
        point: positionalPoint({ revision: "rev00001", cohort: "canary", outcome: "timeout" }),
      },
    ];
    await postPoints(url, points);
    const query = {
      key: "default",
      revisions: ["rev00001", "rev00002"],
      currentRevision: "rev00002",
      lookbackSeconds: 600,
      // A latency limit: readWindow sends both analysis queries, the second built from the first's answer.
      latencyLimits: { p95: 1.25 },
      minLatencyDeltaMs: 5,
    };
    const viaHttp = await new CollectorMetrics(url).read(query);
    const inProcess = await new RecordedMetricsSource(
      () => points,
      () => NOW,
    ).read(query);
    expect(viaHttp).toEqual(inProcess);
    expect(cohortTotals(viaHttp).find((c) => c.cohort === "canary")).toMatchObject({
      requests: 3,
      errors: 2,
    });
  });

  it("answers an analysis query as sent with the JS twin (answerQuery), whatever its kind", async () => {
    const url = await start();
    const points = [
      { at: NOW - 5000, point: positionalPoint({ cohort: "stable", durationMs: 40, bucket: 3 }) },
      { at: NOW - 4000, point: positionalPoint({ cohort: "canary", durationMs: 90, bucket: 70 }) },
    ];
    await postPoints(url, points);
    const window = { key: "default", revisions: ["rev00002"], lookbackSeconds: 600 };
    for (const query of [
      { kind: "quantiles", ...window } as const,
      {
        kind: "cells",
        ...window,
        thresholds: [{ revision: "rev00002", quantile: "p95", below: 40, within: 60 }],
      } as const,
    ]) {
      const response = await fetch(`${url}/query/analysis`, {
        method: "POST",
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(answerQuery(points, query, NOW));
    }
  });

  it("answers the series query like the twin", async () => {
    const url = await start();
    const points = [
      { at: NOW - 90_000, point: positionalPoint({ visitor: "new" }) },
      { at: NOW - 30_000, point: positionalPoint({ cohort: "canary", status: 500 }) },
    ];
    await postPoints(url, points);
    const query = { key: "default", lookbackSeconds: 600, stepSeconds: 60, revision: null };
    const answer = JSON.stringify({ meta: [], data: seriesApiRows(points, query, NOW), rows: 2 });
    expect(await new CollectorMetrics(url).series(query)).toEqual(parseSeriesAnswer(answer, "x"));
  });

  it("answers the per-minute series like the twin over every point while minutes pass, a point lands in the past and the look-back moves", async () => {
    let now = NOW;
    collector = await startCollector({ stateDir: dir, now: () => now });
    const url = collector.url;
    const all: { at: number; point: ReturnType<typeof positionalPoint> }[] = [];
    const post = async (at: number, i: number): Promise<void> => {
      const point = {
        at,
        point: positionalPoint({
          cohort: i % 3 === 0 ? "canary" : "stable",
          status: i % 7 === 0 ? 500 : 200,
          durationMs: 10 + ((i * 37) % 90),
          visitor: i % 2 === 0 ? "new" : "returning",
          revision: i < 150 ? "rev00001" : "rev00002",
        }),
      };
      all.push(point);
      all.sort((a, b) => a.at - b.at);
      await postPoints(url, [point]);
    };
    const queries = [
      { key: "default", lookbackSeconds: 600, stepSeconds: 60, revision: null },
      { key: "default", lookbackSeconds: 290.5, stepSeconds: 60, revision: "rev00002" },
      { key: "default", lookbackSeconds: 300, stepSeconds: null, revision: "rev00002" },
      { key: "default", lookbackSeconds: 3600, stepSeconds: 30, revision: null },
    ];
    const check = async (): Promise<void> => {
      for (const query of queries) {
        const expected = seriesApiRows(all, query, now);
        const answer = JSON.stringify({ meta: [], data: expected, rows: expected.length });
        expect(await new CollectorMetrics(url).series(query)).toEqual(
          parseSeriesAnswer(answer, "x"),
        );
      }
    };
    // 20 minutes of points, 15 a minute, asked every 40 s, mid-minute (finished minutes come from the cache).
    for (let i = 0; i < 300; i++) {
      now = NOW + i * 4000;
      await post(now, i);
      if (i % 10 === 4) {
        await check();
      }
    }
    // A point stamped in the past (an import) changes a finished minute.
    await post(NOW + 125_000, 7);
    await check();
    now += 200_000;
    await check();
  });

  it("exports a rollout's points as columns, the new ones added to what it kept, all again after a point lands in the past", async () => {
    const url = await start();
    const all: { at: number; point: ReturnType<typeof positionalPoint> }[] = [];
    const post = async (batch: typeof all): Promise<void> => {
      all.push(...batch);
      all.sort((a, b) => a.at - b.at);
      await postPoints(url, batch);
    };
    // Compared as the points they hold: the text table may also hold texts of older points.
    const exported = async (key: string, since: number): Promise<unknown> =>
      importColumns(
        v.parse(
          pointColumnsSchema,
          await (await fetch(`${url}/points/export?key=${key}&since=${since}`)).json(),
        ),
      );
    const expected = (key: string, since: number): unknown =>
      importColumns(exportColumns(all, key, since));
    const batch = (from: number, n: number, key = "default"): typeof all =>
      Array.from({ length: n }, (_, i) => ({
        at: from + i * 1000,
        point: positionalPoint({
          rolloutKey: key,
          cohort: i % 2 === 0 ? "canary" : "stable",
          durationMs: 10 + i,
        }),
      }));
    await post([...batch(NOW - 600_000, 50), ...batch(NOW - 600_000, 5, "other")]);
    expect(await exported("default", 0)).toEqual(expected("default", 0));
    await post(batch(NOW - 300_000, 30));
    for (const since of [0, NOW - 290_000, NOW]) {
      expect(await exported("default", since)).toEqual(expected("default", since));
    }
    await post(batch(NOW - 900_000, 3));
    expect(await exported("default", 0)).toEqual(expected("default", 0));
    expect(await exported("other", 0)).toEqual(expected("other", 0));
    expect(await exported("other", 0)).toHaveLength(5);
    expect(await exported("default", NOW)).toEqual([]);
  });

  it("takes a single point as the local sink sends it, stamped with the collector's clock", async () => {
    const url = await start();
    const response = await fetch(`${url}/points`, {
      method: "POST",
      body: JSON.stringify(positionalPoint({ cohort: "canary" })),
    });
    expect(response.status).toBe(204);
    expect(collector?.store.all().map((p) => p.at)).toEqual([NOW]);
  });

  it("refuses what is not a data point or a query, in one line, and keeps nothing", async () => {
    const url = await start();
    const post = async (route: string, body: string) => {
      const response = await fetch(`${url}${route}`, { method: "POST", body });
      return [response.status, await response.text()];
    };
    expect(await post("/points", "{")).toEqual([400, "collector: body is not JSON"]);
    expect(
      await post("/points", JSON.stringify({ indexes: ["x"], blobs: [], doubles: ["1"] })),
    ).toEqual([
      400,
      'collector: not a data point: doubles.0: Invalid type: Expected number but received "1"',
    ]);
    expect(
      await post("/query/analysis", JSON.stringify({ query: { kind: "cells", key: "default" } })),
    ).toEqual([
      400,
      'collector: not an analysis query at revisions: Invalid key: Expected "revisions" but received undefined',
    ]);
    expect(await post("/nowhere", "{}")).toEqual([404, "collector: no POST /nowhere"]);
    expect(collector?.store.all()).toHaveLength(0);
  });

  it("says how much it holds", async () => {
    const url = await start();
    await postPoints(url, [{ at: NOW - 1, point: positionalPoint() }]);
    const health: unknown = await (await fetch(`${url}/health`)).json();
    expect(health).toMatchObject({
      service: "gray-router local collector",
      points: 1,
      newest: NOW - 1,
    });
  });
});

describe("the collector source's failures (the controller holds on them)", () => {
  it("a collector that is not running is a network error naming the collector", async () => {
    collector = await startCollector({ stateDir: dir });
    const url = collector.url;
    await collector.close();
    collector = undefined;
    const error = await new CollectorMetrics(url)
      .series({ key: "default", lookbackSeconds: 60, stepSeconds: null, revision: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect(error).toMatchObject({ code: "network" });
    expect(String((error as Error).message)).toMatch(/^local collector could not be reached: /);
  });
});
