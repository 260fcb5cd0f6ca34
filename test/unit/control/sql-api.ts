import { inject } from "vitest";
import * as v from "valibot";

/**
 * Talks to the local SQL-API stand-in (test/node/sql-api-server.ts). Every
 * test file uses its own account so files running in parallel never share a
 * script.
 */

/** Base URL to give SqlMetricsSource (`baseUrl`). */
export function sqlApiBase(): string {
  return `http://127.0.0.1:${inject("sqlApiPort")}/client/v4`;
}

/** A webhook URL on the stand-in that records what it receives. */
export function hookUrl(name: string): string {
  return `http://127.0.0.1:${inject("sqlApiPort")}/hooks/${name}`;
}

/** One scripted answer of the stand-in. */
export interface Answer {
  readonly status?: number;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly delayMs?: number;
  readonly stallBodyMs?: number;
}

/** Replaces the account's script. */
export async function script(
  account: string,
  settings: { token?: string; answers?: readonly Answer[]; fallback?: Answer },
): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${inject("sqlApiPort")}/__control/${account}`, {
    method: "PUT",
    body: JSON.stringify(settings),
  });
  await response.arrayBuffer();
}

const requestsSchema = v.array(
  v.object({ authorization: v.string(), contentType: v.string(), sql: v.string() }),
);

/** The queries the account received since its script was set. */
export async function received(account: string): Promise<v.InferOutput<typeof requestsSchema>> {
  const response = await fetch(
    `http://127.0.0.1:${inject("sqlApiPort")}/__control/${account}/requests`,
  );
  return v.parse(requestsSchema, await response.json());
}

/** The bodies a stand-in webhook received. */
export async function hookBodies(name: string): Promise<unknown[]> {
  const response = await fetch(`http://127.0.0.1:${inject("sqlApiPort")}/__control/hooks/${name}`);
  return v.parse(v.array(v.unknown()), await response.json());
}

/** One cohort's figures in scripted answers. */
export interface CohortFigures {
  readonly cohort: string;
  /** Stored rows, every one a new visitor's request decided by the weights. */
  readonly rows: number;
  readonly errorRate: number;
  /** `_sample_interval` of every row (default 1). */
  readonly weight?: number;
  /** Latency quantiles (ms): p95 given, p50 = p95 / 2 and p99 = 2 · p95 (default p95 200). */
  readonly p95?: number;
}

const CLUSTERS = 64;

/**
 * The two documented `{meta, data, rows}` answers a window read asks for,
 * in order: the latency quantiles per revision and cohort, then the cells
 * per revision, cohort and bucket cluster (counts quoted as 64-bit integers,
 * as ClickHouse may send them). Every request of a cohort is `ok` unless it
 * is an error; the canary's latency counts say it is as fast as stable.
 */
export function windowAnswers(revision: string, cohorts: readonly CohortFigures[]): Answer[] {
  const quantileRows = cohorts.map((c) => {
    const p95 = c.p95 ?? 200;
    const row: Record<string, string | number> = { revision, cohort: c.cohort, rows_read: c.rows };
    for (const [q, ms] of [
      ["p50", p95 / 2],
      ["p95", p95],
      ["p99", p95 * 2],
    ] as const) {
      row[`${q}_low_ms`] = ms * 0.9;
      row[`${q}_ms`] = ms;
      row[`${q}_high_ms`] = ms * 1.1;
    }
    return row;
  });
  const cellRows = cohorts.flatMap((c) => {
    const w = c.weight ?? 1;
    return Array.from({ length: CLUSTERS }, (_, k) => {
      const rows = Math.floor(c.rows / CLUSTERS) + (k < c.rows % CLUSTERS ? 1 : 0);
      const errors = Math.round(rows * c.errorRate);
      const ok = rows - errors;
      const row: Record<string, string | number> = {
        revision,
        cohort: c.cohort,
        cluster: k,
        rows_read: String(rows),
        requests: String(rows * w),
        requests_sq: String(rows * w * w),
        errors: String(errors * w),
        ok_rows: String(ok),
        ok_requests: String(ok * w),
        ok_sq: String(ok * w * w),
        assigned: String(rows * w),
        new_rows: String(rows),
        new_visitors: String(rows * w),
        new_sq: String(rows * w * w),
      };
      for (const [q, level] of [
        ["p50", 0.5],
        ["p95", 0.95],
        ["p99", 0.99],
      ] as const) {
        row[`${q}_below`] = Math.round(ok * level) * w;
        row[`${q}_within`] =
          c.cohort === "stable" ? ok * w : Math.round(ok * (1 - (1 - level) / 4)) * w;
      }
      return row;
    }).filter((r) => r["rows_read"] !== "0");
  });
  return [answer(quantileRows), answer(cellRows)];
}

/** A documented `{meta, data, rows}` answer with these rows (column types from the first). */
export function answer(data: readonly Record<string, unknown>[]): Answer {
  const first = data[0] ?? {};
  return {
    body: {
      meta: Object.entries(first).map(([name, value]) => ({
        name,
        type:
          typeof value === "number"
            ? "Float64"
            : name === "revision" || name === "cohort"
              ? "String"
              : "UInt64",
      })),
      data,
      rows: data.length,
    },
  };
}
