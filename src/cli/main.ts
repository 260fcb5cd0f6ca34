/**
 * The gray CLI: parse the command line, run the command, turn any failure
 * into one line on stderr and an exit code (errors.ts). Takes its outside
 * world as a parameter (io.ts), so tests run it in-process.
 */

import { parseCommandLine } from "./args";
import { change } from "./commands/change";
import { history } from "./commands/history";
import { report } from "./commands/report";
import { status } from "./commands/status";
import { validate } from "./commands/validate";
import { wait } from "./commands/wait";
import { watch } from "./commands/watch";
import { CliError, EXIT } from "./errors";
import { helpText } from "./help";
import type { Io } from "./io";
import { firstLine } from "./wrangler";

/** Runs one command line; resolves to the exit code. Never rejects. */
export async function main(
  argv: readonly string[],
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === "help") {
      (parsed.asked ? io.stdout : io.stderr).write(helpText(parsed.command));
      return parsed.asked ? EXIT.ok : EXIT.usage;
    }
    const args = parsed.args;
    switch (args.command) {
      case "status":
        return await status(args, io);
      case "watch":
        return await watch(args, io);
      case "history":
        return await history(args, io);
      case "wait":
        return await wait(args, io);
      case "report":
        return await report(args, io);
      case "validate":
        return await validate(args, io, readStdin);
      default:
        return await change(args, io);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`gray: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug: say so in one line; the stack only on request.
    io.stderr.write(
      io.env["GRAY_DEBUG"] === "1" && error instanceof Error
        ? `gray: internal error: ${error.stack ?? error.message}\n`
        : `gray: internal error: ${firstLine(error)} (GRAY_DEBUG=1 shows details)\n`,
    );
    return EXIT.internal;
  }
}
