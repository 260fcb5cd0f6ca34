import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startCollector } from "../../src/collector/server";
import { startFaultyOrigin, startRawOrigins } from "./faulty-origin";
import { portOf, startOrigin } from "./origin-server";
import { startRawRouter } from "./raw-router";
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
  const raw = await startRawOrigins();
  project.provide("rawPorts", raw.ports);
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
  // The real local collector (src/collector/), and one that never answers, for the local sink.
  const collectorDir = await mkdtemp(path.join(tmpdir(), "gray-collector-"));
  const collector = await startCollector({ stateDir: collectorDir });
  project.provide("collectorPort", collector.port);
  const silent = await silentServer();
  project.provide("silentPort", silent.port);
  return async () => {
    await rawRouter.close();
    await silent.close();
    await collector.close();
    await rm(collectorDir, { recursive: true, force: true });
    await sqlApi.close();
    await faulty.close();
    await raw.close();
    stable.closeAllConnections();
    canary.closeAllConnections();
    await Promise.all([stable, canary].map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
}

/**
 * A port on which connections are refused. An ephemeral port that was free a
 * moment ago is not enough: a server started later (by this setup or another
 * process on the machine) may be given it. Ports below 1024 are only bound by
 * privileged services, so the first of a few low ports that refuses a
 * connection now stays refused for the run.
 */
async function closedPort(): Promise<number> {
  for (const port of [1, 9, 19, 47, 63]) {
    if (await refuses(port)) {
      return port;
    }
  }
  throw new Error("no closed low port found on 127.0.0.1 for the 'origin down' tests");
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}
