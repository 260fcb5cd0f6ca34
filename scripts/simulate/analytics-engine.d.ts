/**
 * The Workers runtime's data point type, for the Node-side typecheck of the
 * simulation: its traffic builds data points with the router's own
 * `toDataPoint` (src/core/metrics.ts), whose return type the Worker types
 * declare globally. Same shape as in @cloudflare/workers-types.
 */
interface AnalyticsEngineDataPoint {
  indexes?: (ArrayBuffer | string | null)[];
  doubles?: number[];
  blobs?: (ArrayBuffer | string | null)[];
}
