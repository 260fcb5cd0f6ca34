/**
 * `gray status` as text: the document in force and who made it, the
 * cohorts over the window (weight against observed share, rate, errors,
 * latency), the judge's verdict with every check, and the controller's
 * state and next step. `watch` draws the same, plus sparklines.
 */

import { ANALYSIS_DEFAULTS } from "../../core/analysis-settings";
import { isJsonObject } from "../../core/issues";
import { percentText } from "../../control/policy";
import type { ControllerView } from "../controller-view";
import type { StatusView } from "../status-view";
import { renderChecks } from "./checks";
import { clock, count, ms, percent, relative, table, weight } from "./format";
import type { Paint } from "./style";
import { plain, statusTone } from "./style";

/** The status as lines of text. */
export function renderStatus(
  view: StatusView,
  paint: Paint,
  now: number,
  where: string,
  figures = true,
): string[] {
  return [
    ...header(view, paint, now, where),
    "",
    ...cohorts(view, paint),
    ...verdict(view, paint, figures),
    "",
    ...controller(view, paint, now),
  ];
}

function header(view: StatusView, paint: Paint, now: number, where: string): string[] {
  const doc = view.document;
  const lines = [
    `${paint("bold", `rollout ${view.key}`)}  revision ${doc.revision}  ${paint("dim", where)}`,
  ];
  const change = view.lastChange;
  if (change !== null) {
    const when = change.at === null ? "" : `${clock(change.at)} (${relative(change.at, now)}) `;
    const why = change.reason === "" ? "" : `: ${change.reason}`;
    const who =
      change.source === "manual"
        ? `by ${change.by} (${change.action})`
        : change.source === "controller"
          ? `by the controller (${change.action})`
          : "by other means than gray";
    lines.push(`changed   ${when}${who}${change.source === "controller" ? "" : why}`);
  }
  if (!doc.valid) {
    lines.push(paint("bad", "INVALID   the router keeps serving the last valid document it saw:"));
    lines.push(...doc.errors.map((e) => paint("bad", `          ${e}`)));
    return lines;
  }
  const origins = Object.entries(doc.origins);
  const width = Math.max(...origins.map(([c]) => c.length));
  origins.forEach(([cohort, url], i) => {
    lines.push(`${i === 0 ? "origins " : "        "}  ${cohort.padEnd(width)}  ${url}`);
  });
  lines.push(`analysis  ${analysisLine(doc.analysis)}`);
  return lines;
}

/**
 * The analysis block in one line, with the defaults filled in for the
 * fields that say what the controller will do: which cohort, which steps,
 * how long per step, when it rolls back, what happens at the end.
 */
function analysisLine(analysis: unknown): string {
  if (!isJsonObject(analysis)) {
    return "none (the controller does not steer this rollout)";
  }
  const d = ANALYSIS_DEFAULTS;
  const steps = Array.isArray(analysis["steps"]) ? analysis["steps"] : d.steps;
  const field = (name: string, fallback: unknown): string =>
    JSON.stringify(analysis[name] ?? fallback);
  const parts = [
    ...(analysis["canary"] === undefined ? [] : [`canary ${field("canary", "")}`]),
    `steps ${steps.join(" → ")} %`,
    `${field("interval", d.interval)} s per step`,
    `rollback after ${field("failuresToRollback", d.failuresToRollback)} failing runs`,
    `on complete ${field("onComplete", d.onComplete)}`,
  ];
  const flags = ["paused", "dryRun"].filter((flag) => analysis[flag] === true);
  const rest = Object.keys(analysis).filter(
    (name) =>
      ![
        "canary",
        "steps",
        "interval",
        "failuresToRollback",
        "onComplete",
        "paused",
        "dryRun",
      ].includes(name),
  );
  return [
    ...parts,
    ...flags.map((f) => f.toUpperCase()),
    ...(rest.length > 0 ? [`also ${rest.join(", ")}`] : []),
  ].join(", ");
}

function cohorts(view: StatusView, paint: Paint): string[] {
  const window = `last ${windowText(view.window.seconds)}`;
  const srmFailed = view.sampleRatio?.status === "fail";
  const rows = view.cohorts.map((c) => [
    `  ${c.cohort}`,
    weight(c.weight),
    c.share === null ? "–" : percent(c.share, 1),
    count(c.requestsPerMinute),
    c.errorRate === null
      ? "–"
      : paint(c.errorRate > 0.05 ? "bad" : c.errors > 0 ? "warn" : "good", percent(c.errorRate)),
    ms(c.p50Ms),
    ms(c.p95Ms),
    ms(c.p99Ms),
  ]);
  const lines = table(
    [[paint("bold", window), "weight", "share", "req/min", "errors", "p50", "p95", "p99"], ...rows],
    ["left", "right", "right", "right", "right", "right", "right", "right"],
    (text) => plain(text).length,
  );
  if (view.cohorts.length === 0) {
    lines.push(paint("dim", "  no cohorts"));
  }
  if (view.metricsError !== null) {
    lines.push(paint("warn", `  ⚠ figures unavailable: ${view.metricsError}`));
  } else if (view.cohorts.every((c) => c.requests === 0)) {
    lines.push(paint("dim", `  no requests in the ${window}`));
  }
  if (srmFailed) {
    lines.push(paint("bad", `  ⚠ sample-ratio mismatch: ${view.sampleRatio?.reason ?? ""}`));
  }
  return lines;
}

function verdict(view: StatusView, paint: Paint, figures: boolean): string[] {
  const v = view.verdict;
  if (v === null) {
    return [];
  }
  const named = (status: string) => v.checks.filter((c) => c.status === status).map((c) => c.check);
  const headline =
    v.status === "fail"
      ? `failed: ${named("fail").join(", ")}`
      : v.status === "pass"
        ? v.reason
        : `waiting for: ${named("inconclusive").join(", ")}`;
  return [
    "",
    `${paint("bold", "verdict")}   ${paint(statusTone(v.status), v.status.toUpperCase())}  ${headline}`,
    ...renderChecks(v.checks, paint, figures),
  ];
}

function controller(view: StatusView, paint: Paint, now: number): string[] {
  const c = view.controller;
  const lines = [`${paint("bold", "controller")}  ${c.summary}${progress(c)}`];
  if (!("next" in c) || c.next === null) {
    return lines;
  }
  const n = c.next;
  const when = n.at === null ? "at the next cron run" : `${clock(n.at)} (${relative(n.at, now)})`;
  const move = n.target === null ? "" : ` → ${percentText(Math.round(n.target * 100))}`;
  const tone =
    n.action === "rollback"
      ? "bad"
      : n.action === "promote" || n.action === "complete"
        ? "good"
        : "warn";
  lines.push(`next        ${when}: ${paint(tone, n.action)}${move} (${n.code})`);
  lines.push(
    paint("dim", `            ${n.reason.length > 200 ? `${n.reason.slice(0, 199)}…` : n.reason}`),
  );
  return lines;
}

function progress(c: StatusView["controller"]): string {
  if (!("stepSince" in c)) {
    return "";
  }
  const view: ControllerView = c;
  const since = view.stepSince === null ? "" : ` since ${clock(view.stepSince)}`;
  const failing =
    view.failures !== null && view.failures > 0 && view.failuresToRollback !== null
      ? ` (${view.failures} of ${view.failuresToRollback} failing runs before a rollback)`
      : "";
  return view.state === "ramping" || view.state === "rolling_back" ? `${since}${failing}` : "";
}

/** 300 -> "5 min". */
export function windowText(seconds: number): string {
  return seconds % 3600 === 0
    ? `${seconds / 3600} h`
    : seconds % 60 === 0
      ? `${seconds / 60} min`
      : `${seconds} s`;
}
