import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A local stand-in for the two Cloudflare APIs `gray --remote` uses, in the
 * forms their documentation gives:
 *
 * - Workers KV over REST: `GET|PUT /client/v4/accounts/<account>/storage/kv/namespaces/<ns>/values/<key>`
 *   (the raw value; a missing key is a 404 with Cloudflare's v4 envelope and
 *   code 10009) and `GET .../keys?limit=&cursor=` (`{success, result: [{name}],
 *   result_info: {count, cursor}}`, paged).
 * - The Analytics Engine SQL API: `POST /client/v4/accounts/<account>/analytics_engine/sql`
 *   with the SQL text, answered by the test's `sql` function.
 *
 * A request without `Authorization: Bearer <token>` gets the gateway's 403
 * envelope (code 10000, "Authentication error"). Tests script failures per
 * operation, act between requests (another writer), and read the log.
 */

/** One scripted answer. */
export interface Answer {
  readonly status: number;
  /** A string is sent as text/plain; anything else as JSON. */
  readonly body: unknown;
}

/** Which operation a request is. */
export type Operation = "get" | "put" | "list" | "sql";

/** The running stand-in. */
export interface CloudflareApi {
  /** The API base, as CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:<port>/client/v4`. */
  readonly base: string;
  readonly values: Map<string, string>;
  /** Requests received, oldest first. */
  readonly log: { operation: Operation; key: string; body: string }[];
  /** The next request of `operation` gets `answer` instead (queued). */
  fail(operation: Operation, answer: Answer): void;
  /** Called before each answer to a request of `operation` (after it was logged). */
  on(operation: Operation, hook: (count: number) => void): void;
  /** Answers SQL API queries. Default: no rows. */
  sql: (text: string) => Answer;
  /** Keys per page of the key list. */
  pageSize: number;
  close(): Promise<void>;
}

/** The v4 envelope of a failure. */
export function envelope(code: number, message: string): unknown {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

/** Starts the stand-in for one account, namespace and token. */
export async function startCloudflareApi(options: {
  readonly accountId: string;
  readonly namespaceId: string;
  readonly token: string;
}): Promise<CloudflareApi> {
  const failures = new Map<Operation, Answer[]>();
  const hooks = new Map<Operation, (count: number) => void>();
  const counts = new Map<Operation, number>();
  const kvPath = new RegExp(
    `^/client/v4/accounts/${options.accountId}/storage/kv/namespaces/([^/]+)/(values/(.+)|keys)$`,
  );
  const sqlPath = new RegExp(`^/client/v4/accounts/${options.accountId}/analytics_engine/sql$`);
  const api: CloudflareApi = {
    base: "",
    values: new Map(),
    log: [],
    fail: (operation, answer) =>
      failures.set(operation, [...(failures.get(operation) ?? []), answer]),
    on: (operation, hook) => hooks.set(operation, hook),
    sql: () => ({ status: 200, body: { meta: [], data: [], rows: 0 } }),
    pageSize: 1000,
    close: () => Promise.resolve(),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://api.invalid");
    const body = await readBody(req);
    const kv = kvPath.exec(url.pathname);
    const sql = sqlPath.exec(url.pathname);
    const operation: Operation | null =
      sql !== null
        ? "sql"
        : kv === null
          ? null
          : kv[2] === "keys"
            ? "list"
            : req.method === "PUT"
              ? "put"
              : "get";
    if (operation === null) {
      send(res, { status: 404, body: envelope(7003, "Could not route to this path") });
      return;
    }
    const key = kv?.[3] === undefined ? "" : decodeURIComponent(kv[3]);
    api.log.push({ operation, key, body });
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, { status: 403, body: envelope(10000, "Authentication error") });
      return;
    }
    const count = (counts.get(operation) ?? 0) + 1;
    counts.set(operation, count);
    hooks.get(operation)?.(count);
    const scripted = failures.get(operation)?.shift();
    if (scripted !== undefined) {
      send(res, scripted);
      return;
    }
    if (operation === "sql") {
      send(res, api.sql(body));
      return;
    }
    if (kv?.[1] !== options.namespaceId) {
      // Not documented as such: any 404 other than a missing key stands for a wrong namespace here.
      send(res, { status: 404, body: envelope(10013, "namespace not found") });
      return;
    }
    if (operation === "list") {
      const names = [...api.values.keys()].sort();
      const start = Number(url.searchParams.get("cursor") ?? "0");
      const page = names.slice(
        start,
        start + Math.min(api.pageSize, Number(url.searchParams.get("limit") ?? "1000")),
      );
      const next = start + page.length < names.length ? String(start + page.length) : "";
      send(res, {
        status: 200,
        body: {
          success: true,
          errors: [],
          messages: [],
          result: page.map((name) => ({ name })),
          result_info: { count: page.length, cursor: next },
        },
      });
      return;
    }
    if (operation === "put") {
      api.values.set(key, body);
      send(res, { status: 200, body: { success: true, errors: [], messages: [], result: null } });
      return;
    }
    const value = api.values.get(key);
    if (value === undefined) {
      send(res, { status: 404, body: envelope(10009, "get: 'key not found'") });
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    res.end(value);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      res.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    ...api,
    base: `http://127.0.0.1:${port}/client/v4`,
    get sql() {
      return api.sql;
    },
    set sql(answer: (text: string) => Answer) {
      api.sql = answer;
    },
    get pageSize() {
      return api.pageSize;
    },
    set pageSize(size: number) {
      api.pageSize = size;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "Content-Type":
      typeof answer.body === "string" ? "text/plain; charset=utf-8" : "application/json",
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString("utf8");
}
