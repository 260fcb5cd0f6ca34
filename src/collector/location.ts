/**
 * Where the local collector lives: its state directory under `.wrangler/state`
 * (next to wrangler dev's own state, git-ignored, kept across restarts), its
 * default port, and the small file through which a running collector tells
 * the CLI its URL.
 */

import { readFile, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import * as v from "valibot";

/** Default port (next to the demo's 8701/8702 origins and the router's 8787); COLLECTOR_PORT moves it. */
export const DEFAULT_COLLECTOR_PORT = 8703;
/** The collector's directory, relative to the project (the directory of wrangler.toml). */
export const COLLECTOR_DIR = path.join(".wrangler", "state", "gray-collector");
/** Written while a collector runs: `{url, pid, startedAt}`. */
const RUNNING_FILE = "running.json";

const runningSchema = v.object({ url: v.string(), pid: v.number(), startedAt: v.string() });

/** The collector's state directory for a project. */
export function collectorDir(projectDir: string): string {
  return path.join(projectDir, COLLECTOR_DIR);
}

/** Records that a collector runs at `url` (for the CLI to find it). */
export async function announce(projectDir: string, url: string): Promise<void> {
  const running = { url, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(
    path.join(collectorDir(projectDir), RUNNING_FILE),
    `${JSON.stringify(running)}\n`,
  );
}

/** Removes the record (the collector stopped). */
export async function withdraw(projectDir: string): Promise<void> {
  await rm(path.join(collectorDir(projectDir), RUNNING_FILE), { force: true });
}

/** The URL a running collector announced, or null. */
export async function announcedUrl(projectDir: string): Promise<string | null> {
  try {
    const text = await readFile(path.join(collectorDir(projectDir), RUNNING_FILE), "utf8");
    const parsed = v.safeParse(runningSchema, JSON.parse(text));
    return parsed.success ? parsed.output.url : null;
  } catch {
    return null;
  }
}
