// @ts-check
/**
 * `npm run bench:worst [-- --write]`: the CPU one request can cost at worst.
 * Runs the production entry (src/index.ts) on raw workerd with each rollout of
 * scenarios.mjs and sends its request, sequentially; the workerd process's CPU
 * time (/proc, user + system) divided by the requests is the cost per request,
 * whatever else the machine does. Also times the routing decision alone
 * (header `X-Worst-Decide`, rules included). `--write` puts the table into
 * BENCHMARKS.md, section "Worst case per request" (kept last in the file).
 *
 * Reuses the benchmark's raw-workerd helpers in scripts/bench/ as they are.
 * Settings (environment): WORST_ROUNDS (3), WORST_ROUND_SECONDS (2),
 * WORST_MIN_CALLS (20), WORST_DECISIONS (20), WORST_ONLY (scenario names).
 */
import http from "node:http";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker, stopBundler } from "../bench/bundle.mjs";
import { processCpuSeconds } from "../bench/machine.mjs";
import { stopAll, stopChildrenOnExit } from "../bench/processes.mjs";
import { kvService } from "../bench/services.mjs";
import { startWorkerd } from "../bench/workerd.mjs";
import { SCENARIOS, documentOf } from "./scenarios.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const out = path.join(root, ".wrangler", "worst-case");
const WORKERD = path.join(root, "node_modules", ".bin", "workerd");
const SECTION = "## Worst case per request";
/** The target of issue 11: the worst accepted document on the worst accepted request. */
const TARGET_MS = 5;
const ROUNDS = Number(process.env["WORST_ROUNDS"] ?? 3);
/** Each round sends requests for at least this long (CPU ticks are 10 ms)... */
const ROUND_SECONDS = Number(process.env["WORST_ROUND_SECONDS"] ?? 2);
/** ... and at least this many. */
const MIN_CALLS = Number(process.env["WORST_MIN_CALLS"] ?? 20);
/** Routing decisions per measuring request. */
const DECISIONS = Number(process.env["WORST_DECISIONS"] ?? 20);
/** Only these scenarios (comma-separated names), e.g. to measure an older version quickly. */
const ONLY = process.env["WORST_ONLY"]?.split(",");

/**
 * Starts an HTTP server on 127.0.0.1 (ephemeral port) and resolves with its port.
 * @param {http.RequestListener} handler
 * @returns {Promise<{ server: http.Server, port: number }>}
 */
function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address !== null ? address.port : 0 });
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One request to the router; resolves with the status, the cohort header and the body.
 * @param {number} port
 * @param {string} host
 * @param {import("./scenarios.mjs").WorstRequest} request
 * @param {number} [decisions] instead of proxying, answer this many routing decisions
 * @returns {Promise<{ status: number, cohort: string, body: string }>}
 */
function send(port, host, request, decisions) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: "127.0.0.1",
        port,
        path: request.path,
        agent,
        headers: {
          ...request.headers,
          Host: host,
          ...(decisions === undefined ? {} : { "X-Worst-Decide": String(decisions) }),
        },
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on("data", (/** @type {Buffer} */ chunk) => chunks.push(chunk));
        res.once("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            cohort: String(res.headers["x-gray-cohort"] ?? ""),
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.once("error", reject);
      },
    );
    req.once("error", reject);
  });
}

/**
 * CPU ms per request of workerd `pid` while sending `request` for ROUND_SECONDS.
 * @param {number | undefined} pid
 * @param {() => Promise<unknown>} once
 */
async function cpuPerCall(pid, once) {
  const started = Date.now();
  const before = processCpuSeconds(pid);
  let calls = 0;
  while (Date.now() - started < ROUND_SECONDS * 1000 || calls < MIN_CALLS) {
    await once();
    calls++;
  }
  return ((processCpuSeconds(pid) - before) * 1000) / calls;
}

/** @param {number[]} values */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
/** @param {string} text a table cell: a `|` inside it would end the cell */
const cell = (text) => text.replace(/\|/g, "\\|");
/** @param {number} ms */
const fmt = (ms) => (ms < 1 ? ms.toFixed(2) : ms.toFixed(1));

async function main() {
  stopChildrenOnExit((line) => console.error(line));
  const loadBefore = os.loadavg()[0] ?? NaN;
  await mkdir(out, { recursive: true });
  const origin = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "2" });
    res.end("ok");
  });
  const originUrl = `http://127.0.0.1:${origin.port}`;
  const chosen = SCENARIOS.filter((s) => ONLY === undefined || ONLY.includes(s.name));
  const hosts = new Map(chosen.map((s) => [`${s.name}.worst`, s]));
  const documents = new Map([...hosts].map(([host, s]) => [host, documentOf(s, originUrl)]));
  const kv = kvService(documents, Date.now);
  const kvServer = await listen(kv.handle);

  const module = await bundleWorker(path.join(here, "worker.mts"), path.join(out, "worker.js"));
  await stopBundler();
  const started = await startWorkerd({
    workerd: WORKERD,
    dir: path.join(out, "workerd"),
    workers: [
      {
        name: "worst-case",
        module,
        bindings: [
          { name: "ROLLOUTS", kvNamespace: "kv" },
          { name: "CONFIG_CACHE_SECONDS", text: "10" },
          { name: "ORIGIN_TIMEOUT_SECONDS", text: "30" },
        ],
      },
    ],
    services: [{ name: "kv", address: `127.0.0.1:${kvServer.port}` }],
  });
  const router = { pid: started.pid, port: Number(new URL(started.urls["worst-case"] ?? "").port) };

  /** @type {{ name: string, what: string, decision: string, status: number, request: number[], decide: number[] }[]} */
  const rows = [];
  for (const [host, scenario] of hosts) {
    const first = await send(router.port, host, scenario.request);
    const probe = JSON.parse((await send(router.port, host, scenario.request, 1)).body);
    const decision = Object.keys(probe.decisions ?? {})[0] ?? "?";
    for (let i = 0; i < 20; i++) {
      await send(router.port, host, scenario.request);
    }
    const row = {
      name: scenario.name,
      what: scenario.what,
      decision,
      status: first.status,
      request: /** @type {number[]} */ ([]),
      decide: /** @type {number[]} */ ([]),
    };
    for (let round = 0; round < ROUNDS; round++) {
      row.request.push(
        await cpuPerCall(router.pid, () => send(router.port, host, scenario.request)),
      );
      const n = DECISIONS;
      row.decide.push(
        (await cpuPerCall(router.pid, () => send(router.port, host, scenario.request, n))) / n,
      );
    }
    rows.push(row);
    console.error(
      `${scenario.name}: ${first.status} ${decision}; request ${row.request.map(fmt).join(", ")} ms CPU; decision ${row.decide.map(fmt).join(", ")} ms`,
    );
  }
  agent.destroy();
  await stopAll();
  origin.server.close();
  kvServer.server.close();

  const worst = Math.max(...rows.map((r) => Math.max(...r.request)));
  const load = `${loadBefore.toFixed(2)} / ${(os.loadavg()[0] ?? NaN).toFixed(2)}`;
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith("WORST_"))
    .map(([name, value]) => `${name}=${value ?? ""} `)
    .join("");
  const command = `${settings}npm run bench:worst${process.argv.includes("--write") ? " -- --write" : ""}`;
  const section = [
    SECTION,
    "",
    `Generated by \`${command}\` (scripts/worst-case/run.mjs) on ${new Date().toISOString()}; ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, node ${process.version}, workerd from node_modules; load average (1 min) at start / end ${load}.`,
    "",
    `**Worst CPU per request: ${fmt(worst)} ms** (target ≤ ${TARGET_MS} ms: ${worst <= TARGET_MS ? "met" : "**missed**"}), the largest single-round figure below.`,
    "",
    'The production entry (src/index.ts) on raw workerd, one rollout per scenario (50 rules of the kind named, the most a document may hold) and its request, sent one at a time over a keep-alive connection to a local origin answering `ok`; the Analytics Engine dataset is a no-op. "request" is the workerd process\'s CPU time (user + system, /proc) per request, over ' +
      `${ROUNDS} rounds of at least ${ROUND_SECONDS} s each: median (max). "decision" is the routing decision alone (request facts and \`decide\`, every rule) timed the same way in a loop of ${DECISIONS}. "routed" is where the request went and what decided.`,
    "",
    "| scenario | request CPU ms | decision ms | routed | rules |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(median(r.request))} (${fmt(Math.max(...r.request))}) | ${fmt(median(r.decide))} | ${r.status} ${r.decision} | ${cell(r.what)} |`,
    ),
    "",
  ].join("\n");
  console.log(section);
  if (process.argv.includes("--write")) {
    const file = path.join(root, "BENCHMARKS.md");
    const text = await readFile(file, "utf8");
    const at = text.indexOf(SECTION);
    const kept = (at < 0 ? text : text.slice(0, at)).replace(/\s*$/, "\n\n");
    await writeFile(file, `${kept}${section}`);
    console.error(`wrote the section "${SECTION.slice(3)}" of BENCHMARKS.md`);
  }
}

await main();
