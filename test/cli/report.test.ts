import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Project } from "./harness";
import { useProject } from "./harness";
import { startCollector } from "../../src/collector/server";
import { localReportPage } from "../../src/report/live";
import { CHART_PIXELS, findChromium, launchChromium } from "./browser";
import type { ChartPixels } from "./browser";
import { recordRollout } from "./recorded-rollout";
import type { Recorded } from "./recorded-rollout";

const use = useProject();
let project: Project;
beforeEach(() => {
  project = use();
});

// `gray report` end to end: a rollout recorded through the real controller
// (a ramp, holds, a rollback) in a real local state and collector, the
// report built from it by the CLI, then opened in a real headless Chromium.

describe("gray report --local on a recorded rollout", () => {
  let recorded: Recorded;
  let file: string;
  let stdout: string;
  beforeAll(async () => {
    project = use();
    recorded = await recordRollout(project, { minutes: 14, failFrom: 5, perMinute: 800 });
    file = path.join(project.dir, "report.html");
    const run = await project.gray(["report", "--out", file, "--since", "1h", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    stdout = run.stdout;
  });

  it("records a ramp with holds and a rollback (the scenario the report is tested on)", () => {
    const actions = recorded.entries.map((e) => e.action);
    expect(actions).toContain("promote");
    expect(actions.filter((a) => a === "hold").length).toBeGreaterThanOrEqual(2);
    expect(actions[actions.length - 1]).toBe("rollback");
  });

  it("writes one self-contained file: every script and style inline, nothing fetched", async () => {
    const html = await readFile(file, "utf8");
    expect(JSON.parse(stdout)).toMatchObject({
      file,
      bytes: Buffer.byteLength(html),
      markers: recorded.entries.length,
      checks: 6,
    });
    // One panel per judge check, each drawn from the check's uniform summary.
    const model = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ??
        "null",
    ) as { checks: { check: string }[] };
    expect(model.checks.map((c) => c.check).sort()).toEqual([
      "error_rate_absolute",
      "error_rate_relative",
      "latency_p50",
      "latency_p95",
      "latency_p99",
      "sample_ratio",
    ]);
    // The axis starts two minutes before the first figure, not at --since's hour.
    const minutes = JSON.parse(stdout).minutes;
    expect(minutes).toBeGreaterThanOrEqual(16);
    expect(minutes).toBeLessThanOrEqual(18);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*href=/i);
    expect(html).not.toMatch(/url\((?!data:)/i);
    expect(html).toContain("default-src 'none'");
  });

  it("draws every chart, one marker per history entry, and a hovered marker shows that decision's figures", async () => {
    const found = findChromium();
    if ("missing" in found) {
      throw new Error(`the browser test needs Chromium: ${found.missing}`);
    }
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          problems.push(`console ${message.type()}: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      const fetched: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (!url.startsWith("file:")) {
          fetched.push(url);
          return route.abort();
        }
        return route.continue();
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector(".marker");

      // Every chart drew its own series: pixels in its series' colours on its canvas.
      const charts = await page.evaluate<ChartPixels[]>(CHART_PIXELS);
      // 4 traffic charts (requests, errors, latency, share) and 6 checks.
      expect(charts).toHaveLength(10);
      for (const chart of charts) {
        expect(chart.points, chart.title).toBeGreaterThan(0);
        expect(chart.painted, chart.title).toBeGreaterThan(100);
      }

      const markers = page.locator(".marker");
      expect(await markers.count()).toBe(recorded.entries.length);
      const rollback = recorded.entries.findIndex((e) => e.action === "rollback");
      const entry = recorded.entries[rollback];
      expect(entry).toBeDefined();
      await page.locator(`.marker[data-index="${rollback}"]`).hover();
      const tip = page.locator("#marker-tip");
      await tip.waitFor({ state: "visible" });
      const text = (await tip.textContent()) ?? "";
      expect(text).toContain("rollback (checks_failed)");
      expect(text).toContain(entry?.reason ?? "?");
      expect(text).toContain("50 % → 0 %");
      expect(text).toMatch(/canary\s*\d+ req, \d+\.\d\d % errors/);
      expect(text).toContain("error_rate_relative fail");
      // The history table has one row per entry.
      expect(await page.locator("table.history tbody tr").count()).toBe(recorded.entries.length);
      if (process.env["REPORT_SCREENSHOT"] !== undefined) {
        await page.screenshot({ path: process.env["REPORT_SCREENSHOT"], fullPage: true });
      }
      expect(fetched).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await chromium.close();
    }
  });
});

describe("the collector's live report (npm start's /report)", () => {
  it("serves the page and its model for refreshes, and the points the replay reads, as columns", async () => {
    const recorded = await recordRollout(project, { minutes: 4, failFrom: 99, perMinute: 300 });
    const path404 = await fetch(`${project.collector.url}/report`);
    expect(path404.status).toBe(404);
    expect(await path404.text()).toBe("collector: no report page here (run by npm start)");
    const pages = { live: null as ReturnType<typeof localReportPage> | null };
    const collector = await startCollector({
      stateDir: path.join(project.dir, "live-collector"),
      page: (key, format) => pages.live?.page(key, format) ?? Promise.reject(new Error("starting")),
    });
    pages.live = localReportPage(project.dir, project.collector.url);
    try {
      const page = await fetch(`${collector.url}/report`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await page.text();
      expect(html).toContain('<script type="application/json" id="report-data">');
      const model = (await (await fetch(`${collector.url}/report.json?key=default`)).json()) as {
        markers: unknown[];
      };
      expect(model).toMatchObject({ key: "default", live: 10 });
      expect(model.markers).toHaveLength(recorded.entries.length);
      const unknown = await fetch(`${collector.url}/report.json?key=nope`);
      expect(unknown.status).toBe(503);
      expect(await unknown.text()).toMatch(/^report: no rollout at KV key "nope"/);
      const exported = (await (
        await fetch(`${project.collector.url}/points/export?key=default&since=${recorded.start}`)
      ).json()) as { key: string; at: number[]; cohort: number[]; texts: string[] };
      // The collector also keeps the earlier test's rollout: at least this one's, none older than asked.
      expect(exported.key).toBe("default");
      expect(exported.at.length).toBeGreaterThanOrEqual(recorded.points);
      expect(exported.at.every((at) => at >= recorded.start)).toBe(true);
      expect(exported.cohort).toHaveLength(exported.at.length);
      expect(exported.texts).toEqual(expect.arrayContaining(["stable", "canary"]));
    } finally {
      await pages.live.close();
      await collector.close();
    }
  });
});
