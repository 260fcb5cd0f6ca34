// @ts-check
/** Renders BENCHMARKS.md from the benchmark's data and summary (pure: no I/O). */
import { ms, ns, pct, signed } from "./report.mjs";

/**
 * @typedef {import("./report.mjs").BenchData} BenchData
 * @typedef {ReturnType<typeof import("./report.mjs").summarize>} Summary
 * @typedef {import("./stats.mjs").Spread} Spread
 */

/**
 * @param {Spread} s
 * @param {number} digits
 */
const range = (s, digits) =>
  Number.isNaN(s.median)
    ? "–"
    : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/** @param {Spread} s */
const added = (s) => `${signed(s.median)} (${signed(s.min)} to ${signed(s.max)})`;

/**
 * Where a missed CPU target stands against what the contract alone costs: the `floor`
 * aside (bench/ablation-entry.ts), if it was measured.
 * @param {readonly { spec: { name: string }, overBare: import("./stats.mjs").Spread }[]} asides
 */
const floorNote = (asides) => {
  const floor = asides.find((aside) => aside.spec.name === "aside-floor");
  return floor === undefined
    ? ""
    : ` The contract alone (the \`floor\` aside below: header copies, one timer, the body's first chunk, one data point, no routing) adds ${added(floor.overBare)} µs of workerd CPU over bare; docs/architecture.md ("Performance") says where the rest goes.`;
};

/** @param {readonly number[] | undefined} l */
const loadAvg = (l) => (l ?? []).map((x) => x.toFixed(2)).join(" / ");

/**
 * The optional callgrind table (BENCH_INSTRUCTIONS).
 * @param {BenchData} data
 * @param {Summary} s
 */
function instructionsSection(data, s) {
  const ins = data.instructions;
  if (ins === undefined) {
    return "Not measured in this run (`BENCH_INSTRUCTIONS=<requests> npm run bench` counts them with valgrind's callgrind: a figure other work on the machine cannot inflate).";
  }
  if ("skipped" in ins) {
    return `Skipped: ${ins.skipped}.`;
  }
  const bare = s.instructionsOf("bare");
  const rows = ins.runs.map((run) => {
    const spec = data.specs.find((candidate) => candidate.name === run.name);
    const over =
      bare === undefined || run.name === "bare" ? "" : signed(run.kInstructionsPerRequest - bare);
    return `| ${spec?.label ?? run.name} | ${run.kInstructionsPerRequest.toFixed(1)} | ${over} |`;
  });
  return `workerd's instructions per request (every thread), counted by callgrind over ${ins.requests} requests per variant after 300 of warm-up, 4 at a time: the same Workers in a second workerd process run under valgrind. Instructions are not time (no kernel work, no cache misses) and a garbage collection falling inside or outside a window moves a figure by some thousands; but other work on the machine cannot change them, so on a busy machine they are the figure to compare variants by.

| variant | k instructions/request | added over bare (k) |
|---|---|---|
${rows.join("\n")}${ins.failed.length === 0 ? "" : `\n\nNot measured under callgrind: ${ins.failed.join("; ")}.`}`;
}

/**
 * @param {BenchData} data
 * @param {Summary} s
 */
export function renderReport(data, s) {
  const { machine, settings, bundle, cpu } = data;
  const otherCpuS = Math.max(0, cpu.machineCpuS - cpu.ourCpuS);
  const otherShare = otherCpuS / (machine.cores * cpu.wallS);
  const missed = s.targets.filter((t) => !t.met);
  const v = s.variants;
  const bareCpu = v["bare"]?.cpu;

  const loadRows = Object.values(v).map(
    (x) =>
      `| ${x.spec.label} | ${range(x.rps, 0)} | ${range(x.p50, 2)} | ${range(x.p99, 2)} | ${x.spec.name === "bare" || x.spec.name === "direct" ? "" : pct(x.vsBare.median)} | ${x.spec.module === undefined ? "–" : range(x.cpu, 0)} | ${x.spec.module === undefined || x.spec.name === "bare" ? "" : added(x.cpuAdded)} | ${x.requests} | ${x.failures} |`,
  );
  const ablationRows = s.ablation.map(
    (step) =>
      `| ${step.spec.label} | ${range(v[step.spec.name]?.cpu ?? step.overBare, 0)} | ${added(step.overPrevious)} | ${added(step.overBare)} | ${pct(v[step.spec.name]?.vsBare.median ?? Number.NaN)} |`,
  );
  const routerRow = v["router"];
  const featureRows = s.features.map(
    (f) =>
      `| ${f.spec.label} | ${range(v[f.spec.name]?.cpu ?? f.overBare, 0)} | ${added(f.overRouter)} | ${added(f.overBare)} | ${pct(v[f.spec.name]?.vsBare.median ?? Number.NaN)} |`,
  );
  const latencyRows = ["bare", "router", "router-new"].flatMap((name) => {
    const runs = data.latency.filter((run) => run.name === name);
    if (runs.length === 0) {
      return [];
    }
    const p50 = runs.map((run) => run.p50Ms).sort((a, b) => a - b);
    const mid = p50[Math.floor(p50.length / 2)] ?? Number.NaN;
    return [
      `| ${name} | ${mid.toFixed(3)} | ${(p50[0] ?? Number.NaN).toFixed(3)}–${(p50[p50.length - 1] ?? Number.NaN).toFixed(3)} | ${runs.reduce((sum, run) => sum + run.requests, 0)} |`,
    ];
  });
  const ttfbRows = Object.entries(s.ttfb).map(
    ([name, t]) =>
      `| ${name} | ${t.median.toFixed(2)} | ${t.min.toFixed(2)} | ${t.max.toFixed(2)} | ${t.n} |`,
  );
  /**
   * @param {string} name
   * @param {Summary["kv"]} kv
   * @param {import("./report.mjs").KvData} raw
   */
  const kvRow = (name, kv, raw) =>
    `| ${name} | ${raw.requests} | ${kv.gets} | ${kv.loads} | ${kv.keys.join(", ")} | ${kv.perTenThousand.toFixed(2)} | ${Number.isNaN(kv.minGapS) ? "–" : `${kv.minGapS.toFixed(1)} s`} | ${kv.met ? "yes" : "**no**"} |`;

  return `# Benchmarks

Generated by \`${data.command}\` (scripts/bench/run.mjs) on ${data.date}, in ${data.elapsedS.toFixed(0)} s.
Source measured: ${data.source}.${data.candidate === undefined ? "" : `\nCandidate (BENCH_CANDIDATE): ${data.candidate}.`}
Load average (1 / 5 / 15 min) at start: ${loadAvg(cpu.loadAvgStart)}; after the load rounds: ${loadAvg(cpu.loadAvgLoad)}; at the end: ${loadAvg(cpu.loadAvgEnd)}.

${s.lines.slice(0, s.instructionsAdded === undefined ? 4 : 5).join("\n")}

${missed.length === 0 ? "**Every target is met.**" : `**Targets missed: ${missed.map((t) => t.name).join("; ")}.**${floorNote(s.asides)}`}${s.failures > 0 ? `\n\n**Warning: ${s.failures} failed requests (errors, timeouts or non-2xx) during the load rounds.**` : ""}${otherShare > 0.1 ? `\n\n**Warning: other processes used ${(otherShare * 100).toFixed(0)} % of the machine during the load rounds: absolute figures are inflated; compare with a run on a quiet machine.**` : ""}

## Targets

| what | target | measured: median (min–max over rounds) | met |
|---|---|---|---|
${s.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "yes" : "**NO**"} |`).join("\n")}

"CPU added" is the workerd process's CPU time per request for the router minus that of the bare Worker, taken per round (the two runs of the same round) and then the median over rounds; it does not depend on how the two cores were shared between workerd, the origin and the load generator. Throughput ratios are taken the same way.

## Where the CPU goes: the router built up step by step

Each row is a Worker of its own (bench/ablation-entry.ts) that adds one stage of the request path, using the production functions, to the row above it; the first row adds to the bare Worker. Returning visitors, ${settings.connections} connections. The bare Worker costs ${bareCpu === undefined ? "–" : range(bareCpu, 0)} µs of workerd CPU per request${routerRow === undefined ? "" : `; the router ${range(routerRow.cpu, 0)} µs`}.

| step | workerd CPU µs/req | added over the step above | added over bare | req/s vs bare |
|---|---|---|---|---|
${ablationRows.length === 0 ? "| (not built for this source) | | | | |" : ablationRows.join("\n")}
${routerRow === undefined ? "" : `| **the router** (bench/router-entry.ts: production wiring) | ${range(routerRow.cpu, 0)} | | ${added(routerRow.cpuAdded)} | ${pct(routerRow.vsBare.median)} |`}
${s.asides
  .map(
    (aside) => `
Aside: ${aside.spec.label}: ${range(v[aside.spec.name]?.cpu ?? aside.overBare, 0)} µs of workerd CPU per request, ${added(aside.overBare)} µs over bare, ${added(aside.overRouter)} µs over the router.`,
  )
  .join("")}

## What each optional feature costs

The router with one feature switched on in its rollout document (or vars), same requests.

| variant | workerd CPU µs/req | added over the router | added over bare | req/s vs bare |
|---|---|---|---|---|
${featureRows.join("\n")}

## Throughput and latency, every variant

| variant | req/s | p50 ms | p99 ms | req/s vs bare | workerd CPU µs/req | CPU added over bare µs | requests | failed |
|---|---|---|---|---|---|---|---|---|
${loadRows.join("\n")}
${s.candidate === undefined ? "" : `\nCandidate vs router (same rounds): throughput ${pct(s.candidate.vsRouter.median)} (${pct(s.candidate.vsRouter.min)}–${pct(s.candidate.vsRouter.max)}); CPU ${added(s.candidate.cpuOverRouter)} µs per request; candidate vs bare: throughput ${pct(s.candidate.vsBare.median)}, CPU added ${added(s.candidate.cpuOverBare)} µs.\n`}
## One connection

One request in flight at a time, ${settings.rounds} rounds of ${settings.latencySeconds} s per variant, alternating: the latency one client sees without queueing. p50 added, router − bare: ${data.latency.length === 0 ? "not measured" : ms(s.p50Added)}; new visitors: ${data.latency.length === 0 ? "not measured" : ms(s.p50AddedNew)}.

| variant | p50 ms (median of rounds) | range over rounds | requests |
|---|---|---|---|
${latencyRows.join("\n")}

## Instructions per request (callgrind)

${instructionsSection(data, s)}

## Analytics Engine path

The production entry (\`wrangler deploy --dry-run\` bundle, real \`analyticsEngineSink\` over a local \`analyticsEngine\` binding) against the router with a no-op dataset, same requests: throughput ${pct(s.ae.ratio.median)} (${pct(s.ae.ratio.min)}–${pct(s.ae.ratio.max)}), workerd CPU ${added(s.ae.cpuOverRouter)} µs per request. The local sink received ${data.ae.posts} HTTP requests (${data.ae.bytes} bytes) for ${data.ae.requests} requests served. In raw workerd each data point becomes one HTTP request to the bound service; in production the write is handed to the runtime in-process and batched outside the request, so this is an upper bound, reported apart from the main figures.

## Routing decision

\`/__bench/decide?n=${settings.decideN}\` minus \`n=0\`, timed from Node (workerd's clocks do not advance during pure CPU work), ${settings.decideRepetitions} repetitions after a warm-up. One op = \`requestFacts\` + \`identifyVisitor\` (cookie parse) + \`decide\` (rules, murmur3 hash, bucket, layout) on a rollout parsed once (bench/decide-loop.ts); returning visitors cycle through 4,096 distinct cookies. \`plain\`: 90/10 weights only; \`rules\`: plus the three example rules of docs/rollout-document.md, none matching, so every rule is evaluated.

| visitor | rollout | per decision: median (min–max) | non-stable share |
|---|---|---|---|
${s.decisions.map((cost) => `| ${cost.visitor} | ${cost.rollout} | ${ns(cost.spread)} | ${pct(cost.canaryShare)} |`).join("\n")}

## Streamed first byte

\`/stream\` (no Content-Length; first chunk written at once, then more every 20 ms), ${settings.ttfbCount} sequential requests per target over one keep-alive connection, interleaved; time from sending the request to the first body byte, in ms.

| target | median | min | max | n |
|---|---|---|---|---|
${ttfbRows.join("\n")}

Router − direct (medians): ${s.ttfbAdded.toFixed(2)} ms.

## KV reads (CONFIG_CACHE_SECONDS=${settings.cacheSeconds})

Each Worker is a single isolate with its own KV stand-in. A rollout load reads the host key (\`127.0.0.1\`, missing: 404) then \`default\`: **2 KV GETs per load**. Counted by the KV stand-in during the load rounds.

| worker | requests | KV GETs | loads | keys (status) | GETs per 10,000 requests | shortest gap between loads | ≤ 1 load per window |
|---|---|---|---|---|---|---|---|
${kvRow("router", s.kv, data.kv.router)}
${kvRow("production entry + AE", s.kvAe, data.kv["router-ae"])}

## Bundle size (\`npx wrangler deploy --dry-run --outdir bench/out/deploy\`)

| file | raw | gzip (default level) | gzip -9 |
|---|---|---|---|
| ${bundle.file} | ${(bundle.rawBytes / 1024).toFixed(1)} KiB (${bundle.rawBytes} B) | ${(bundle.gzipDefaultBytes / 1024).toFixed(1)} KiB (${bundle.gzipDefaultBytes} B) | ${(bundle.gzip9Bytes / 1024).toFixed(1)} KiB (${bundle.gzip9Bytes} B) |

## Machine, load and versions

| | |
|---|---|
| CPU | ${machine.cpu} |
| cores | ${machine.cores}, shared by the load generator (autocannon, in the runner process), workerd and the origin (own process); nothing is pinned |
| RAM | ${machine.ramGiB.toFixed(1)} GiB |
| OS | ${machine.os} |
| load average (1 / 5 / 15 min): start; after the load rounds; end | ${loadAvg(cpu.loadAvgStart)}; ${loadAvg(cpu.loadAvgLoad)}; ${loadAvg(cpu.loadAvgEnd)} |
| machine busy just before the load rounds | ${(cpu.quiet.busyShare * 100).toFixed(0)} % (after waiting ${cpu.quiet.waitedS.toFixed(0)} s for < 15 %) |
| CPU used by other processes during the load rounds | ${Number.isNaN(otherShare) ? "n/a" : `${(otherShare * 100).toFixed(1)} % of the machine (${otherCpuS.toFixed(1)} CPU-s in ${cpu.wallS.toFixed(0)} s)`} |
${Object.entries(machine.versions)
  .map(([name, version]) => `| ${name} | ${version} |`)
  .join("\n")}

Settings used: BENCH_ROUNDS=${settings.rounds} BENCH_SECONDS=${settings.seconds} BENCH_WARMUP_SECONDS=${settings.warmupSeconds} BENCH_CONNECTIONS=${settings.connections} BENCH_LATENCY_SECONDS=${settings.latencySeconds} BENCH_INSTRUCTIONS=${settings.instructions} BENCH_QUIET_WAIT_SECONDS=${settings.quietWaitSeconds}.

## Method

- Everything on 127.0.0.1. Origin: node:http in a child process, a 1 KiB HTML body with \`Content-Length\` for \`/\`; \`/stream\` sends its first chunk at once and three more 20 ms apart. Each router Worker reads its rollout (90/10, \`stable\` and \`canary\` on two ports of that origin, plus the variant's feature) under the KV key \`default\` from a KV stand-in of its own, in the origin's process.
- One raw workerd process (\`workerd serve\`, generated \`config.capnp\`, compatibility date 2026-04-01, \`--experimental\`) serves every Worker, each in its own isolate on its own port: the **bare Worker** (\`bench/bare-worker.js\`, a \`fetch\` forwarder), the ablation steps, the **router** (\`bench/router-entry.ts\`: the default export of \`src/index.ts\`, unchanged, given a no-op \`METRICS\` dataset as production's in-process write, plus the bench-only \`/__bench/decide\` route), the router with each feature, and the **production entry** (\`${bundle.file}\`) with a local \`analyticsEngine\` binding.
- Load: autocannon ${machine.versions["autocannon"]}, ${settings.connections} connections, one request in flight per connection, ${settings.warmupSeconds} s warm-up per variant, then ${settings.rounds} rounds of ${settings.seconds} s per variant, the order rotated every round. Returning visitors: 1,024 distinct valid \`gray_vid\` cookies (so 90/10 applies); the direct and bare runs send the same requests. Latency percentiles are exact (from every response), per run; tables give the median over rounds and the range.
- "workerd CPU µs/req": the workerd process's CPU time over a run (every thread, from /proc/<pid>/task/*/schedstat, in ns) divided by the requests of that run.

## Caveats

- Two cores run the load generator, workerd and the origin together: absolute req/s say more about this machine than about Cloudflare's edge; the ratios and the per-request CPU added are the portable figures. Other work on the machine inflates every CPU figure (caches, frequency, preemption); the per-round differences cancel most of it, but compare runs by their load averages above.
- Loopback has no network latency, so the router's fixed costs weigh more here than they would in front of a real origin.
`;
}
