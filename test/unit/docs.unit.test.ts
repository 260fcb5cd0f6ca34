import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import operations from "../../docs/operations.md?raw";
import rolloutDocument from "../../docs/rollout-document.md?raw";
import { BOT_SCORE_THRESHOLD, BOT_USER_AGENT_TOKENS } from "../../src/core/bots";
import { RULE_STEP_BUDGET } from "../../src/core/rules";
import { DEFAULT_DEBUG_PATH } from "../../src/routes/debug";
import { MAX_CACHED_HOSTS } from "../../src/edge/rollout-store";

/**
 * The README and the pages it sends operators to, with line breaks folded, so a
 * phrase wrapped across lines still reads as one.
 */
const text = [readme, rolloutDocument, operations].join("\n").replace(/\s+/g, " ");

/** The folded text of the section under `heading`, up to the next heading. */
function section(heading: string): string {
  const start = text.indexOf(`${heading} `);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(" #", start + heading.length);
  return text.slice(start, end < 0 ? undefined : end);
}

// The docs state limits that live in the code; these keep the two in step.
describe("documented facts that live in the code", () => {
  it("states the rules' step budget per request", () => {
    expect(text).toContain(`a budget of ${RULE_STEP_BUDGET.toLocaleString("en-US")} steps`);
  });

  it("states how many hosts an isolate keeps", () => {
    expect(text).toContain(
      `keeps the rollouts of the ${MAX_CACHED_HOSTS.toLocaleString("en-US")} hosts it served most recently`,
    );
  });

  it("lists exactly the bot tokens of src/core/bots.ts, and its score threshold", () => {
    const bots = section("#### Known bots");
    const paragraph = bots.slice(bots.indexOf("Bot user-agent tokens"));
    const listed = [...paragraph.slice(0, paragraph.indexOf("`. ") + 1).matchAll(/`([^`]+)`/g)];
    expect(listed.map((m) => m[1])).toEqual([...BOT_USER_AGENT_TOKENS]);
    expect(bots).toContain(`scores it below ${BOT_SCORE_THRESHOLD}`);
  });

  it("has DEBUG_PATH and its default in the settings table", () => {
    expect(section("## Settings")).toContain(`| \`DEBUG_PATH\` | \`${DEFAULT_DEBUG_PATH}\` |`);
  });

  it("stops a canary by changing only the weights of the document in KV, never by replacing it", () => {
    const recipe = text.slice(text.indexOf("**Emergency stop**"), text.indexOf("## QA overrides"));
    expect(recipe).toContain(
      "npx wrangler kv key get --binding ROLLOUTS default --remote > rollout-before.json",
    );
    expect(recipe).toContain(
      "node scripts/emergency-stop.mjs rollout-before.json > rollout-stopped.json",
    );
    expect(recipe).toContain("--path rollout-stopped.json");
    expect(recipe).not.toMatch(/kv key put[^`]*'\{/);
  });

  it("pins internal users with a signed token, never with a header a client can send", () => {
    const recipe = text.slice(
      text.indexOf("**Internal users first**"),
      text.indexOf("**Force the canary"),
    );
    expect(recipe).toContain("npm run token -- --cohort canary");
    expect(recipe).not.toMatch(/"header":/);
    expect(section("#### What a client controls")).toMatch(/\| `header`, `cookie`, `path`/);
  });
});

// Nothing in the project may point outside it: a reader has only the repository.
describe("links in the project's Markdown", () => {
  const files = import.meta.glob<string>(
    ["../../*.md", "../../docs/**/*.md", "../../src/**/*.md", "../../scripts/**/*.md"],
    { query: "?raw", import: "default", eager: true },
  );
  /** Hosts a document may name: reserved example names, local ones, and the API endpoints commands call. */
  const ALLOWED_HOST =
    /^(?:[\w.-]+\.)?(?:example(?:\.com|\.org|\.net)?|test|invalid|localhost)$|^127\.0\.0\.1$|^\[::1\]$|^api\.cloudflare\.com$|^hooks\.slack\.com$|^your\.site$|^evil$/;

  it("reads every Markdown file of the repository", () => {
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(["../../README.md", "../../SECURITY.md", "../../docs/contract.md"]),
    );
  });

  it.each(Object.entries(files))("%s links only inside the repository", (file, text) => {
    for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      expect(target, `${file}: ${target}`).not.toMatch(/^[a-z]+:/i);
      // Never up a folder: a reader may have the page without what lies above it.
      expect(target, `${file}: ${target} climbs out of its folder`).not.toMatch(/(^|\/)\.\.(\/|$)/);
    }
    for (const [, host = ""] of text.matchAll(/https?:\/\/([^/\s`'")<>:]+(?::\d+)?)/g)) {
      expect(host.replace(/:\d+$/, ""), `${file}: a web address`).toMatch(ALLOWED_HOST);
    }
  });
});

// The README is the front door: short, and every page moved out of it reachable.
describe("the README and the pages it links to", () => {
  const pages = import.meta.glob<string>(
    ["../../*.md", "../../docs/**/*.md", "../../src/**/*.md", "../../scripts/**/*.md"],
    { query: "?raw", import: "default", eager: true },
  );
  /** Every file of the repository a link may point to (names only; nothing is loaded). */
  const repositoryFiles = new Set(
    Object.keys(
      import.meta.glob([
        "../../*",
        "../../docs/**",
        "../../src/**",
        "../../scripts/**",
        "../../test/**",
        "../../bench/*",
      ]),
    ),
  );

  /** Anchors of a Markdown page: its headings as a renderer slugs them (outside code blocks). */
  function anchors(markdown: string): Set<string> {
    const slugs = new Set<string>();
    let inCode = false;
    for (const line of markdown.split("\n")) {
      if (line.startsWith("```")) {
        inCode = !inCode;
      }
      const heading = inCode ? undefined : /^#+ (.*)$/.exec(line)?.[1];
      if (heading !== undefined) {
        slugs.add(
          heading
            .trim()
            .toLowerCase()
            .replace(/[^\w\- ]/g, "")
            .replace(/ /g, "-"),
        );
      }
    }
    return slugs;
  }

  it("keeps the README within 12 KB", () => {
    expect(new TextEncoder().encode(readme).byteLength).toBeLessThanOrEqual(12 * 1024);
  });

  it("links to every page under docs/", () => {
    const linked = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => `../../${m[1]}`);
    const docs = Object.keys(pages).filter((page) => page.startsWith("../../docs/"));
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.filter((page) => !linked.includes(page))).toEqual([]);
  });

  it.each(Object.entries(pages))(
    "%s: every relative link reaches a file and heading",
    (file, text) => {
      const dir = file.split("/").slice(0, -1);
      for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) {
          continue;
        }
        const [path = "", anchor] = target.split("#");
        const parts = [...dir];
        for (const part of path.split("/")) {
          if (part === "..") {
            parts.pop();
          } else if (part !== "." && part !== "") {
            parts.push(part);
          }
        }
        const resolved = path === "" ? file : parts.join("/");
        expect(repositoryFiles.has(resolved) || resolved in pages, `${file}: ${target}`).toBe(true);
        const page = pages[resolved];
        if (anchor !== undefined && page !== undefined) {
          expect([...anchors(page)], `${file}: ${target}`).toContain(anchor);
        }
      }
    },
  );
});
