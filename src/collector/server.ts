/**
 * The local collector: an HTTP server on 127.0.0.1 that takes the router's
 * data points (POST /points, sent by the local sink in src/edge/metrics.ts)
 * and answers the controller's and the CLI's queries in the SQL API's
 * `{meta, data, rows}` form, with the JavaScript twins of the production SQL
 * (whatever analysis query it is sent, answered by recorded-source.ts
 * `answerQuery`; the series by series.ts `seriesApiRows`, step by step
 * through series-cache.ts).
 * `npm start` and `npm run dev` start it. Node only.
 */

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import * as v from "valibot";
import { COLLECTOR_PATHS } from "../control/collector-source";
import { parseAnalysisQuery } from "../control/analysis-query";
import { MetricsError } from "../control/metrics-error";
import { answerQuery } from "../control/recorded-source";
import { isJsonObject } from "../core/issues";
import { ColumnsCache, handleReportRoute } from "./report-route";
import { SeriesCache } from "./series-cache";
import type { ReportPage } from "./report-route";
import { PointStore, pointSchema, stampedSchema } from "./store";
import type { Incoming, StoreLimits } from "./store";

/** Largest request body: a batch of points or a query. */
const MAX_BODY_BYTES = 1024 * 1024;

/** `{points: [...]}` (stamped, a batch), `{point, at?}`, or a bare point (the local sink). */
function pointsOf(
  json: unknown,
): { ok: true; points: Incoming[] } | { ok: false; message: string } {
  const schema =
    isJsonObject(json) && "points" in json
      ? v.object({ points: v.array(stampedSchema) })
      : isJsonObject(json) && "point" in json
        ? stampedSchema
        : pointSchema;
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    return { ok: false, message: issueText(parsed.issues) };
  }
  const output = parsed.output;
  return { ok: true, points: "points" in output ? output.points : [output] };
}

// The analysis query is checked by its own schema (analysis-query.ts), so a
// change of the query needs no change here.
const analysisBody = v.object({ query: v.unknown() });
const seriesQuery = v.object({
  query: v.looseObject({
    key: v.string(),
    lookbackSeconds: v.pipe(v.number(), v.finite(), v.minValue(0)),
    stepSeconds: v.nullable(v.pipe(v.number(), v.finite(), v.minValue(1))),
    revision: v.nullable(v.string()),
  }),
});

/** Options of startCollector. */
export interface CollectorOptions {
  /** Where points are kept, e.g. `.wrangler/state/gray-collector`. */
  readonly stateDir: string;
  readonly port?: number;
  readonly host?: string;
  readonly now?: () => number;
  /** How much to keep (default: store.ts MAX_POINTS, MAX_AGE_MS). */
  readonly limits?: StoreLimits;
  /** Builds the live report page (report-route.ts); without it, /report answers 404. */
  readonly page?: ReportPage;
}

/** A running collector. */
export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:8703`. */
  readonly url: string;
  readonly port: number;
  readonly store: PointStore;
  close(): Promise<void>;
}

/** Starts the collector; rejects with the listen error (EADDRINUSE...) when the port is taken. */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const now = options.now ?? Date.now;
  const store = await PointStore.open(options.stateDir, now, options.limits);
  const series = new SeriesCache();
  const columns = new ColumnsCache();
  const server = createServer((req, res) => {
    handle(req, res, { store, series, columns, now, page: options.page }).catch(
      (error: unknown) => {
        send(res, 500, `collector: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** What the handler reads and answers from. */
interface State {
  readonly store: PointStore;
  readonly series: SeriesCache;
  readonly columns: ColumnsCache;
  readonly now: () => number;
  readonly page: ReportPage | undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  const { store, now, page } = state;
  const path = new URL(req.url ?? "/", "http://collector.invalid").pathname;
  if (await handleReportRoute(req, res, store, state.columns, page)) {
    return;
  }
  if (req.method === "GET" && path === COLLECTOR_PATHS.health) {
    sendJson(res, 200, { service: "gray-router local collector", ...store.stats() });
    return;
  }
  if (req.method !== "POST") {
    send(res, req.method === "GET" ? 404 : 405, `collector: no ${req.method ?? ""} ${path}`);
    return;
  }
  const body = await readJson(req);
  if (!body.ok) {
    send(res, body.status, `collector: ${body.message}`);
    return;
  }
  if (path === COLLECTOR_PATHS.points) {
    const parsed = pointsOf(body.json);
    if (!parsed.ok) {
      send(res, 400, `collector: not a data point: ${parsed.message}`);
      return;
    }
    for (const point of parsed.points) {
      store.add(point);
    }
    send(res, 204, "");
    return;
  }
  if (path === COLLECTOR_PATHS.analysis) {
    const query = analysisQueryOf(body.json);
    if (!query.ok) {
      send(res, 400, `collector: ${query.message}`);
      return;
    }
    sendJson(res, 200, answerQuery(store.all(), query.query, now()));
    return;
  }
  if (path === COLLECTOR_PATHS.series) {
    const parsed = v.safeParse(seriesQuery, body.json);
    if (!parsed.success) {
      send(res, 400, `collector: not a series query: ${issueText(parsed.issues)}`);
      return;
    }
    sendJson(res, 200, answer(state.series.rows(store, parsed.output.query, now())));
    return;
  }
  send(res, 404, `collector: no POST ${path}`);
}

/** `{query: <analysis query>}`, checked by the analysis's own schema. */
function analysisQueryOf(
  json: unknown,
): { ok: true; query: ReturnType<typeof parseAnalysisQuery> } | { ok: false; message: string } {
  const body = v.safeParse(analysisBody, json);
  if (!body.success) {
    return { ok: false, message: `not an analysis query: ${issueText(body.issues)}` };
  }
  try {
    return { ok: true, query: parseAnalysisQuery(body.output.query) };
  } catch (error) {
    if (error instanceof MetricsError) {
      return { ok: false, message: error.message };
    }
    throw error;
  }
}

/** The SQL API's JSON answer form; column types as ClickHouse would name them. */
function answer(data: readonly Readonly<Record<string, string | number | null>>[]): {
  meta: { name: string; type: string }[];
  data: readonly Readonly<Record<string, string | number | null>>[];
  rows: number;
} {
  const first = data[0] ?? {};
  const meta = Object.entries(first).map(([name, value]) => ({
    name,
    type: typeof value === "string" ? "String" : "Float64",
  }));
  return { meta, data, rows: data.length };
}

function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  return issue === undefined ? "invalid" : `${v.getDotPath(issue) ?? "body"}: ${issue.message}`;
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; json: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      return { ok: false, status: 413, message: `body over ${MAX_BODY_BYTES} bytes` };
    }
    chunks.push(buffer);
  }
  try {
    return { ok: true, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, status: 400, message: "body is not JSON" };
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}
