/**
 * What one data point says about one proxied request, and where each field
 * sits in Analytics Engine's positional columns. This is the vocabulary shared
 * by the writer (src/edge/metrics.ts) and every reader (the controller's SQL,
 * the local collector, the CLI); COLUMNS is the only place that knows the map.
 */

/** How a proxied request ended. */
export type Outcome =
  /** The origin answered (any status) and the body reached the client whole. */
  | "ok"
  /** The cohort's origin failed and the request was answered by `stable` instead. */
  | "failover"
  /** Network error talking to the origin before it answered (client got 502). */
  | "origin_error"
  /** The origin sent no response headers within the timeout (client got 504). */
  | "timeout"
  /** The origin's body failed mid-stream; the client saw a broken response. */
  | "stream_error"
  /**
   * The client went away: before the response body finished, or in the middle of its
   * upload (then answered 400 if anyone is still listening). A client fault, not an error.
   */
  | "client_abort"
  /** The client's upload stalled: nothing arrived for the timeout (client got 408). A client fault. */
  | "client_timeout"
  /**
   * The request itself was unusable: a GET or HEAD with a body, or a Host that is not a
   * host name (client got 400, the origin was never asked). A client fault.
   */
  | "bad_request"
  /** No valid rollout for the host (client got 503). */
  | "config_error"
  /** A bug in the router (client got a generic 503; the stack is in the logs). */
  | "internal_error";

/** Where a request's bucket came from (see RequestMetrics.visitor). */
export type VisitorKind = "new" | "returning" | "app" | "";

/** One data point: everything recorded about one proxied request. */
export interface RequestMetrics {
  readonly rolloutKey: string;
  readonly cohort: string;
  readonly outcome: Outcome;
  readonly host: string;
  readonly method: string;
  readonly revision: string;
  readonly configState: "fresh" | "stale" | "none";
  readonly colo: string;
  /** Status the origin answered with; 0 if it never did. */
  readonly status: number;
  /** Milliseconds from forwarding to the origin's response headers. */
  readonly ttfbMs: number;
  /** Milliseconds from the request's arrival to the end of the response body. */
  readonly durationMs: number;
  /** Visitor bucket 0..9999, or -1 when no decision was made. */
  readonly bucket: number;
  /** Weight of the cohort in percent at decision time. */
  readonly weightPercent: number;
  /** Response body bytes passed to the client. */
  readonly bytes: number;
  /** What chose the cohort: `weights`, `rule`, `override` (QA token), `breaker` (diverted to stable). */
  readonly decidedBy: string;
  /** The deciding rule's name, or why a presented QA token was ignored (`expired`, ...). */
  readonly detail: string;
  /** Breaker transition caused by this request: `open`, `half_open`, `closed`, or empty. */
  readonly breaker: string;
  /**
   * Where the bucket came from: `new` (a visitor id issued by this request),
   * `returning` (the visitor cookie sent back), `app` (the rollout's
   * stickiness header or cookie), or empty when no decision was made. New
   * visitors are the units the weights assign, so the sample-ratio check
   * counts them rather than requests.
   */
  readonly visitor: VisitorKind;
}

/** Fields of RequestMetrics holding text, and those holding numbers. */
type TextField = {
  [K in keyof RequestMetrics]: RequestMetrics[K] extends string ? K : never;
}[keyof RequestMetrics];
type NumberField = {
  [K in keyof RequestMetrics]: RequestMetrics[K] extends number ? K : never;
}[keyof RequestMetrics];

/** The field in `index1` (Analytics Engine's sampling key). */
export const INDEX_FIELD = "rolloutKey" satisfies TextField;
/** Fields in `blob1`, `blob2`, ... in that order. Append only: readers query by position. */
export const BLOB_FIELDS = [
  "cohort",
  "outcome",
  "host",
  "method",
  "revision",
  "configState",
  "colo",
  "decidedBy",
  "detail",
  "breaker",
  "visitor",
] as const satisfies readonly TextField[];
/** Fields in `double1`, `double2`, ... in that order. Append only. */
export const DOUBLE_FIELDS = [
  "status",
  "ttfbMs",
  "durationMs",
  "bucket",
  "weightPercent",
  "bytes",
] as const satisfies readonly NumberField[];

/** Analytics Engine keeps at most 96 bytes of an index. */
export const INDEX_MAX_LENGTH = 96;

/** The column map, `index1`/`blobN`/`doubleN` -> field, derived from the lists above. */
export const COLUMNS: Readonly<Record<string, keyof RequestMetrics>> = Object.fromEntries([
  ["index1", INDEX_FIELD],
  ...BLOB_FIELDS.map((field, i) => [`blob${i + 1}`, field]),
  ...DOUBLE_FIELDS.map((field, i) => [`double${i + 1}`, field]),
]);

/** The Analytics Engine column that holds a field (`cohort` -> `blob1`). */
export function column(field: keyof RequestMetrics): string {
  if (field === INDEX_FIELD) {
    return "index1";
  }
  const blob = BLOB_FIELDS.findIndex((name) => name === field);
  if (blob >= 0) {
    return `blob${blob + 1}`;
  }
  const double = DOUBLE_FIELDS.findIndex((name) => name === field);
  if (double >= 0) {
    return `double${double + 1}`;
  }
  throw new Error(`no Analytics Engine column holds "${field}"`);
}

/**
 * A data point in Analytics Engine's positional form. Structurally the
 * runtime's `AnalyticsEngineDataPoint`, declared here so the core (and the
 * Node-side collector and CLI that read points) does not depend on the
 * Workers runtime's types.
 */
export interface PositionalPoint {
  readonly indexes: string[];
  readonly blobs: string[];
  readonly doubles: number[];
}

/** Converts a data point to Analytics Engine's positional form (see BLOB_FIELDS, DOUBLE_FIELDS). */
export function toDataPoint(point: RequestMetrics): PositionalPoint {
  return {
    indexes: [point[INDEX_FIELD].slice(0, INDEX_MAX_LENGTH)],
    blobs: BLOB_FIELDS.map((field) => point[field]),
    doubles: DOUBLE_FIELDS.map((field) => point[field]),
  };
}

/** Where a field sits in a positional point. */
interface Position {
  readonly kind: "indexes" | "blobs" | "doubles";
  readonly at: number;
}

/** Where each field sits: computed once from the lists above, since readers decode per data point. */
const POSITIONS = new Map<string, Position>([
  [INDEX_FIELD, { kind: "indexes", at: 0 }],
  ...BLOB_FIELDS.map((field, at): [string, Position] => [field, { kind: "blobs", at }]),
  ...DOUBLE_FIELDS.map((field, at): [string, Position] => [field, { kind: "doubles", at }]),
]);

/**
 * The raw value a positional point holds for `field` (undefined when the
 * point is shorter), for readers of stored points such as the local
 * collector. The caller checks the value's type: stored points are untrusted.
 */
export function readField(
  point: {
    readonly indexes?: readonly unknown[];
    readonly blobs?: readonly unknown[];
    readonly doubles?: readonly unknown[];
  },
  field: keyof RequestMetrics,
): unknown {
  const position = POSITIONS.get(field);
  return position === undefined ? undefined : point[position.kind]?.[position.at];
}
