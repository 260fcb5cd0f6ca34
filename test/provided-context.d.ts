// Values that test/node/global-setup.ts provides to tests (vitest `inject`).
declare module "vitest" {
  interface ProvidedContext {
    stablePort: number;
    canaryPort: number;
    downPort: number;
    /** test/node/faulty-origin.ts */
    faultyPort: number;
    /** test/node/faulty-origin.ts `startRawOrigins`: RAW case name -> port. */
    rawPorts: Readonly<Record<string, number>>;
    /** test/node/sql-api-server.ts */
    sqlApiPort: number;
    /** test/node/raw-router.ts: the router in a real workerd, for raw HTTP */
    rawRouterPort: number;
    /** src/collector/server.ts, the real local collector */
    collectorPort: number;
    /** test/node/silent-server.ts: takes requests, never answers */
    silentPort: number;
  }
}
export {};
