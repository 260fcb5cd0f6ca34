/**
 * Where a command reads and writes: the local state and collector
 * (`--local`, the default, like wrangler 4's KV commands) or Cloudflare
 * (`--remote`). Both give the same KV operations and the same two metrics
 * interfaces, so commands do not know which they talk to.
 */

import type { MetricsSource } from "../control/metrics-source";
import type { SeriesSource } from "../control/series";
import type { Io } from "./io";
import type { CliKv } from "./kv";
import { openLocal } from "./local";
import { openRemote } from "./remote";

/** An open target. */
export interface Target {
  readonly name: "local" | "remote";
  /** For headers and messages: "local (.wrangler/state; collector ...)". */
  readonly description: string;
  readonly kv: CliKv;
  readonly metrics: MetricsSource & SeriesSource;
  /** The Worker's cron expressions: when the controller runs. */
  readonly crons: readonly string[];
  /** The local collector's URL (local only): where the report reads the raw points to replay the judge. */
  readonly collector?: string;
  close(): Promise<void>;
}

/** What picks and configures a target. */
export interface TargetOptions {
  readonly target: "local" | "remote";
  readonly config: string | null;
  readonly env: string | null;
  readonly collector: string | null;
}

/** Opens the target; rejects with a CliError. */
export function openTarget(options: TargetOptions, io: Io): Promise<Target> {
  if (io.openTarget !== undefined) {
    return io.openTarget(options);
  }
  return options.target === "remote" ? openRemote(options, io) : openLocal(options, io);
}
