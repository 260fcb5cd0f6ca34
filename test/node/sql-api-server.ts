import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as v from "valibot";

/**
 * A local stand-in for the Workers Analytics Engine SQL API, run in Node by
 * the vitest global setup, for the controller's tests. It answers
 * `POST /client/v4/accounts/<account>/analytics_engine/sql` in the documented
 * JSON form (`{meta, data, rows}`), or with whatever a test scripted:
 *
 * - `PUT /__control/<account>` with `{token?, answers?: Answer[], fallback?: Answer}`
 *   replaces that account's script. Each query takes the next answer; when
 *   they run out, `fallback` (default: 200 with no rows). With `token`, a
 *   request without `Authorization: Bearer <token>` gets the API gateway's
 *   403 envelope.
 * - `GET /__control/<account>/requests`: the queries received (authorization
 *   header, content type, SQL text), oldest first.
 * - `POST /hooks/<name>`: a webhook receiver; `GET /__control/hooks/<name>`
 *   lists the bodies it received.
 *
 * Accounts are independent, so test files running in parallel use their own.
 */

interface Script {
  token: string | undefined;
  answers: Answer[];
  fallback: Answer;
  requests: { authorization: string; contentType: string; sql: string }[];
}

/** The running server. */
export interface SqlApiServer {
  readonly port: number;
  close(): Promise<void>;
}

const answerSchema = v.object({
  status: v.exactOptional(v.number()),
  /** A string is sent as is (text/plain unless `contentType`); anything else as JSON. */
  body: v.exactOptional(v.unknown()),
  contentType: v.exactOptional(v.string()),
  /** Wait this long before the response headers. */
  delayMs: v.exactOptional(v.number()),
  /** Send the headers, then wait this long before the body. */
  stallBodyMs: v.exactOptional(v.number()),
});

/** One scripted answer. */
export type Answer = v.InferOutput<typeof answerSchema>;
const controlSchema = v.object({
  token: v.exactOptional(v.string()),
  answers: v.exactOptional(v.array(answerSchema)),
  fallback: v.exactOptional(answerSchema),
});

const EMPTY: Answer = {
  status: 200,
  body: { meta: [], data: [], rows: 0 },
};

/** Starts the server on a free port of 127.0.0.1. */
export async function startSqlApiServer(): Promise<SqlApiServer> {
  const scripts = new Map<string, Script>();
  const hooks = new Map<string, unknown[]>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const script = (account: string): Script => {
    const existing = scripts.get(account);
    if (existing !== undefined) {
      return existing;
    }
    const fresh: Script = { token: undefined, answers: [], fallback: EMPTY, requests: [] };
    scripts.set(account, fresh);
    return fresh;
  };
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sql-api.invalid");
    const body = await readBody(req);
    const sql = /^\/client\/v4\/accounts\/([^/]+)\/analytics_engine\/sql$/.exec(url.pathname);
    const control = /^\/__control\/([^/]+)(\/requests)?$/.exec(url.pathname);
    const hook = /^\/(?:__control\/)?hooks\/([^/]+)$/.exec(url.pathname);
    if (sql?.[1] !== undefined && req.method === "POST") {
      const s = script(decodeURIComponent(sql[1]));
      const authorization = req.headers.authorization ?? "";
      s.requests.push({ authorization, contentType: req.headers["content-type"] ?? "", sql: body });
      if (s.token !== undefined && authorization !== `Bearer ${s.token}`) {
        await answer(res, {
          status: 403,
          body: {
            success: false,
            errors: [{ code: 10000, message: "Authentication error" }],
            messages: [],
            result: null,
          },
        });
        return;
      }
      await answer(res, s.answers.shift() ?? s.fallback);
      return;
    }
    if (hook?.[1] !== undefined) {
      const received = hooks.get(hook[1]) ?? [];
      hooks.set(hook[1], received);
      if (req.method === "POST") {
        received.push(JSON.parse(body));
        await answer(res, { status: 200, body: "ok" });
      } else {
        await answer(res, { status: 200, body: received });
      }
      return;
    }
    if (control?.[1] !== undefined) {
      const s = script(decodeURIComponent(control[1]));
      if (control[2] !== undefined) {
        await answer(res, { status: 200, body: s.requests });
        return;
      }
      const settings = v.parse(controlSchema, JSON.parse(body));
      s.token = settings.token;
      s.answers = [...(settings.answers ?? [])];
      s.fallback = settings.fallback ?? EMPTY;
      s.requests = [];
      await answer(res, { status: 204 });
      return;
    }
    await answer(res, { status: 404, body: "not found" });
  }

  async function answer(res: ServerResponse, a: Answer): Promise<void> {
    if (a.delayMs !== undefined) {
      await wait(a.delayMs);
    }
    if (res.destroyed) {
      return;
    }
    const text =
      a.body === undefined ? "" : typeof a.body === "string" ? a.body : JSON.stringify(a.body);
    const type =
      a.contentType ??
      (typeof a.body === "string" ? "text/plain; charset=utf-8" : "application/json");
    res.writeHead(a.status ?? 200, {
      "Content-Type": type,
      "Content-Length": Buffer.byteLength(text),
    });
    if (a.stallBodyMs !== undefined) {
      res.flushHeaders();
      await wait(a.stallBodyMs);
      if (res.destroyed) {
        return;
      }
    }
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString("utf8");
}
