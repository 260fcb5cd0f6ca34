import { createServer } from "node:http";
import type { ServerResponse } from "node:http";

/**
 * A server that takes requests and never answers them, standing in for a
 * hung local collector: `GET /__received` (answered at once) says how many
 * requests it has taken. Run in Node by the vitest global setup.
 */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  let received = 0;
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url === "/__received") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ received }));
      return;
    }
    received += 1;
    req.resume();
    hanging.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    close: async () => {
      for (const res of hanging) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
