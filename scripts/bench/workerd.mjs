// @ts-check
/** Runs one Worker on raw workerd (`workerd serve`), with a generated config. */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { freePort, track, waitForPort } from "./processes.mjs";
import { workerdConfig } from "./workerd-config.mjs";

const READY_TIMEOUT_MS = 20_000;

/**
 * @typedef {{ name: string, url: string, port: number, pid: number | undefined, dir: string }} WorkerdInstance
 */

/**
 * Writes `<dir>/config.capnp` and `<dir>/worker.js`, starts `workerd serve` on a free port
 * (output in `<dir>/workerd.log`) and resolves once it listens.
 * @param {{
 *   name: string,
 *   workerd: string,
 *   module: string,
 *   dir: string,
 *   bindings: readonly import("./workerd-config.mjs").Binding[],
 *   services: readonly import("./workerd-config.mjs").ExternalService[],
 * }} options `--experimental` is passed to every instance (the Analytics Engine binding needs it).
 * @returns {Promise<WorkerdInstance>}
 */
export async function startWorkerd({ name, workerd, module, dir, bindings, services }) {
  await mkdir(dir, { recursive: true });
  await copyFile(module, path.join(dir, "worker.js"));
  const port = await freePort();
  const config = path.join(dir, "config.capnp");
  await writeFile(config, workerdConfig({ moduleFile: "worker.js", port, bindings, services }));
  const log = openSync(path.join(dir, "workerd.log"), "w");
  const child = track(
    spawn(workerd, ["serve", config, "--experimental"], { cwd: dir, stdio: ["ignore", log, log] }),
  );
  closeSync(log);
  try {
    await waitForPort(port, child, READY_TIMEOUT_MS);
  } catch (error) {
    throw new Error(`workerd "${name}": ${String(error)} (see ${path.join(dir, "workerd.log")})`);
  }
  return { name, url: `http://127.0.0.1:${port}`, port, pid: child.pid, dir };
}
