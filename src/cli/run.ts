/**
 * The gray CLI's process entry (bundled by scripts/build-node.mjs and started
 * by bin/gray.mjs): the real streams, a prompt on the terminal, Ctrl-C
 * handling that lets `watch` and `wait` clean up, then main().
 */

import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import type { Io } from "./io";
import { EXIT } from "./errors";
import { main } from "./main";
import { leaveScreen, screenActive } from "./render/terminal";

/** Runs the CLI with process.argv's arguments; resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const sleepers = new Set<(awake: boolean) => void>();
  let interrupted = false;
  process.on("SIGINT", () => {
    interrupted = true;
    // Give the terminal back at once: once the local state is open, wrangler's
    // own SIGINT handlers (registered after this one) end the process as soon
    // as this returns, before any cleanup of ours could run.
    const watching = screenActive();
    if (watching) {
      leaveScreen(process.stdout);
    } else {
      process.stderr.write("gray: interrupted\n");
    }
    // 128 + SIGINT, as the shell reports it (and as npx does whatever gray sets).
    process.exitCode = EXIT.interrupted;
    if (sleepers.size === 0) {
      process.exit();
    }
    for (const wake of sleepers) {
      wake(false);
    }
  });
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    confirm: process.stdin.isTTY === true ? ask : null,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    user: osUser(),
    sleep: (ms) =>
      interrupted
        ? Promise.resolve(false)
        : new Promise<boolean>((resolve) => {
            const wake = (awake: boolean): void => {
              clearTimeout(timer);
              sleepers.delete(wake);
              resolve(awake);
            };
            const timer = setTimeout(() => wake(true), ms);
            sleepers.add(wake);
          }),
    interrupted: () => interrupted,
  };
  return main(argv, io, readStdin);
}

async function ask(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env["USER"] ?? process.env["USERNAME"] ?? "unknown";
  }
}
