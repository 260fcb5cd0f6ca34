import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";

/** Where Debian's chromium package puts the browser; CHROMIUM_PATH overrides. */
export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The Chromium to drive, or a one-line explanation of what is missing. */
export function findChromium(
  env: Readonly<Record<string, string | undefined>> = process.env,
): { path: string } | { missing: string } {
  const given = env["CHROMIUM_PATH"];
  if (given !== undefined && given !== "") {
    return existsSync(given)
      ? { path: given }
      : { missing: `CHROMIUM_PATH=${given} does not exist` };
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  return found === undefined
    ? {
        missing: `no Chromium at ${CHROMIUM_CANDIDATES.join(" or ")}: install it with "apt-get install -y chromium" (what .ci/run does) or set CHROMIUM_PATH`,
      }
    : { path: found };
}

/**
 * Launches headless Chromium with the flags this machine needs: no sandbox
 * as root, none of Chromium's background connections (the network is
 * closed), a fresh profile. Throws when Chromium is missing.
 */
export async function launchChromium(): Promise<{
  browser: BrowserContext;
  close(): Promise<void>;
}> {
  const found = findChromium();
  if ("missing" in found) {
    throw new Error(found.missing);
  }
  const profile = await mkdtemp(path.join(tmpdir(), "gray-chromium-"));
  // A persistent context is how Playwright takes a profile directory (--user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-gpu",
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What CHART_PIXELS finds for one chart. */
export interface ChartPixels {
  readonly title: string;
  /** Canvas pixels in one of the chart's series colours. */
  readonly painted: number;
  /** Non-null values the page handed the chart. */
  readonly points: number;
}

/**
 * Run in the page: for every chart, how many pixels of its canvas have one
 * of its series' colours (data-colors), so an empty chart (axes and grid
 * only) counts 0. A string: this project's Node TypeScript has no DOM types.
 */
export const CHART_PIXELS = `[...document.querySelectorAll("figure.chart")].map((figure) => {
  const canvas = figure.querySelector("canvas");
  const title = figure.querySelector("figcaption")?.textContent ?? "";
  const points = Number(figure.getAttribute("data-points"));
  if (canvas === null) return { title, painted: 0, points };
  const colors = (figure.getAttribute("data-colors") ?? "").split(" ").map((hex) =>
    [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 200 && colors.some((c) =>
      Math.abs(pixels[i] - c[0]) + Math.abs(pixels[i + 1] - c[1]) + Math.abs(pixels[i + 2] - c[2]) < 40)) {
      painted++;
    }
  }
  return { title, painted, points };
})`;
