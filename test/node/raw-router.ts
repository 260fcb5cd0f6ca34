import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as esbuild from "esbuild";

/**
 * The router in a real workerd process on 127.0.0.1, for the raw-HTTP tests
 * (test/raw/worker.ts): bundled with esbuild the way wrangler bundles it, served by the
 * project's own workerd binary with the compatibility date of wrangler.toml.
 */
export interface RawRouter {
  readonly port: number;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Starts the raw router; `rollouts` is KV key -> rollout document. */
export async function startRawRouter(rollouts: Record<string, unknown>): Promise<RawRouter> {
  const dir = await mkdtemp(path.join(tmpdir(), "gray-router-raw-"));
  await esbuild.build({
    entryPoints: [path.join(ROOT, "test", "raw", "worker.ts")],
    outfile: path.join(dir, "worker.js"),
    bundle: true,
    format: "esm",
    target: "es2024",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  const wrangler = await readFile(path.join(ROOT, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1] ?? "2026-04-01";
  const port = await freePort();
  const quote = (text: string): string => JSON.stringify(text);
  await writeFile(
    path.join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = ${quote(date)},
      bindings = [
        (name = "CONFIG_CACHE_SECONDS", text = "0"),
        (name = "ORIGIN_TIMEOUT_SECONDS", text = "3"),
        (name = "RAW_ROLLOUTS", text = ${quote(JSON.stringify(rollouts))}),
      ],
      globalOutbound = "loopback",
    )),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = ${quote(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
`,
  );
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "workerd"),
    ["serve", "config.capnp"],
    {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await waitForPort(port, 20_000);
  return {
    port,
    async close() {
      child.kill("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`the raw router did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
