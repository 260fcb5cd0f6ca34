// The docs that cite tests (SECURITY.md, docs/architecture.md) are checked
// against the test files themselves: each cited file exists and has a test of
// the cited title. The citation form is `test/<path>.test.ts` › <title>, with
// more titles of the same file after `; ›` and "same file" for the previous one.

const tests = import.meta.glob<string>(["../**/*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/**
 * The path from the repository root of a file that `import.meta.glob` named
 * `key` in a module of `folder` (vite names files relative to the module that
 * calls it: `../unit/x.test.ts` from test/support/).
 */
export function repositoryPath(key: string, folder: string): string {
  return new URL(key, `file:///repository/${folder}/`).pathname.slice("/repository/".length);
}

/** Test sources by their path from the repository root. */
const byPath = new Map(
  Object.entries(tests).map(([key, text]) => [repositoryPath(key, "test/support"), text]),
);

/** The source of a test file named as the docs name it (`test/...`), if it exists. */
export function source(path: string): string | undefined {
  return byPath.get(path);
}

/** A test title template (`%s` of `it.each`, `${...}` of a template literal) as a pattern for the titles it makes. */
function titlePattern(template: string, placeholder: RegExp): RegExp {
  const pattern = template
    .split(placeholder)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".+");
  return new RegExp(`^${pattern}$`);
}

/**
 * Whether `file` has a test titled `name`: literally, through an `it.each`
 * template (`%s`, `%i`), or through a template literal title (`${...}`).
 */
export function hasTest(file: string, name: string): boolean {
  if (file.includes(name)) {
    return true;
  }
  const eachTemplates = [...file.matchAll(/"((?:[^"\\]|\\.)*%[sidj](?:[^"\\]|\\.)*)"/g)].map(
    ([, template = ""]) => titlePattern(template.replace(/\\(.)/g, "$1"), /%[sidj]/),
  );
  const literalTemplates = [...file.matchAll(/\b(?:it|test)\(\s*`((?:[^`\\]|\\.)*)`/g)].map(
    ([, template = ""]) => titlePattern(template, /\$\{[^}]*\}/),
  );
  return [...eachTemplates, ...literalTemplates].some((pattern) => pattern.test(name));
}

/** The tests a text cites: `test/file` › name; › name; "same file" › name. */
export function citations(text: string): { file: string; name: string }[] {
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
