import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startCollector } from "../../src/collector/server";
import { startFaultyOrigin } from "./faulty-origin";
import { portOf, startOrigin } from "./origin-server";
import { silentServer } from "./silent-server";
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
  // The real local collector (src/collector/), and one that never answers, for the local sink.
  const collectorDir = await mkdtemp(path.join(tmpdir(), "gray-collector-"));
  const collector = await startCollector({ stateDir: collectorDir });
  project.provide("collectorPort", collector.port);
  const silent = await silentServer();
  project.provide("silentPort", silent.port);
  return async () => {
    await silent.close();
    await collector.close();
    await rm(collectorDir, { recursive: true, force: true });
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
