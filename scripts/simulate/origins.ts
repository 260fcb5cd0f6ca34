/**
 * Local origins for the demo and the validation: each answers after a
 * log-normal delay and fails (HTTP 500) with its error rate. Randomness is
 * seeded so a run can be repeated.
 */

import { createServer } from "node:http";
import type { Server } from "node:http";
import type { CohortModel } from "./model";
import { normal, sfc32 } from "./random";

/** A running origin. */
export interface SimOrigin {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an origin on 127.0.0.1 behaving like `model`. */
export async function startSimOrigin(
  name: string,
  model: CohortModel,
  seed: number,
): Promise<SimOrigin> {
  const rng = sfc32(seed);
  const server: Server = createServer((req, res) => {
    const delay = model.medianMs * Math.exp(model.sigma * normal(rng));
    const failed = rng() < model.errorRate;
    req.resume();
    const timer = setTimeout(() => {
      res.writeHead(failed ? 500 : 200, { "Content-Type": "text/plain", "X-Origin-Name": name });
      res.end(failed ? "simulated failure" : `hello from ${name}`);
    }, delay);
    res.on("close", () => clearTimeout(timer));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
