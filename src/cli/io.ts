import type { Target, TargetOptions } from "./target";

/**
 * What the CLI needs from its process: streams, environment, clock, user,
 * a way to sleep and to be interrupted. main() takes it as a parameter, so
 * tests run commands in-process with their own streams and clock.
 */

/** An output stream (process.stdout or a test's buffer). */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The CLI's outside world. */
export interface Io {
  /**
   * Opens the local or remote target; absent, target.ts opens it. Tests pass
   * one that reuses a target opened once (opening the local state costs a
   * second or two), so most tests do not pay that on every command.
   */
  readonly openTarget?: (options: TargetOptions) => Promise<Target>;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  readonly confirm: ((question: string) => Promise<boolean>) | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly now: () => number;
  /** The OS user, the default for `--by`. */
  readonly user: string;
  /** Resolves after `ms`, or early (to false) when the user interrupts (Ctrl-C). */
  readonly sleep: (ms: number) => Promise<boolean>;
  /** Whether the user has interrupted (Ctrl-C). */
  readonly interrupted: () => boolean;
}
