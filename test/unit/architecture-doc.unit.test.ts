import { describe, expect, it } from "vitest";
import architecture from "../../docs/architecture.md?raw";
import { citations, hasTest, repositoryPath, source } from "../support/doc-citations";

// docs/architecture.md must be true of the tree: its module map names every
// source file and only files that exist, and every test it cites exists.

const sources = import.meta.glob<string>(["../../src/**/*.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Every TypeScript file under src/, by its path from the repository root. */
const sourceFiles = Object.keys(sources)
  .map((key) => repositoryPath(key, "test/unit"))
  .sort();

/** The text of the section under the level-2 heading `title`, up to the next one. */
function section(title: string): string {
  const start = architecture.indexOf(`\n## ${title}\n`);
  expect(start, `no "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = architecture.indexOf("\n## ", start + 1);
  return architecture.slice(start, end < 0 ? undefined : end);
}

/** The `src/....ts` files a text names in code spans. */
function namedFiles(text: string): string[] {
  return [...text.matchAll(/`(src\/[^`\s]+\.ts)`/g)].map(([, path = ""]) => path);
}

/** The cells of the table rows of a text that cite tests. */
const citingCells = architecture
  .split("\n")
  .filter((line) => line.startsWith("|") && line.includes("`test/"))
  .flatMap((line) => line.split("|").map((cell) => cell.trim()))
  .filter((cell) => cell.includes(" › "));

/** The rows of the contract table: its number, the promise, and what proves it. */
const contractRows = section("The contract, and the test that proves each promise")
  .split("\n")
  .filter((line) => /^\| \d+ \|/.test(line))
  .map((line) => line.split("|").map((cell) => cell.trim()))
  .map(([, number = "", promise = "", proof = ""]) => ({ number, promise, proof }));

describe("docs/architecture.md", () => {
  it("finds the source files, the module map and the cited tests it checks", () => {
    expect(sourceFiles).toContain("src/core/metrics.ts");
    expect(namedFiles(section("Module map"))).toContain("src/index.ts");
    expect(citingCells.length).toBeGreaterThan(20);
    expect(contractRows.length).toBeGreaterThan(20);
  });

  it("names in its module map every source file under src/", () => {
    const named = new Set(namedFiles(section("Module map")));
    const missing = sourceFiles.filter((path) => !named.has(path));
    expect(missing, "source files the module map does not name").toEqual([]);
  });

  it("names only source files that exist", () => {
    const known = new Set(sourceFiles);
    expect(namedFiles(architecture).filter((path) => !known.has(path))).toEqual([]);
  });

  it("names each source file once in its module map", () => {
    const named = namedFiles(section("Module map"));
    expect(named.filter((path, i) => named.indexOf(path) !== i)).toEqual([]);
  });

  it("numbers the contract rows in order, and each names a test or says it has none", () => {
    expect(contractRows.map((row) => row.number)).toEqual(
      contractRows.map((_, i) => String(i + 1)),
    );
    for (const { number, proof } of contractRows) {
      expect(
        proof.startsWith("no test") || citations(proof).length > 0,
        `row ${number}: neither a cited test nor "no test"`,
      ).toBe(true);
    }
  });

  it.each(citingCells.map((cell) => [cell.slice(0, 60), cell]))(
    "%s… cites tests that exist",
    (_title, cell) => {
      for (const path of cell.match(/`test\/[^`]+\.test\.ts`/g) ?? []) {
        expect(source(path.slice(1, -1)), `${path} does not exist`).toBeDefined();
      }
      const cited = citations(cell);
      expect(cited.length, "no test title after a file").toBeGreaterThan(0);
      for (const { file, name } of cited) {
        expect(hasTest(source(file) ?? "", name), `${file} › ${name}`).toBe(true);
      }
    },
  );
});
