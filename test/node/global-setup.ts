import { createServer } from "node:http";
import type { TestProject } from "vitest/node";
export default async function setup(project: TestProject) {
  const s = createServer((req, res) => { res.end("hello from node " + req.url); });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const addr = s.address();
  project.provide("originPort", typeof addr === "object" && addr ? addr.port : 0);
  return () => new Promise<void>((r) => s.close(() => r()));
}
