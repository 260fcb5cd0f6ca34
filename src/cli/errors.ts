/**
 * The CLI's exit codes (docs/cli.md "Exit codes") and its one error type.
 * Every failure a user can cause or meet reaches them as one line on stderr
 * with one of these codes; a stack trace only with GRAY_DEBUG=1.
 */

/** Exit codes: 0-4 are results, 64 and up follow the BSD sysexits convention. */
export const EXIT = {
  /** Done: the write happened (or nothing needed doing), the ramp completed, the document is valid. */
  ok: 0,
  /** A negative result: `wait` saw a rollback, `validate` found the document invalid. */
  negative: 1,
  /** `wait` timed out. */
  timeout: 2,
  /** Another writer changed the rollout: nothing of ours is in force. */
  conflict: 3,
  /** The change was not confirmed at the prompt; nothing written. */
  declined: 4,
  /** Bad arguments. */
  usage: 64,
  /** The document is invalid (or would be after the edit); nothing written. */
  invalidDocument: 65,
  /** No such rollout key, or no such file. */
  notFound: 66,
  /** A service (KV, the SQL API, the local state or collector) could not be reached or answered an error. */
  unavailable: 69,
  /** A bug in gray. */
  internal: 70,
  /** Missing or refused credentials. */
  credentials: 77,
  /** wrangler.toml is missing or lacks what gray needs. */
  config: 78,
  /** Interrupted (Ctrl-C) during `wait`: 128 + SIGINT, the shell's convention. */
  interrupted: 130,
} as const;

/** One of the exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: its message is the one line the user sees. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A write that KV refused for its rate limit (one write per second per key): worth one retry. */
export class RateLimited extends CliError {
  constructor(message: string) {
    super(EXIT.unavailable, message);
    this.name = "RateLimited";
  }
}

/** Shorthand for a usage error (exit 64). */
export function usage(message: string): CliError {
  return new CliError(EXIT.usage, message);
}
