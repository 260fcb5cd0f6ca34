import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { portOf, startOrigin } from "./origin-server";

/** Starts the local origins the integration tests proxy to, and a port nobody listens on. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stable = await startOrigin("stable");
  const canary = await startOrigin("canary");
  project.provide("stablePort", portOf(stable));
  project.provide("canaryPort", portOf(canary));
  project.provide("downPort", await closedPort());
  return async () => {
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
