import { describe, expect, it } from "vitest";
import { isExpectedRuntimeNoise } from "./runtime-noise";

const STACK =
  "stack: /repo/node_modules/@cloudflare/workerd-linux-64/bin/workerd@26b6840 /repo/node_modules/@cloudflare/workerd-linux-64/bin/workerd@3739630\n";

// Samples as workerd printed them during `npm test` before they were diverted.
describe("workerd output the test run keeps out of the terminal", () => {
  it.each([
    "exception = rust/worker/ffi.rs:110: disconnected: Connection refused (os error 111)\n",
    "exception = kj/async-io.c++:763: disconnected: read end of pipe was aborted\n",
    "uncaught exception; source = Uncaught (in promise); stack = Error: Network connection lost.\n",
    "uncaught exception; exception = workerd/jsg/value.h:1511: failed: jsg.Error: the client's upload broke\n",
    "uncaught exception; exception = workerd/api/global-scope.c++:58: failed: jsg.TypeError: Can't read from request stream after responding with an exception.\n",
    'console warning; message = Called .text() on an HTTP body which does not appear to be text. The body\'s Content-Type is "application/octet-stream".\n',
    'A header value for "cookie" contains non-ASCII characters: "\u00e9" (raw bytes: "\\xc3\\xa9").\n',
  ])("diverts %s", (chunk) => {
    expect(isExpectedRuntimeNoise(chunk, false)).toBe(true);
  });

  it("diverts a native stack only right after a diverted message", () => {
    expect(isExpectedRuntimeNoise(STACK, true)).toBe(true);
    expect(isExpectedRuntimeNoise(STACK, false)).toBe(false);
  });

  it.each([
    "uncaught exception; source = Uncaught (in promise); stack = TypeError: Cannot read properties of undefined\n",
    "exception = workerd/io/worker.c++:1234: failed: script threw\n",
    " FAIL  test/unit/rules.unit.test.ts > rules > matches\n",
    "AssertionError: expected 'stable' to be 'canary'\n",
    "gray-router: internal error: TypeError: boom\n",
  ])("keeps %s in the output", (chunk) => {
    expect(isExpectedRuntimeNoise(chunk, false)).toBe(false);
    expect(isExpectedRuntimeNoise(chunk, true)).toBe(false);
  });
});
