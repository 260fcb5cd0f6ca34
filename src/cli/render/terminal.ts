/**
 * Drawing `gray watch` in place on a terminal: the alternate screen (so
 * leaving restores what was there), a hidden cursor, each frame drawn from
 * the top with every line cleared to its end, and lines cut to the width so
 * a long one cannot wrap and push the frame down.
 */

import type { Output } from "../io";

const ESC = "\u001b[";

/** Whether the alternate screen is in use: a Ctrl-C outside a pause must give it back. */
let active = false;

/** Enter the alternate screen and hide the cursor. */
export function enterScreen(out: Output): void {
  active = true;
  out.write(`${ESC}?1049h${ESC}?25l`);
}

/** Show the cursor and leave the alternate screen: the terminal is as it was. */
export function leaveScreen(out: Output): void {
  active = false;
  out.write(`${ESC}?25h${ESC}?1049l`);
}

/** Whether enterScreen was called without leaveScreen. */
export function screenActive(): boolean {
  return active;
}

/** Draws one frame from the top-left corner. */
export function drawFrame(out: Output, lines: readonly string[]): void {
  const width = out.columns ?? 120;
  const body = lines.map((line) => `${cut(line, width)}${ESC}K`).join("\n");
  out.write(`${ESC}H${body}\n${ESC}J`);
}

/** Cuts a line to `width` visible characters, keeping colour sequences intact. */
export function cut(line: string, width: number): string {
  let visible = 0;
  let result = "";
  for (let i = 0; i < line.length; i += 1) {
    const match = line.startsWith(ESC, i)
      ? /^\[[0-9;?]*[A-Za-z]/.exec(line.slice(i + 1, i + 16))
      : null;
    if (match !== null) {
      result += `\u001b${match[0]}`;
      i += match[0].length;
      continue;
    }
    if (visible >= width) {
      continue;
    }
    result += line[i] ?? "";
    visible += 1;
  }
  return result;
}
