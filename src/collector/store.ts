/**
 * The local collector's store: data points in memory for queries, and on
 * disk (one JSON line per point) so a restart keeps them. Bounded: the
 * newest MAX_POINTS points, none older than MAX_AGE_MS; the file is rewritten
 * with what is kept when it outgrows that by a tenth. Node only.
 */

import { createWriteStream, renameSync, writeFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as v from "valibot";
import type { RecordedPoint } from "../control/recorded-source";

/** Points kept: about 5.5 hours of the demo's 10 requests per second. */
export const MAX_POINTS = 200_000;
/** Points older than this are dropped (Analytics Engine keeps three months; a local run needs days at most). */
export const MAX_AGE_MS = 7 * 24 * 3600_000;
/** The file under the state directory. */
export const POINTS_FILE = "points.jsonl";

/** Analytics Engine's limits on one data point: 1 index of 96 bytes, 20 blobs, 20 doubles. */
const pointSchema = v.object({
  indexes: v.pipe(v.array(v.pipe(v.string(), v.maxLength(96))), v.length(1)),
  blobs: v.pipe(v.array(v.pipe(v.string(), v.maxLength(16_384))), v.maxLength(20)),
  doubles: v.pipe(v.array(v.pipe(v.number(), v.finite())), v.maxLength(20)),
});

/** A stored line: when, and the point in positional form. */
const lineSchema = v.object({
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
  point: pointSchema,
});

/** A point with the time it was written (tests and imports send these). */
export const stampedSchema = v.object({
  at: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  point: pointSchema,
});

/** A point as the router sends it, or stamped. */
export type Incoming = v.InferOutput<typeof pointSchema> | v.InferOutput<typeof stampedSchema>;

/** The router's form: one positional point. */
export { pointSchema };

/** How much the store keeps (the defaults above; tests use small ones). */
export interface StoreLimits {
  readonly maxPoints: number;
  readonly maxAgeMs: number;
}

/** The store's state for /health. */
export interface StoreStats {
  readonly points: number;
  readonly oldest: number | null;
  readonly newest: number | null;
  readonly file: string;
  readonly maxPoints: number;
  /** Lines of the file that could not be read at start (a torn last line after a crash, say). */
  readonly skippedLines: number;
}

/** Points in memory, appended to a file. */
export class PointStore {
  private points: RecordedPoint[] = [];
  private out: WriteStream | null = null;
  private skipped = 0;
  /** Blob texts repeat (keys, cohorts, revisions...): one copy each keeps memory small. */
  private readonly texts = new Map<string, string>();
  private changes = 0;

  private constructor(
    private readonly file: string,
    private readonly now: () => number,
    private readonly limits: StoreLimits,
  ) {}

  /** Opens (or creates) the store in `dir`, reading what a previous run kept. */
  static async open(
    dir: string,
    now: () => number = Date.now,
    limits: StoreLimits = { maxPoints: MAX_POINTS, maxAgeMs: MAX_AGE_MS },
  ): Promise<PointStore> {
    await mkdir(dir, { recursive: true });
    const store = new PointStore(path.join(dir, POINTS_FILE), now, limits);
    await store.load();
    return store;
  }

  /** Every point kept, oldest first. */
  all(): readonly RecordedPoint[] {
    return this.points;
  }

  /**
   * Counts the changes other than appending a point at or after the newest:
   * a point stamped in the past, old points dropped. While it stays the
   * same, what was read of the points up to the newest one still holds.
   */
  generation(): number {
    return this.changes;
  }

  /** Adds a validated point, stamped now unless it carries its own time. */
  add(incoming: Incoming): void {
    const at = "point" in incoming ? (incoming.at ?? this.now()) : this.now();
    const raw = "point" in incoming ? incoming.point : incoming;
    const point = {
      indexes: raw.indexes.map((text) => this.intern(text)),
      blobs: raw.blobs.map((text) => this.intern(text)),
      doubles: raw.doubles,
    };
    const recorded: RecordedPoint = { at, point };
    // Points arrive in time order except for stamped imports; keep the array sorted.
    const last = this.points[this.points.length - 1];
    if (last === undefined || last.at <= at) {
      this.points.push(recorded);
    } else {
      const index = this.points.findIndex((p) => p.at > at);
      this.points.splice(index, 0, recorded);
      this.changes += 1;
    }
    this.out?.write(`${JSON.stringify({ at, point })}\n`);
    if (this.points.length > this.limits.maxPoints * 1.1) {
      this.compact();
    }
  }

  /** Figures for /health. */
  stats(): StoreStats {
    return {
      points: this.points.length,
      oldest: this.points[0]?.at ?? null,
      newest: this.points[this.points.length - 1]?.at ?? null,
      file: this.file,
      maxPoints: this.limits.maxPoints,
      skippedLines: this.skipped,
    };
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const out = this.out;
    this.out = null;
    if (out !== null) {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }

  private intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) {
      return known;
    }
    if (this.texts.size > 50_000) {
      this.texts.clear();
    }
    this.texts.set(text, text);
    return text;
  }

  private async load(): Promise<void> {
    let text = "";
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) {
        throw error;
      }
    }
    const points: RecordedPoint[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") {
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        this.skipped += 1;
        continue;
      }
      const parsed = v.safeParse(lineSchema, json);
      if (!parsed.success) {
        this.skipped += 1;
        continue;
      }
      const { at, point } = parsed.output;
      points.push({
        at,
        point: {
          indexes: point.indexes.map((t) => this.intern(t)),
          blobs: point.blobs.map((t) => this.intern(t)),
          doubles: point.doubles,
        },
      });
    }
    points.sort((a, b) => a.at - b.at);
    const total = points.length;
    this.points = this.kept(points);
    if (this.points.length !== total || this.skipped > 0) {
      this.rewrite();
    }
    this.out = createWriteStream(this.file, { flags: "a" });
  }

  /** The newest `maxPoints` within `maxAgeMs`. */
  private kept(points: RecordedPoint[]): RecordedPoint[] {
    const since = this.now() - this.limits.maxAgeMs;
    const fresh = points.filter((p) => p.at >= since);
    return fresh.slice(Math.max(0, fresh.length - this.limits.maxPoints));
  }

  /**
   * Drops what is past the bounds and rewrites the file with the rest,
   * synchronously (a fraction of a second every MAX_POINTS / 10 points), so
   * no point arrives while the file is being replaced. Writes still queued on
   * the old stream land in the replaced file, which is gone by then; they are
   * in memory and in the new file.
   */
  private compact(): void {
    this.points = this.kept(this.points);
    this.changes += 1;
    this.out?.end();
    this.rewrite();
    this.out = createWriteStream(this.file, { flags: "a" });
  }

  /** Writes the kept points to a new file and moves it into place, so a crash leaves one whole file. */
  private rewrite(): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(
      temporary,
      this.points.map((p) => `${JSON.stringify({ at: p.at, point: p.point })}\n`).join(""),
    );
    renameSync(temporary, this.file);
  }
}
