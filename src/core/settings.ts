/** Worker settings from plain vars, after validation. */
export interface Settings {
  /** How long an isolate keeps a parsed rollout, in seconds (`CONFIG_CACHE_SECONDS`). */
  readonly configCacheSeconds: number;
  /** How long to wait for an origin's response headers, in ms (`ORIGIN_TIMEOUT_SECONDS`). */
  readonly originTimeoutMs: number;
}

/** Defaults, as documented in the README and CONTRACT.md. */
export const DEFAULT_SETTINGS: Settings = {
  configCacheSeconds: 10,
  originTimeoutMs: 30_000,
};

/** The vars the settings come from; `wrangler.toml` gives strings, `--var` too. */
export interface SettingsVars {
  readonly CONFIG_CACHE_SECONDS?: string | number | undefined;
  readonly ORIGIN_TIMEOUT_SECONDS?: string | number | undefined;
}

/**
 * Reads the settings. A missing var takes its default; an invalid one also
 * does, and is reported in `problems` so the caller can log it: a typo in a
 * var must not take the router down.
 */
export function parseSettings(vars: SettingsVars): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const cache = seconds(vars.CONFIG_CACHE_SECONDS, "CONFIG_CACHE_SECONDS", 0, 86_400, problems);
  const timeout = seconds(
    vars.ORIGIN_TIMEOUT_SECONDS,
    "ORIGIN_TIMEOUT_SECONDS",
    0.001,
    3_600,
    problems,
  );
  return {
    settings: {
      configCacheSeconds: cache ?? DEFAULT_SETTINGS.configCacheSeconds,
      originTimeoutMs:
        timeout === undefined ? DEFAULT_SETTINGS.originTimeoutMs : Math.round(timeout * 1000),
    },
    problems,
  };
}

function seconds(
  raw: string | number | undefined,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (raw === undefined || raw === "") {
    return undefined;
  }
  // Plain decimal only: "0x10" or "1e1" in a config file is more likely a typo than intent.
  const text = typeof raw === "number" ? String(raw) : raw.trim();
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    problems.push(
      `${name}: expected a number of seconds from ${min} to ${max}, got ${JSON.stringify(raw)}; using the default`,
    );
    return undefined;
  }
  return value;
}
