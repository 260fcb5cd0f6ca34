import { inject } from "vitest";
import * as v from "valibot";
import { SUMMARY_COLUMNS } from "../../../src/control/sql";

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

/** A summary-query row; counts as the API may send them (numbers or quoted 64-bit integers). */
export interface Row {
  cohort: string;
  outcome?: string;
  requests: number | string;
  status_errors?: number | string;
  step_requests?: number | string;
  p50_ms?: number | null;
  p95_ms?: number | null;
  p99_ms?: number | null;
  rows_read?: number | string;
}

/** A documented `{meta, data, rows}` answer to the summary query. */
export function summaryAnswer(rows: readonly Row[]): {
  meta: { name: string; type: string }[];
  data: Row[];
  rows: number;
} {
  const data = rows.map((r) => ({
    outcome: "ok",
    status_errors: 0,
    step_requests: r.requests,
    p50_ms: 100,
    p95_ms: 200,
    p99_ms: 400,
    rows_read: r.requests,
    ...r,
  }));
  return {
    meta: SUMMARY_COLUMNS.map((name) => ({
      name,
      type:
        name === "cohort" || name === "outcome"
          ? "String"
          : name.endsWith("_ms")
            ? "Float64"
            : "UInt64",
    })),
    data,
    rows: data.length,
  };
}
