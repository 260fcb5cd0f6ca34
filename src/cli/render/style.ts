/**
 * Colour, only where it helps and only on a terminal: Node's util.styleText,
 * off when the stream is not a TTY, when NO_COLOR is set, or with
 * `--json`; FORCE_COLOR turns it on (the conventions most CLIs follow).
 */

import { stripVTControlCharacters, styleText } from "node:util";
import type { Output } from "../io";

/** The styles gray uses. */
export type Tone = "good" | "bad" | "warn" | "dim" | "bold" | "accent";

const FORMATS: Record<Tone, Parameters<typeof styleText>[0]> = {
  good: "green",
  bad: "red",
  warn: "yellow",
  dim: "dim",
  bold: "bold",
  accent: "cyan",
};

/** Paints text, or returns it unchanged when colour is off. */
export type Paint = (tone: Tone, text: string) => string;

/** The painter for an output stream. */
export function painter(stream: Output, env: Readonly<Record<string, string | undefined>>): Paint {
  const forced = env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0";
  const on =
    forced || (stream.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb");
  return on ? (tone, text) => styleText(FORMATS[tone], text) : (_tone, text) => text;
}

/** Text without colour codes, for widths. */
export function plain(text: string): string {
  return stripVTControlCharacters(text);
}

/** The tone of a check or verdict status. */
export function statusTone(status: string): Tone {
  return status === "pass" ? "good" : status === "fail" ? "bad" : "warn";
}
