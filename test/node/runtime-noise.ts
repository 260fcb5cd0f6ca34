import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter } from "vitest/node";

/**
 * What workerd reports about the faults the tests inject on purpose: an
 * origin that refuses, resets or hangs up, an upload the test breaks off (and
 * the runtime's note that its body was read after the answer), a hostile
 * header full of non-ASCII bytes, a binary body read as text. Miniflare
 * prints each of these (with a native stack) straight to the terminal, about
 * 700 lines per run; they bury a real failure. A message is only diverted when
 * it is workerd's and names one of these causes: anything else stays visible.
 */
const RUNTIME_MESSAGE =
  /^(exception = |uncaught exception; |console warning; |A header value for )/;
const EXPECTED_CAUSE =
  /disconnected: |Network connection lost|the client's upload broke|Can't read from request stream after responding|contains non-ASCII characters|does not appear to be text/;
/** workerd's native stack lines, which follow a message in a write of their own. */
const NATIVE_STACK = /^stack: \S*workerd@/;

/**
 * Whether one write to the terminal is workerd's report of an injected fault
 * (`afterNoise`: the previous write was one, so a native stack continues it).
 */
export function isExpectedRuntimeNoise(chunk: string, afterNoise: boolean): boolean {
  return (
    (RUNTIME_MESSAGE.test(chunk) && EXPECTED_CAUSE.test(chunk)) ||
    (afterNoise && NATIVE_STACK.test(chunk))
  );
}

/**
 * A vitest reporter that writes the runtime's expected fault messages to a
 * log file instead of the terminal, and ends the run with one line saying how
 * many there were and where they are. `GRAY_TEST_RUNTIME_LOGS=show` keeps them
 * in the output instead.
 */
export class RuntimeNoiseReporter implements Reporter {
  private diverted = 0;
  private lastDiverted = false;

  constructor(private readonly logFile: string) {}

  onInit(): void {
    if (process.env["GRAY_TEST_RUNTIME_LOGS"] === "show") {
      return;
    }
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    writeFileSync(this.logFile, "");
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = (...args: unknown[]): boolean => {
        const [chunk] = args;
        if (typeof chunk === "string" && this.divert(chunk)) {
          return true;
        }
        return Reflect.apply(original, stream, args) === true;
      };
    }
  }

  onTestRunEnd(): void {
    if (this.diverted > 0) {
      const where = path.relative(process.cwd(), this.logFile);
      process.stdout.write(
        ` Runtime  ${this.diverted} expected fault messages from workerd (injected network errors, hostile headers) are in ${where}; GRAY_TEST_RUNTIME_LOGS=show prints them\n\n`,
      );
    }
  }

  /** Whether `chunk` is expected runtime noise; if so it goes to the log file. */
  private divert(chunk: string): boolean {
    const expected = isExpectedRuntimeNoise(chunk, this.lastDiverted);
    this.lastDiverted = expected;
    if (expected) {
      this.diverted++;
      appendFileSync(this.logFile, chunk);
    }
    return expected;
  }
}
