/**
 * When the controller runs next, from the Worker's cron triggers. gray only
 * needs the schedules a canary controller uses: every minute (the default,
 * `* * * * *`) and every N minutes (`*\/N * * * *`); for any other
 * expression it says "at the next cron run" rather than guess.
 */

/** The start of the next run after `now` (ms), or null for a schedule gray does not read. */
export function nextRun(crons: readonly string[], now: number): number | null {
  let best: number | null = null;
  for (const cron of crons) {
    const fields = cron.trim().split(/\s+/);
    if (fields.length !== 5 || fields.slice(1).some((f) => f !== "*")) {
      continue;
    }
    const minute = fields[0] ?? "";
    const every = minute === "*" ? 1 : /^\*\/(\d{1,2})$/.exec(minute)?.[1];
    const step = Number(every);
    if (every === undefined || !(step >= 1 && step <= 59)) {
      continue;
    }
    const minutes = Math.floor(now / 60_000);
    const next = (Math.floor(minutes / step) + 1) * step * 60_000;
    best = best === null ? next : Math.min(best, next);
  }
  return best;
}
