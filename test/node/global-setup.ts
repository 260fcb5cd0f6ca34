import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { startFaultyOrigin } from "./faulty-origin";
import { portOf, startOrigin } from "./origin-server";
import { startRawRouter } from "./raw-router";
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
  // Stands in for the Analytics Engine SQL API (test/node/sql-api-server.ts), for the canary controller.
  const sqlApi = await startSqlApiServer();
  project.provide("sqlApiPort", sqlApi.port);
  // The router itself in a real workerd process, for requests no Request object can hold.
  const onlyStable = {
    origins: { stable: `http://127.0.0.1:${portOf(stable)}` },
    weights: { stable: 100 },
  };
  const rawRouter = await startRawRouter({ default: onlyStable, "dot.test": onlyStable });
  project.provide("rawRouterPort", rawRouter.port);
  return async () => {
    await rawRouter.close();
    await sqlApi.close();
    await faulty.close();
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
