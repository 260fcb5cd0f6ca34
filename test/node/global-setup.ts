import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { startFaultyOrigin, startRawOrigins } from "./faulty-origin";
import { portOf, startOrigin } from "./origin-server";
import { startSqlApiServer } from "./sql-api-server";

/** Starts the local origins the integration tests proxy to, and a port nobody listens on. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stable = await startOrigin("stable");
  const canary = await startOrigin("canary");
  project.provide("stablePort", portOf(stable));
  project.provide("canaryPort", portOf(canary));
  project.provide("downPort", await closedPort());
  // Misbehaves on command (test/node/faulty-origin.ts), for test/reliability and test/hostile.
  const faulty = await startFaultyOrigin();
  project.provide("faultyPort", faulty.port);
  const raw = await startRawOrigins();
  project.provide("rawPorts", raw.ports);
  // Stands in for the Analytics Engine SQL API (test/node/sql-api-server.ts), for the canary controller.
  const sqlApi = await startSqlApiServer();
  project.provide("sqlApiPort", sqlApi.port);
  return async () => {
    await sqlApi.close();
    await faulty.close();
    await raw.close();
    stable.closeAllConnections();
    canary.closeAllConnections();
    await Promise.all([stable, canary].map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
}

/** A port that was free a moment ago and is now closed: connecting is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
