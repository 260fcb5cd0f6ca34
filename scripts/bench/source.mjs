// @ts-check
/**
 * Which gray-router source the benchmark builds: the working tree (default), another
 * directory holding `src/` and `wrangler.toml` (e.g. a patched copy), or a git revision,
 * extracted with `git archive` under bench/out/source/ (the working tree is not touched).
 * The bench workers (bench/*.ts, *.js, *.mjs) are copied next to a copy's `src/`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * @param {string} root
 * @param {string[]} args
 */
async function git(root, args) {
  try {
    const { stdout } = await run("git", args, { cwd: root });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * @param {string} root repository root
 * @param {string | undefined} spec BENCH_SOURCE: unset, a directory, or a git revision
 * @returns {Promise<{ dir: string, label: string }>}
 */
export async function resolveSource(root, spec) {
  if (spec === undefined || spec === "") {
    const head = (await git(root, ["rev-parse", "--short", "HEAD"])) ?? "unknown";
    const dirty = (await git(root, ["status", "--porcelain", "--", "src", "wrangler.toml"])) ?? "";
    return {
      dir: root,
      label: `working tree at ${head}${dirty === "" ? "" : " + uncommitted changes in src/"}`,
    };
  }
  const asDir = path.resolve(root, spec);
  if (existsSync(path.join(asDir, "src", "index.ts"))) {
    await copyBenchWorkers(root, asDir);
    return { dir: asDir, label: `copy in ${path.relative(root, asDir)}` };
  }
  const sha = await git(root, ["rev-parse", "--verify", "--quiet", `${spec}^{commit}`]);
  if (sha === undefined || sha === "") {
    throw new Error(
      `BENCH_SOURCE=${spec} is neither a directory with src/index.ts nor a git revision`,
    );
  }
  const dir = path.join(root, "bench", "out", "source", sha.slice(0, 12));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tar = path.join(dir, "source.tar");
  await run("git", ["archive", "--format=tar", "-o", tar, sha, "src", "wrangler.toml"], {
    cwd: root,
  });
  await run("tar", ["-xf", tar, "-C", dir]);
  await rm(tar);
  await copyBenchWorkers(root, dir);
  return {
    dir,
    label: `git ${spec} (${sha.slice(0, 12)}), extracted to ${path.relative(root, dir)}`,
  };
}

/**
 * @param {string} root
 * @param {string} dir
 */
async function copyBenchWorkers(root, dir) {
  if (path.resolve(dir) === path.resolve(root)) {
    return;
  }
  const from = path.join(root, "bench");
  await mkdir(path.join(dir, "bench"), { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name)) {
      await cp(path.join(from, entry.name), path.join(dir, "bench", entry.name));
    }
  }
}
