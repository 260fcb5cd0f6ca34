import { describe, expect, it } from "vitest";
import security from "../../SECURITY.md?raw";

// SECURITY.md must be true of the code: every ticked line names the tests
// that show it, and each named test exists in the file named.
const tests = import.meta.glob<string>(["../../test/**/*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Test sources by their path from the repository root (vite names them relative to this file). */
const byPath = new Map(
  Object.entries(tests).map(([key, text]) => [
    `test/${key.replace(/^\.\//, "unit/").replace(/^\.\.\//, "")}`,
    text,
  ]),
);

/** The source of a test file named as in SECURITY.md (`test/...`), if it exists. */
function source(path: string): string | undefined {
  return byPath.get(path);
}

/** Whether `file` has a test titled `name`, literally or through an `it.each` template (`%s`, `%i`). */
function hasTest(file: string, name: string): boolean {
  if (file.includes(name)) {
    return true;
  }
  return [...file.matchAll(/"((?:[^"\\]|\\.)*%[sidj](?:[^"\\]|\\.)*)"/g)].some(
    ([, template = ""]) => {
      const pattern = template
        .replace(/\\(.)/g, "$1")
        .split(/%[sidj]/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".+");
      return new RegExp(`^${pattern}$`).test(name);
    },
  );
}

/** Each checklist item: its box and its text, lines joined. */
const items = security
  .split(/\n(?=- \[)/)
  .slice(1)
  .map((item) => item.split(/\n(?=## |\n)/)[0] ?? "")
  .map((item) => ({ ticked: item.startsWith("- [x]"), text: item.replace(/\s+/g, " ") }));

/** The tests an item cites: `test/file` › name; › name; "same file" › name. */
function citations(text: string): { file: string; name: string }[] {
  const cited: { file: string; name: string }[] = [];
  let file = "";
  for (const part of text.split(/(`test\/[^`]+\.test\.ts`|same file)/)) {
    const path = /^`(test\/[^`]+)`$/.exec(part)?.[1];
    if (path !== undefined) {
      file = path;
    } else if (part !== "same file" && file !== "") {
      for (const piece of part.split(/;?\s›\s/).slice(1)) {
        const name = piece.split(/;\s(?=`|same file)|\s-\s|\s\(/)[0]?.trim() ?? "";
        for (const alternative of name.split(" / ")) {
          cited.push({ file, name: alternative.replace(/[;.]$/, "") });
        }
      }
    }
  }
  return cited;
}

describe("SECURITY.md", () => {
  it("has no open box: every line is the behaviour today", () => {
    expect(items.filter((item) => !item.ticked).map((item) => item.text)).toEqual([]);
  });

  it.each(items.map((item) => [item.text.slice(6, 70), item.text]))(
    "%s… names an existing test for its claim",
    (_title, text) => {
      const cited = text.match(/`test\/[^`]+\.test\.ts`/g) ?? [];
      expect(cited.length, "names no test file").toBeGreaterThan(0);
      for (const path of cited) {
        expect(source(path.slice(1, -1)), `${path} does not exist`).toBeDefined();
      }
      for (const { file, name } of citations(text)) {
        expect(hasTest(source(file) ?? "", name), `${file} › ${name}`).toBe(true);
      }
    },
  );
});
