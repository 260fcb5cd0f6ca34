// @ts-check
/**
 * Turns the raw measurements into figures, judges the targets, and renders BENCHMARKS.md.
 * Pure: no I/O.
 */
import { median, spread } from "./stats.mjs";

/**
 * @typedef {"direct" | "bare" | "router" | "router-new" | "router-ae" | "router-candidate"} VariantName
 * @typedef {import("./load.mjs").LoadResult & { round: number, workerdCpuUsPerRequest: number }} Run
 * @typedef {import("./services.mjs").KvRead} KvRead
 * @typedef {{ reads: KvRead[], requests: number, allReads: number }} KvData
 *   `reads`: KV requests during the load rounds; `requests`: requests served meanwhile;
 *   `allReads`: KV requests during the whole run.
 * @typedef {{ visitor: "returning" | "new", rollout: "plain" | "rules", nsPerOp: number[], canaryShare: number }} DecisionCost
 * @typedef {{
 *   date: string, command: string, elapsedS: number, source: string, candidate: string | undefined,
 *   machine: import("./machine.mjs").Machine,
 *   settings: { rounds: number, seconds: number, warmupSeconds: number, connections: number, quietWaitSeconds: number,
 *     cacheSeconds: number, ttfbCount: number, decideN: number, decideRepetitions: number },
 *   load: Record<VariantName, Run[]>,
 *   ttfb: Record<string, number[]>,
 *   decide: DecisionCost[],
 *   kv: Record<"router" | "router-ae", KvData>,
 *   ae: { posts: number, bytes: number, requests: number },
 *   bundle: import("./bundle.mjs").BundleSize,
 *   cpu: { quiet: { busyShare: number, waitedS: number }, loadAvgStart: number[], loadAvgEnd: number[],
 *     ourCpuS: number, machineCpuS: number, wallS: number },
 * }} BenchData
 * @typedef {import("./stats.mjs").Spread} Spread
 * @typedef {{ name: string, target: string, measured: string, met: boolean }} Target
 */

/** Labels of the load variants, in report order. */
export const VARIANTS = /** @type {const} */ ({
  direct: "origin, direct (no worker)",
  bare: "bare pass-through worker",
  router: "gray-router, returning visitor (main case)",
  "router-new": "gray-router, new visitor (id + Set-Cookie)",
  "router-ae": "gray-router production entry + Analytics Engine binding, returning visitor",
  "router-candidate": "candidate router (BENCH_CANDIDATE), returning visitor",
});

/**
 * Per-round values of `pick(a) op pick(b)`, pairing runs of the same round.
 * @param {Run[]} a
 * @param {Run[]} b
 * @param {(a: Run, b: Run) => number} combine
 */
function perRound(a, b, combine) {
  return a.flatMap((run) => {
    const other = b.find((candidate) => candidate.round === run.round);
    return other === undefined ? [] : [combine(run, other)];
  });
}

/**
 * @param {KvData} kv
 * @param {number} windowS
 */
function kvFigures(kv, windowS) {
  const loads = kv.reads.filter((read) => read.key === "default");
  const gapsS = loads
    .slice(1)
    .map((read, i) => (read.atMs - /** @type {KvRead} */ (loads[i]).atMs) / 1000);
  const keys = [...new Set(kv.reads.map((read) => `${read.key} (${read.status})`))];
  return {
    gets: kv.reads.length,
    loads: loads.length,
    keys,
    perTenThousand: (kv.reads.length * 10_000) / Math.max(1, kv.requests),
    minGapS: gapsS.length === 0 ? Number.NaN : Math.min(...gapsS),
    // At most one load per window: consecutive loads at least one window apart.
    met: gapsS.every((gap) => gap >= windowS),
  };
}

/**
 * Every derived figure, the targets and a short console summary.
 * @param {BenchData} data
 */
export function summarize(data) {
  const { load } = data;
  const measured = /** @type {VariantName[]} */ (Object.keys(VARIANTS)).filter(
    (name) => load[name].length > 0,
  );
  const variants = Object.fromEntries(
    measured.map((name) => {
      const runs = load[name];
      return [
        name,
        {
          rps: spread(runs.map((run) => run.rps)),
          p50: spread(runs.map((run) => run.p50Ms)),
          p99: spread(runs.map((run) => run.p99Ms)),
          cpu: spread(runs.map((run) => run.workerdCpuUsPerRequest)),
          failures: runs.reduce((sum, run) => sum + run.failures, 0),
          requests: runs.reduce((sum, run) => sum + run.requests, 0),
        },
      ];
    }),
  );
  const rpsRatio = (/** @type {Run} */ a, /** @type {Run} */ b) => a.rps / b.rps;
  const p99Diff = (/** @type {Run} */ a, /** @type {Run} */ b) => a.p99Ms - b.p99Ms;
  const p50Diff = (/** @type {Run} */ a, /** @type {Run} */ b) => a.p50Ms - b.p50Ms;
  const ratio = spread(perRound(load.router, load.bare, rpsRatio));
  const ratioNew = spread(perRound(load["router-new"], load.bare, rpsRatio));
  const p99Added = spread(perRound(load.router, load.bare, p99Diff));
  const p99AddedNew = spread(perRound(load["router-new"], load.bare, p99Diff));
  const p50Added = spread(perRound(load.router, load.bare, p50Diff));
  const p99AddedDirect = spread(perRound(load.router, load.direct, p99Diff));
  const aeRatio = spread(perRound(load["router-ae"], load.router, rpsRatio));
  const cpuRatio = (/** @type {Run} */ a, /** @type {Run} */ b) =>
    a.workerdCpuUsPerRequest / b.workerdCpuUsPerRequest;
  const candidate =
    load["router-candidate"].length === 0
      ? undefined
      : {
          vsRouter: spread(perRound(load["router-candidate"], load.router, rpsRatio)),
          vsBare: spread(perRound(load["router-candidate"], load.bare, rpsRatio)),
          p99VsRouter: spread(perRound(load["router-candidate"], load.router, p99Diff)),
          p99AddedVsBare: spread(perRound(load["router-candidate"], load.bare, p99Diff)),
          cpuVsRouter: spread(perRound(load["router-candidate"], load.router, cpuRatio)),
        };
  const aeP50 = spread(perRound(load["router-ae"], load.router, p50Diff));
  const ttfb = Object.fromEntries(
    Object.entries(data.ttfb).map(([name, times]) => [name, spread(times)]),
  );
  const ttfbAdded = median(data.ttfb["router"] ?? []) - median(data.ttfb["direct"] ?? []);
  const decisions = data.decide.map((cost) => ({ ...cost, spread: spread(cost.nsPerOp) }));
  const slowest = decisions.reduce(
    (worst, cost) => (cost.spread.median > worst.spread.median ? cost : worst),
    /** @type {(typeof decisions)[number]} */ (decisions[0]),
  );
  const kv = kvFigures(data.kv.router, data.settings.cacheSeconds);
  const kvAe = kvFigures(data.kv["router-ae"], data.settings.cacheSeconds);
  const gzipKiB = data.bundle.gzipDefaultBytes / 1024;
  const failures = Object.values(variants).reduce((sum, variant) => sum + variant.failures, 0);

  /** @type {Target[]} */
  const targets = [
    {
      name: "router throughput vs bare worker (returning visitor)",
      target: "≥ 90 %",
      measured: `${pct(ratio.median)} (${pct(ratio.min)}–${pct(ratio.max)})`,
      met: ratio.median >= 0.9,
    },
    {
      name: "p99 latency added, router − bare (returning visitor)",
      target: "< 2 ms",
      measured: `${ms(p99Added)}`,
      met: p99Added.median < 2,
    },
    {
      name: "routing decision (facts + cookie parse + decide), slowest case measured",
      target: "< 20 µs",
      measured: `${ns(slowest.spread)} (${slowest.visitor} visitor, ${slowest.rollout} rollout)`,
      met: decisions.every((cost) => cost.spread.median < 20_000),
    },
    {
      name: "streamed first byte, router − direct (medians)",
      target: "< 5 ms",
      measured: `${ttfbAdded.toFixed(2)} ms`,
      met: ttfbAdded < 5,
    },
    {
      name: "KV rollout loads per isolate per cache window (router)",
      target: "≤ 1",
      measured: `${kv.loads} loads (${kv.gets} GETs) in ${data.settings.rounds * 2} router runs; shortest gap ${kv.minGapS.toFixed(1)} s (window ${data.settings.cacheSeconds} s)`,
      met: kv.met && kvAe.met,
    },
    {
      name: "production bundle, gzipped (default level)",
      target: "< 64 KiB",
      measured: `${gzipKiB.toFixed(1)} KiB`,
      met: data.bundle.gzipDefaultBytes < 64 * 1024,
    },
  ];
  const lines = [
    `router/bare throughput ratio: ${ratio.median.toFixed(2)}`,
    ...(candidate === undefined
      ? []
      : [
          `candidate/bare throughput ratio: ${candidate.vsBare.median.toFixed(2)}; candidate/router: ${candidate.vsRouter.median.toFixed(2)}; ` +
            `workerd CPU per request candidate/router: ${candidate.cpuVsRouter.median.toFixed(2)}`,
        ]),
    ...targets.map(
      (t) => `${t.met ? "met   " : "MISSED"}  ${t.name}: ${t.measured} (target ${t.target})`,
    ),
    ...(failures > 0
      ? [
          `WARNING: ${failures} failed requests (errors, timeouts or non-2xx) during the load rounds`,
        ]
      : []),
  ];
  return {
    variants,
    ratio,
    ratioNew,
    p99Added,
    p99AddedNew,
    p50Added,
    p99AddedDirect,
    aeRatio,
    aeP50,
    candidate,
    ttfb,
    ttfbAdded,
    decisions,
    kv,
    kvAe,
    failures,
    targets,
    lines,
  };
}

/** @param {number} x */
const pct = (x) => `${(x * 100).toFixed(1)} %`;
/** @param {Spread} s */
const ms = (s) => `${s.median.toFixed(2)} ms (${s.min.toFixed(2)} to ${s.max.toFixed(2)})`;
/** @param {Spread} s */
const ns = (s) =>
  `${(s.median / 1000).toFixed(2)} µs (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
/**
 * @param {Spread} s
 * @param {number} digits
 */
const range = (s, digits) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/**
 * @param {BenchData} data
 * @param {ReturnType<typeof summarize>} summary
 */
export function renderReport(data, summary) {
  const { machine, settings, bundle, cpu } = data;
  const s = summary;
  const otherCpuS = Math.max(0, cpu.machineCpuS - cpu.ourCpuS);
  const otherShare = otherCpuS / (machine.cores * cpu.wallS);
  const loadRows = /** @type {VariantName[]} */ (Object.keys(VARIANTS)).flatMap((name) => {
    const v = s.variants[name];
    if (v === undefined) {
      return [];
    }
    const vsBare =
      name === "direct" || name === "bare"
        ? ""
        : pct(median(perRound(data.load[name], data.load.bare, (a, b) => a.rps / b.rps)));
    const cpuCell = name === "direct" ? "–" : range(v.cpu, 0);
    return [
      `| ${VARIANTS[name]} | ${range(v.rps, 0)} | ${range(v.p50, 2)} | ${range(v.p99, 2)} | ${vsBare} | ${cpuCell} | ${v.requests} | ${v.failures} |`,
    ];
  });
  const ttfbRows = Object.entries(s.ttfb).map(
    ([name, t]) =>
      `| ${name} | ${t.median.toFixed(2)} | ${t.min.toFixed(2)} | ${t.max.toFixed(2)} | ${t.n} |`,
  );
  const kvRow = (
    /** @type {string} */ name,
    /** @type {ReturnType<typeof kvFigures>} */ kv,
    /** @type {KvData} */ raw,
  ) =>
    `| ${name} | ${raw.requests} | ${kv.gets} | ${kv.loads} | ${kv.keys.join(", ")} | ${kv.perTenThousand.toFixed(2)} | ${Number.isNaN(kv.minGapS) ? "–" : `${kv.minGapS.toFixed(1)} s`} | ${kv.met ? "yes" : "**no**"} |`;
  const missed = s.targets.filter((t) => !t.met);

  return `# Benchmarks

Generated by \`${data.command}\` (scripts/bench/run.mjs) on ${data.date}, in ${data.elapsedS.toFixed(0)} s.
Source measured: ${data.source}.${data.candidate === undefined ? "" : `\nCandidate (BENCH_CANDIDATE): ${data.candidate}.`}

router/bare throughput ratio: ${s.ratio.median.toFixed(2)}

${missed.length === 0 ? "**Every target is met.**" : `**Targets missed: ${missed.map((t) => t.name).join("; ")}.**`}${s.failures > 0 ? `\n\n**Warning: ${s.failures} failed requests (errors, timeouts or non-2xx) during the load rounds.**` : ""}

## Targets

| what | target | measured: median (min–max over rounds) | met |
|---|---|---|---|
${s.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "yes" : "**NO**"} |`).join("\n")}

## Machine and versions

| | |
|---|---|
| CPU | ${machine.cpu} |
| cores | ${machine.cores}, shared by the load generator (autocannon, in the runner process), workerd and the origin (own process); nothing is pinned |
| RAM | ${machine.ramGiB.toFixed(1)} GiB |
| OS | ${machine.os} |
| load average (1 min) at start / end | ${cpu.loadAvgStart[0]?.toFixed(2)} / ${cpu.loadAvgEnd[0]?.toFixed(2)} |
| machine busy just before the load rounds | ${(cpu.quiet.busyShare * 100).toFixed(0)} % (after waiting ${cpu.quiet.waitedS.toFixed(0)} s for < 15 %) |
| CPU used by other processes during the load rounds | ${Number.isNaN(otherShare) ? "n/a" : `${(otherShare * 100).toFixed(1)} % of the machine (${otherCpuS.toFixed(1)} CPU-s in ${cpu.wallS.toFixed(0)} s)`} |
${Object.entries(machine.versions)
  .map(([name, version]) => `| ${name} | ${version} |`)
  .join("\n")}

Command: \`${data.command}\` (settings used: BENCH_ROUNDS=${settings.rounds} BENCH_SECONDS=${settings.seconds} BENCH_WARMUP_SECONDS=${settings.warmupSeconds} BENCH_CONNECTIONS=${settings.connections} BENCH_QUIET_WAIT_SECONDS=${settings.quietWaitSeconds}).

## Setup

- Everything on 127.0.0.1. Origin: node:http in a child process, a ${"1 KiB"} HTML body with \`Content-Length\` for \`/\`; \`/stream\` sends its first chunk at once and three more 20 ms apart. The rollout (90/10, \`stable\` and \`canary\` on two ports of that origin) lives under the KV key \`default\`, served by a KV stand-in (one per worker, in the origin's process).
- Workers run on raw workerd (\`workerd serve\`, generated \`config.capnp\`, compatibility date 2026-04-01, \`--experimental\`), one process each, same binary and settings: the **bare worker** (\`bench/bare-worker.js\`, a \`fetch\` forwarder), the **router** (\`bench/router-entry.ts\`: the default export of \`src/index.ts\`, unchanged, given a no-op \`METRICS\` dataset, plus the bench-only \`/__bench/decide\` route), and the **production entry** (\`${bundle.file}\`, the \`wrangler deploy --dry-run\` bundle) with a real \`analyticsEngine\` binding posting to a local sink.
- Load: autocannon ${machine.versions["autocannon"]}, ${settings.connections} connections, one request in flight per connection, ${settings.warmupSeconds} s warm-up per variant, then ${settings.rounds} rounds of ${settings.seconds} s per variant, the order rotated every round. Returning visitors: 1,024 distinct valid \`gray_vid\` cookies (so 90/10 applies); the direct and bare runs send the same requests. Latency percentiles are exact (from every response), per run; the table gives the median over rounds and the range. Ratios and differences are taken per round (runs of the same round), then the median.
- "workerd CPU/req" is the workerd process's CPU time (user + system, /proc, 10 ms ticks) divided by the requests of that run: the cost per request independent of how the 2 cores were shared.

## Throughput and latency

| variant | req/s | p50 ms | p99 ms | req/s vs bare | workerd CPU µs/req | requests | failed |
|---|---|---|---|---|---|---|---|
${loadRows.join("\n")}

- Router vs bare, returning visitor: throughput ${pct(s.ratio.median)} (${pct(s.ratio.min)}–${pct(s.ratio.max)}); p50 added ${ms(s.p50Added)}; p99 added ${ms(s.p99Added)}. Router p99 − direct p99: ${ms(s.p99AddedDirect)}.
- Router vs bare, new visitor: throughput ${pct(s.ratioNew.median)} (${pct(s.ratioNew.min)}–${pct(s.ratioNew.max)}); p99 added ${ms(s.p99AddedNew)}.${
    s.candidate === undefined
      ? ""
      : `\n- Candidate vs router (same rounds): throughput ${pct(s.candidate.vsRouter.median)} (${pct(s.candidate.vsRouter.min)}–${pct(s.candidate.vsRouter.max)}); workerd CPU per request ${pct(s.candidate.cpuVsRouter.median)} (${pct(s.candidate.cpuVsRouter.min)}–${pct(s.candidate.cpuVsRouter.max)}); p99 difference ${ms(s.candidate.p99VsRouter)}. Candidate vs bare: throughput ${pct(s.candidate.vsBare.median)}, p99 added ${ms(s.candidate.p99AddedVsBare)}.`
  }

## Analytics Engine path

The production entry (real \`analyticsEngineSink\` over an \`analyticsEngine\` binding) against the router with a no-op sink, same requests: throughput ${pct(s.aeRatio.median)} (${pct(s.aeRatio.min)}–${pct(s.aeRatio.max)}), p50 added ${ms(s.aeP50)}. The local sink received ${data.ae.posts} HTTP requests (${data.ae.bytes} bytes) for ${data.ae.requests} requests served (${(data.ae.posts / Math.max(1, data.ae.requests)).toFixed(2)} per request). In raw workerd each data point becomes one HTTP request to the bound service; in production Cloudflare batches them outside the request, so this is an upper bound of the cost, not a production figure.

## Routing decision

\`/__bench/decide?n=${settings.decideN}\` minus \`n=0\`, timed from Node (workerd's clocks do not advance during pure CPU work), ${settings.decideRepetitions} repetitions after a warm-up. One op = \`requestFacts\` + \`identifyVisitor\` (cookie parse) + \`decide\` (rules, murmur3 hash, bucket, layout) on a rollout parsed once (bench/decide-loop.ts); returning visitors cycle through 4,096 distinct cookies. \`plain\`: 90/10 weights only; \`rules\`: plus the README's three example rules (cookie, bot, country + path), none matching, so every rule is evaluated.

| visitor | rollout | per decision: median (min–max) | non-stable share |
|---|---|---|---|
${s.decisions.map((cost) => `| ${cost.visitor} | ${cost.rollout} | ${ns(cost.spread)} | ${pct(cost.canaryShare)} |`).join("\n")}

## Streamed first byte

\`/stream\` (first chunk written at once, then more every 20 ms), ${settings.ttfbCount} sequential requests per target over one keep-alive connection, interleaved; time from sending the request to the first body byte, in ms.

| target | median | min | max | n |
|---|---|---|---|---|
${ttfbRows.join("\n")}

Router − direct (medians): ${s.ttfbAdded.toFixed(2)} ms.

## KV reads (CONFIG_CACHE_SECONDS=${settings.cacheSeconds})

One workerd process serves each worker with a single isolate. A rollout load reads the host key (\`127.0.0.1\`, missing: 404) then \`default\`: **2 KV GETs per load**. Counted by the KV stand-in during the load rounds.

| worker | requests | KV GETs | loads | keys (status) | GETs per 10,000 requests | shortest gap between loads | ≤ 1 load per window |
|---|---|---|---|---|---|---|---|
${kvRow("router", s.kv, data.kv.router)}
${kvRow("production entry + AE", s.kvAe, data.kv["router-ae"])}

Whole run, warm-up and probes included (about ${data.elapsedS.toFixed(0)} s): the KV stand-ins saw ${data.kv.router.allReads} GETs from the router and ${data.kv["router-ae"].allReads} from the production entry.

## Bundle size (\`npx wrangler deploy --dry-run --outdir bench/out/deploy\`)

| file | raw | gzip (default level) | gzip -9 |
|---|---|---|---|
| ${bundle.file} | ${(bundle.rawBytes / 1024).toFixed(1)} KiB (${bundle.rawBytes} B) | ${(bundle.gzipDefaultBytes / 1024).toFixed(1)} KiB (${bundle.gzipDefaultBytes} B) | ${(bundle.gzip9Bytes / 1024).toFixed(1)} KiB (${bundle.gzip9Bytes} B) |

## Caveats

- Two cores run the load generator, workerd and the origin together: absolute req/s say more about this machine than about Cloudflare's edge; the ratios and the per-request CPU are the portable figures.
- Loopback has no network latency, so the router's fixed costs weigh more here than they would in front of a real origin.
`;
}
