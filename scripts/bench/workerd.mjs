// @ts-check
/** Runs the Workers under test on one raw workerd process (`workerd serve`), generated config. */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { freePort, stop, track, waitForPort } from "./processes.mjs";
import { workerdConfig } from "./workerd-config.mjs";

const READY_TIMEOUT_MS = 30_000;

/**
 * @typedef {{ name: string, module: string, bindings: readonly import("./workerd-config.mjs").Binding[] }} WorkerModule
 * @typedef {{ pid: number | undefined, urls: Record<string, string>, dir: string, stop: () => Promise<void> }} WorkerdProcess
 */

/**
 * Writes `<dir>/config.capnp` and one module per Worker, starts `workerd serve` (output in
 * `<dir>/workerd.log`) and resolves once every Worker listens on its own free port.
 * @param {{
 *   workerd: string,
 *   dir: string,
 *   workers: readonly WorkerModule[],
 *   services: readonly import("./workerd-config.mjs").ExternalService[],
 *   launcher?: readonly string[],
 *   readyTimeoutMs?: number,
 * }} options `--experimental` is passed (the Analytics Engine binding needs it). `launcher`:
 *   a command to run workerd under (e.g. valgrind and its options).
 * @returns {Promise<WorkerdProcess>}
 */
export async function startWorkerd({
  workerd,
  dir,
  workers,
  services,
  launcher = [],
  readyTimeoutMs = READY_TIMEOUT_MS,
}) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  /** @type {import("./workerd-config.mjs").WorkerSpec[]} */
  const specs = [];
  const copied = new Map();
  for (const worker of workers) {
    let moduleFile = copied.get(worker.module);
    if (moduleFile === undefined) {
      moduleFile = `module-${copied.size}.js`;
      copied.set(worker.module, moduleFile);
      await copyFile(worker.module, path.join(dir, moduleFile));
    }
    specs.push({
      name: worker.name,
      moduleFile,
      port: await freePort(),
      bindings: worker.bindings,
    });
  }
  const config = path.join(dir, "config.capnp");
  await writeFile(config, workerdConfig({ workers: specs, services }));
  const log = openSync(path.join(dir, "workerd.log"), "w");
  const [command = workerd, ...prefix] = [...launcher, workerd];
  const child = track(
    spawn(command, [...prefix, "serve", config, "--experimental"], {
      cwd: dir,
      stdio: ["ignore", log, log],
    }),
  );
  closeSync(log);
  try {
    for (const spec of specs) {
      await waitForPort(spec.port, child, readyTimeoutMs);
    }
  } catch (error) {
    throw new Error(`workerd: ${String(error)} (see ${path.join(dir, "workerd.log")})`);
  }
  const urls = Object.fromEntries(
    specs.map((spec) => [spec.name, `http://127.0.0.1:${spec.port}`]),
  );
  return { pid: child.pid, urls, dir, stop: () => stop(child) };
}
