// @ts-check
/**
 * Optional (BENCH_INSTRUCTIONS=<requests>): workerd's instructions per request for every
 * variant, counted by valgrind's callgrind, so a figure that other work on the machine
 * cannot inflate. The same Workers run in a second workerd process under callgrind; each
 * variant gets a warm-up, then callgrind's counters are zeroed, `requests` requests are
 * sent (4 at a time over keep-alive connections), and the counters dumped. Instructions
 * are not time (no kernel work, no cache misses), and a garbage collection landing inside
 * or outside a window moves a figure by some thousands: compare with enough requests.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { startWorkers } from "./workers.mjs";

const run = promisify(execFile);
const CONCURRENCY = 4;
const WARMUP = 300;

/**
 * @typedef {{ name: string, kInstructionsPerRequest: number }} InstructionRun
 * @typedef {{ requests: number, runs: InstructionRun[], failed: string[] } | { skipped: string }} Instructions
 */

/** True if valgrind and callgrind_control can be run. */
async function haveValgrind() {
  try {
    await run("valgrind", ["--version"]);
    await run("callgrind_control", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` GETs of `/`, `CONCURRENCY` at a time, each with the next request's headers.
 * @param {string} url
 * @param {readonly import("autocannon").Request[]} requests
 * @param {number} count
 */
async function send(url, requests, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let failed = 0;
  const one = (/** @type {number} */ i) =>
    new Promise((resolve, reject) => {
      const request = requests[i % requests.length];
      http
        .get(`${url}/`, { agent, headers: request?.headers ?? {} }, (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        })
        .once("error", reject);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const status = await one(next++);
        if (status !== 200) {
          failed++;
        }
      }
    }),
  );
  agent.destroy();
  if (failed > 0) {
    throw new Error(`${url}: ${failed} of ${count} requests did not answer 200`);
  }
}

/**
 * The instruction total of the newest callgrind dump in `dir`.
 * @param {string} dir
 */
async function lastDumpTotal(dir) {
  const dumps = (await readdir(dir))
    .filter((file) => /^callgrind\.out\.\d+\.\d+$/.test(file))
    .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  const last = dumps[dumps.length - 1];
  if (last === undefined) {
    throw new Error(`no callgrind dump in ${dir}`);
  }
  const text = await readFile(path.join(dir, last), "utf8");
  const total = /^(?:totals|summary):\s+(\d+)/m.exec(text)?.[1];
  if (total === undefined) {
    throw new Error(`no instruction total in ${last}`);
  }
  return Number(total);
}

/**
 * @param {{
 *   requests: number,
 *   workerd: string, out: string, cacheSeconds: number,
 *   modules: import("./workers.mjs").Modules,
 *   specs: readonly import("./variants.mjs").VariantSpec[],
 *   ports: import("./backends.mjs").BackendPorts,
 *   requestsOf: (spec: import("./variants.mjs").VariantSpec) => import("autocannon").Request[],
 *   log: (message: string) => void,
 * }} options
 * @returns {Promise<Instructions>}
 */
export async function measureInstructions(options) {
  if (!(await haveValgrind())) {
    return { skipped: "valgrind is not installed (Debian: apt-get install valgrind)" };
  }
  const specs = options.specs.filter(
    (spec) => spec.module !== undefined && spec.metrics === undefined,
  );
  options.log(
    `instructions: workerd under callgrind, ${WARMUP} + ${options.requests} requests per variant (slow)`,
  );
  const workers = await startWorkers({
    workerd: options.workerd,
    out: options.out,
    cacheSeconds: options.cacheSeconds,
    modules: options.modules,
    specs,
    ports: options.ports,
    name: "workerd-callgrind",
    launcher: [
      "valgrind",
      "--tool=callgrind",
      "--smc-check=all-non-file",
      "--cache-sim=no",
      "--branch-sim=no",
      "--separate-threads=no",
      "--dump-instr=no",
      "--dump-line=no",
      "--collect-atstart=yes",
      "--callgrind-out-file=callgrind.out.%p",
    ],
  });
  const pid = String(workers.pid);
  /** @type {InstructionRun[]} */
  const runs = [];
  /** @type {string[]} */
  const failed = [];
  try {
    for (const spec of specs) {
      const url = workers.urls[spec.name];
      if (url === undefined) {
        continue;
      }
      const requests = options.requestsOf(spec);
      try {
        await send(url, requests, WARMUP);
        await run("callgrind_control", ["-z", pid]);
        await send(url, requests, options.requests);
        await run("callgrind_control", ["-d", pid]);
        const total = await lastDumpTotal(workers.dir);
        const kInstructionsPerRequest = total / options.requests / 1000;
        runs.push({ name: spec.name, kInstructionsPerRequest });
        options.log(
          `  ${spec.name.padEnd(26)} ${kInstructionsPerRequest.toFixed(1)} k instructions/request`,
        );
      } catch (error) {
        // Under valgrind everything is tens of times slower: a variant whose origin
        // timeout fires (failover) is left out rather than failing the whole benchmark.
        failed.push(`${spec.name} (${String(error)})`);
        options.log(`  ${spec.name.padEnd(26)} failed: ${String(error)}`);
      }
    }
  } finally {
    await workers.stop();
  }
  return { requests: options.requests, runs, failed };
}
