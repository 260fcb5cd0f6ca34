// @ts-check
/**
 * Turns the raw measurements into figures and judges the targets (pure: no I/O); the
 * Markdown itself is rendered by report-render.mjs.
 */
import { median, spread } from "./stats.mjs";

/**
 * @typedef {import("./load.mjs").Run} Run
 * @typedef {import("./variants.mjs").VariantSpec} VariantSpec
 * @typedef {import("./services.mjs").KvRead} KvRead
 * @typedef {{ reads: KvRead[], requests: number, allReads: number }} KvData
 *   `reads`: KV requests during the load rounds; `requests`: requests served meanwhile;
 *   `allReads`: KV requests during the whole run.
 * @typedef {{ visitor: "returning" | "new", rollout: "plain" | "rules", nsPerOp: number[], canaryShare: number }} DecisionCost
 * @typedef {{
 *   date: string, command: string, elapsedS: number, source: string, candidate: string | undefined,
 *   machine: import("./machine.mjs").Machine,
 *   settings: { rounds: number, seconds: number, warmupSeconds: number, connections: number,
 *     latencySeconds: number, instructions: number, quietWaitSeconds: number, cacheSeconds: number,
 *     ttfbCount: number, decideN: number, decideRepetitions: number },
 *   specs: VariantSpec[],
 *   load: Record<string, Run[]>,
 *   latency: { name: string, round: number, p50Ms: number, requests: number }[],
 *   ttfb: Record<string, number[]>,
 *   decide: DecisionCost[],
 *   instructions: import("./instructions.mjs").Instructions | undefined,
 *   kv: Record<"router" | "router-ae", KvData>,
 *   ae: { posts: number, bytes: number, requests: number },
 *   bundle: import("./bundle.mjs").BundleSize,
 *   cpu: { quiet: { busyShare: number, waitedS: number }, loadAvgStart: number[], loadAvgLoad: number[],
 *     loadAvgEnd: number[], ourCpuS: number, machineCpuS: number, wallS: number },
 * }} BenchData
 * @typedef {import("./stats.mjs").Spread} Spread
 * @typedef {{ name: string, target: string, measured: string, met: boolean }} Target
 */

/** workerd CPU a router may add per request over the bare Worker (µs). */
export const CPU_ADDED_TARGET_US = 45;
/** Router throughput as a share of the bare Worker's. */
export const THROUGHPUT_TARGET = 0.7;
/** p50 latency a router may add with one connection (ms). */
export const P50_ADDED_TARGET_MS = 0.1;

/**
 * Per-round values of `combine(a, b)`, pairing runs of the same round.
 * @template {{ round: number }} R
 * @param {readonly R[]} a
 * @param {readonly R[]} b
 * @param {(a: R, b: R) => number} combine
 */
export function perRound(a, b, combine) {
  return a.flatMap((run) => {
    const other = b.find((candidate) => candidate.round === run.round);
    return other === undefined ? [] : [combine(run, other)];
  });
}

const rpsRatio = (/** @type {Run} */ a, /** @type {Run} */ b) => a.rps / b.rps;
const cpuDiff = (/** @type {Run} */ a, /** @type {Run} */ b) =>
  a.workerdCpuUsPerRequest - b.workerdCpuUsPerRequest;
const p99Diff = (/** @type {Run} */ a, /** @type {Run} */ b) => a.p99Ms - b.p99Ms;

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
  const runsOf = (/** @type {string} */ name) => load[name] ?? [];
  const bare = runsOf("bare");
  const variants = Object.fromEntries(
    data.specs
      .filter((spec) => runsOf(spec.name).length > 0)
      .map((spec) => {
        const runs = runsOf(spec.name);
        return [
          spec.name,
          {
            spec,
            rps: spread(runs.map((run) => run.rps)),
            p50: spread(runs.map((run) => run.p50Ms)),
            p99: spread(runs.map((run) => run.p99Ms)),
            cpu: spread(runs.map((run) => run.workerdCpuUsPerRequest)),
            cpuAdded: spread(perRound(runs, bare, cpuDiff)),
            vsBare: spread(perRound(runs, bare, rpsRatio)),
            failures: runs.reduce((sum, run) => sum + run.failures, 0),
            requests: runs.reduce((sum, run) => sum + run.requests, 0),
          },
        ];
      }),
  );
  /** @param {string} a @param {string} b */
  const cpuOver = (a, b) => spread(perRound(runsOf(a), runsOf(b), cpuDiff));
  const ratio = spread(perRound(runsOf("router"), bare, rpsRatio));
  const ratioNew = spread(perRound(runsOf("router-new"), bare, rpsRatio));
  const cpuAdded = cpuOver("router", "bare");
  const cpuAddedNew = cpuOver("router-new", "bare");
  const p99Added = spread(perRound(runsOf("router"), bare, p99Diff));
  const latencyOf = (/** @type {string} */ name) => data.latency.filter((run) => run.name === name);
  const p50Diff = (/** @type {{ p50Ms: number }} */ a, /** @type {{ p50Ms: number }} */ b) =>
    a.p50Ms - b.p50Ms;
  const p50Added = spread(perRound(latencyOf("router"), latencyOf("bare"), p50Diff));
  const p50AddedNew = spread(perRound(latencyOf("router-new"), latencyOf("bare"), p50Diff));
  const ablation = data.specs
    .filter((spec) => spec.group === "ablation" && runsOf(spec.name).length > 0)
    .map((spec, i, steps) => ({
      spec,
      overBare: cpuOver(spec.name, "bare"),
      overPrevious: cpuOver(spec.name, i === 0 ? "bare" : (steps[i - 1]?.name ?? "bare")),
    }));
  const asides = data.specs
    .filter((spec) => spec.group === "aside" && runsOf(spec.name).length > 0)
    .map((spec) => ({
      spec,
      overRouter: cpuOver(spec.name, "router"),
      overBare: cpuOver(spec.name, "bare"),
    }));
  const features = data.specs
    .filter((spec) => spec.group === "feature" && runsOf(spec.name).length > 0)
    .map((spec) => ({
      spec,
      overRouter: cpuOver(spec.name, "router"),
      overBare: cpuOver(spec.name, "bare"),
    }));
  const candidate =
    runsOf("router-candidate").length === 0
      ? undefined
      : {
          vsRouter: spread(perRound(runsOf("router-candidate"), runsOf("router"), rpsRatio)),
          cpuOverRouter: cpuOver("router-candidate", "router"),
          cpuOverBare: cpuOver("router-candidate", "bare"),
          vsBare: spread(perRound(runsOf("router-candidate"), bare, rpsRatio)),
        };
  const ae = {
    ratio: spread(perRound(runsOf("router-ae"), runsOf("router"), rpsRatio)),
    cpuOverRouter: cpuOver("router-ae", "router"),
  };
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
  const failures = Object.values(variants).reduce((sum, variant) => sum + variant.failures, 0);
  const instructionsOf = (/** @type {string} */ name) =>
    data.instructions === undefined || "skipped" in data.instructions
      ? undefined
      : data.instructions.runs.find((run) => run.name === name)?.kInstructionsPerRequest;
  const bareK = instructionsOf("bare");
  const routerK = instructionsOf("router");
  const instructionsAdded =
    bareK === undefined || routerK === undefined ? undefined : routerK - bareK;

  /** @type {Target[]} */
  const targets = [
    {
      name: "workerd CPU added per request, router − bare (returning visitor)",
      target: `≤ ${CPU_ADDED_TARGET_US} µs`,
      measured: us(cpuAdded),
      met: cpuAdded.median <= CPU_ADDED_TARGET_US,
    },
    {
      name: "router throughput vs bare Worker (returning visitor)",
      target: `≥ ${pct(THROUGHPUT_TARGET)}`,
      measured: `${pct(ratio.median)} (${pct(ratio.min)}–${pct(ratio.max)})`,
      met: ratio.median >= THROUGHPUT_TARGET,
    },
    {
      name: "router throughput vs bare Worker (new visitor)",
      target: `≥ ${pct(THROUGHPUT_TARGET)}`,
      measured: `${pct(ratioNew.median)} (${pct(ratioNew.min)}–${pct(ratioNew.max)})`,
      met: ratioNew.median >= THROUGHPUT_TARGET,
    },
    {
      name: "p50 latency added with one connection, router − bare (returning visitor)",
      target: `≤ ${P50_ADDED_TARGET_MS.toFixed(2)} ms`,
      measured: data.latency.length === 0 ? "not measured" : ms(p50Added),
      met: data.latency.length > 0 && p50Added.median <= P50_ADDED_TARGET_MS,
    },
    {
      name: "p99 latency added with 10 connections, router − bare (returning visitor)",
      target: "< 2 ms",
      measured: ms(p99Added),
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
      measured: `${kv.loads} loads (${kv.gets} GETs) during the load rounds; shortest gap ${kv.minGapS.toFixed(1)} s (window ${data.settings.cacheSeconds} s)`,
      met: kv.met && kvAe.met,
    },
    {
      name: "production bundle, gzipped (default level)",
      target: "< 64 KiB",
      measured: `${(data.bundle.gzipDefaultBytes / 1024).toFixed(1)} KiB`,
      met: data.bundle.gzipDefaultBytes < 64 * 1024,
    },
  ];
  const lines = [
    `router/bare throughput ratio: ${ratio.median.toFixed(2)}`,
    `router/bare throughput ratio, new visitors: ${ratioNew.median.toFixed(2)}`,
    `CPU added: ${cpuAdded.median.toFixed(0)} µs per request (workerd CPU, router − bare, returning visitors)`,
    `CPU added, new visitors: ${cpuAddedNew.median.toFixed(0)} µs per request`,
    ...(instructionsAdded === undefined
      ? []
      : [
          `instructions added: ${instructionsAdded.toFixed(0)} k per request (callgrind, router − bare, returning visitors)`,
        ]),
    ...(candidate === undefined
      ? []
      : [
          `candidate: CPU added ${candidate.cpuOverBare.median.toFixed(0)} µs (${signed(candidate.cpuOverRouter.median)} µs vs router); candidate/bare throughput ${candidate.vsBare.median.toFixed(2)}`,
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
    cpuAdded,
    cpuAddedNew,
    p99Added,
    p50Added,
    p50AddedNew,
    ablation,
    asides,
    features,
    candidate,
    ae,
    ttfb,
    ttfbAdded,
    decisions,
    kv,
    kvAe,
    failures,
    instructionsOf,
    instructionsAdded,
    targets,
    lines,
  };
}

/** @param {number} x */
export const pct = (x) => `${(x * 100).toFixed(1)} %`;
/** @param {number} x */
export const signed = (x) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(0)}`;
/** @param {Spread} s */
export const ms = (s) => `${s.median.toFixed(2)} ms (${s.min.toFixed(2)} to ${s.max.toFixed(2)})`;
/** @param {Spread} s */
export const us = (s) => `${s.median.toFixed(0)} µs (${s.min.toFixed(0)} to ${s.max.toFixed(0)})`;
/** @param {Spread} s */
export const ns = (s) =>
  `${(s.median / 1000).toFixed(2)} µs (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
