/** The help text: the commands' usage and summaries (args.ts), the options, the exit codes. */

import { COMMANDS, COMMAND_SPECS } from "./args";
import type { Command } from "./args";

const OPTIONS_TEXT = `Where:
  --local              the .wrangler/state of wrangler dev and the local collector (default)
  --remote             Cloudflare: KV REST API and Analytics Engine SQL API
                       (CF_ACCOUNT_ID, CF_API_TOKEN; the namespace id from wrangler.toml)
  --config FILE        the Worker's wrangler.toml (default: ./wrangler.toml)
  --env NAME           a wrangler environment ([env.NAME])
  --collector URL      the local collector (default: the one npm start runs)

Writes (set, promote, pause, resume, rollback):
  -y, --yes            write without asking
  --dry-run            show the change, write nothing
  --by NAME            who (default: the OS user), recorded in the history
  --reason TEXT        why, recorded in the history

Output:
  --json               machine-readable output (shapes in docs/cli.md)`;

const EXIT_TEXT = `Exit codes: 0 done · 1 rolled back (wait) / invalid (validate) · 2 timed out (wait)
  3 another writer won · 4 not confirmed · 64 bad arguments · 65 invalid document
  66 unknown key or file · 69 service unreachable or failing · 70 bug · 77 credentials · 78 wrangler.toml
  130 interrupted (Ctrl-C, the way to leave watch)`;

/** `gray --help`, or one command's help. */
export function helpText(command: Command | null): string {
  if (command !== null) {
    const spec = COMMAND_SPECS[command];
    return `${spec.usage}\n\n  ${spec.summary}\n\n  options: ${spec.options.map((o) => `--${o}`).join(" ")}\n\n${OPTIONS_TEXT}\n\n${EXIT_TEXT}\n`;
  }
  const width = Math.max(...COMMANDS.map((c) => COMMAND_SPECS[c].usage.length));
  const lines = COMMANDS.map(
    (c) => `  ${COMMAND_SPECS[c].usage.padEnd(width)}  ${COMMAND_SPECS[c].summary}`,
  );
  return `gray: operate gray-router rollouts (key defaults to "default")\n\n${lines.join("\n")}\n\n${OPTIONS_TEXT}\n\n${EXIT_TEXT}\n\nMore: docs/cli.md\n`;
}
