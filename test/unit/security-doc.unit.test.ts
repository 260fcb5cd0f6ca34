import { describe, expect, it } from "vitest";
import security from "../../SECURITY.md?raw";
import { citations, hasTest, source } from "../support/doc-citations";

// SECURITY.md must be true of the code: every ticked line names the tests
// that show it, and each named test exists in the file named.

/** Each checklist item: its box and its text, lines joined. */
const items = security
  .split(/\n(?=- \[)/)
  .slice(1)
  .map((item) => item.split(/\n(?=## |\n)/)[0] ?? "")
  .map((item) => ({ ticked: item.startsWith("- [x]"), text: item.replace(/\s+/g, " ") }));

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
