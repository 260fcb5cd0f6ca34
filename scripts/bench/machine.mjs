// @ts-check
/**
 * What the numbers were measured on: CPU, cores, RAM, tool versions, and how busy the
 * machine was with other work (Linux /proc; "n/a" elsewhere).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** Clock ticks per second of /proc/<pid>/stat and /proc/stat on Linux. */
const CLOCK_TICKS = 100;

/**
 * @typedef {{ cpu: string, cores: number, ramGiB: number, os: string, versions: Record<string, string> }} Machine
 */

/** @param {string} file */
function readOrEmpty(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * @param {string} root
 * @param {string} pkg
 */
function packageVersion(root, pkg) {
  const text = readOrEmpty(path.join(root, "node_modules", pkg, "package.json"));
  return text === ""
    ? "n/a"
    : String(/** @type {{ version: unknown }} */ (JSON.parse(text)).version);
}

/**
 * @param {string} root
 * @param {string} workerd path of the workerd binary
 * @returns {Promise<Machine>}
 */
export async function describeMachine(root, workerd) {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readOrEmpty("/proc/cpuinfo"))?.[1] ??
    os.cpus()[0]?.model ??
    "n/a";
  const { stdout } = await run(workerd, ["--version"]);
  return {
    cpu: model.trim(),
    cores: os.availableParallelism(),
    ramGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    versions: {
      node: process.version,
      workerd: `${stdout.trim()} (npm workerd ${packageVersion(root, "workerd")})`,
      wrangler: packageVersion(root, "wrangler"),
      autocannon: packageVersion(root, "autocannon"),
      esbuild: packageVersion(root, "esbuild"),
      hono: packageVersion(root, "hono"),
    },
  };
}

/**
 * CPU seconds used so far by the whole machine (all cores, busy time only), or NaN.
 */
export function machineBusySeconds() {
  const line = readOrEmpty("/proc/stat").split("\n")[0] ?? "";
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8) {
    return Number.NaN;
  }
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/**
 * CPU seconds used so far by process `pid`, all its threads (V8's garbage collector and
 * compiler threads included), or NaN. Read from each thread's schedstat (time on a CPU,
 * in ns) where the kernel has it, else from /proc/<pid>/stat (user + system, 10 ms ticks).
 * @param {number | undefined} pid
 */
export function processCpuSeconds(pid) {
  if (pid === undefined) {
    return Number.NaN;
  }
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return Number.NaN;
  }
  let ns = 0;
  for (const task of tasks) {
    const text = readOrEmpty(`/proc/${pid}/task/${task}/schedstat`);
    if (text === "") {
      return statCpuSeconds(pid);
    }
    ns += Number(text.split(" ")[0]);
  }
  return ns / 1e9;
}

/**
 * @param {number} pid
 */
function statCpuSeconds(pid) {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  // Fields after the ")" closing the command name; utime and stime are the 14th and 15th.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
}

/**
 * Snapshot of how much CPU the benchmark's own processes and the whole machine used.
 * @param {readonly (number | undefined)[]} pids the benchmark's processes (this one included);
 *   `undefined` entries (processes not started) are skipped
 */
export function cpuSnapshot(pids) {
  let ours = 0;
  for (const pid of pids) {
    if (pid !== undefined) {
      ours += processCpuSeconds(pid);
    }
  }
  return { machine: machineBusySeconds(), ours, atMs: Date.now() };
}

/** Machine busy and total CPU ticks so far (Linux), or undefined. */
function cpuTicks() {
  const fields = (readOrEmpty("/proc/stat").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  if (fields.length < 8) {
    return undefined;
  }
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Waits (at most `maxWaitMs`) until the machine has been quiet for one second: less than
 * `threshold` (0..1) of all cores busy. Other work on a 2-core machine skews every figure.
 * @param {number} maxWaitMs
 * @param {number} threshold
 * @returns {Promise<{ busyShare: number, waitedS: number }>} the last one-second sample
 */
export async function waitForQuiet(maxWaitMs, threshold) {
  const started = Date.now();
  let busyShare = Number.NaN;
  for (;;) {
    const before = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = cpuTicks();
    if (before === undefined || after === undefined) {
      return { busyShare, waitedS: 0 };
    }
    busyShare = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busyShare < threshold || Date.now() - started >= maxWaitMs) {
      return { busyShare, waitedS: (Date.now() - started) / 1000 };
    }
  }
}
