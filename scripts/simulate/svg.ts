/**
 * A dependency-free SVG chart of a simulated rollout: canary weight, error
 * rate per cohort and p95 latency per cohort, one point per simulated minute,
 * with the controller's decisions marked.
 */

/** One simulated minute. */
export interface ChartMinute {
  readonly minute: number;
  /** Canary weight, percent. */
  readonly weight: number;
  readonly errorRate: { readonly stable: number | null; readonly canary: number | null };
  readonly p95: { readonly stable: number | null; readonly canary: number | null };
}

/** A decision to mark. */
export interface ChartMark {
  readonly minute: number;
  readonly label: string;
}

const WIDTH = 900;
const PANEL = 170;
const LEFT = 70;
const RIGHT = 20;
const COLORS = { weight: "#6b46c1", stable: "#2b6cb0", canary: "#dd6b20" };

/** Renders the chart as an SVG document. */
export function renderChart(
  title: string,
  minutes: readonly ChartMinute[],
  marks: readonly ChartMark[],
): string {
  const last = Math.max(1, ...minutes.map((m) => m.minute + 1));
  const x = (minute: number): number => LEFT + ((WIDTH - LEFT - RIGHT) * minute) / last;
  const panels = [
    {
      name: "canary weight (%)",
      top: 40,
      max: 100,
      series: [{ color: COLORS.weight, values: minutes.map((m) => m.weight) }],
    },
    {
      name: "error rate (%)",
      top: 40 + PANEL + 30,
      max: niceMax(
        minutes
          .flatMap((m) => [m.errorRate.stable, m.errorRate.canary])
          .map((r) => (r === null ? 0 : r * 100)),
      ),
      series: [
        { color: COLORS.stable, values: minutes.map((m) => pct(m.errorRate.stable)) },
        { color: COLORS.canary, values: minutes.map((m) => pct(m.errorRate.canary)) },
      ],
    },
    {
      name: "p95 latency (ms)",
      top: 40 + 2 * (PANEL + 30),
      max: niceMax(minutes.flatMap((m) => [m.p95.stable ?? 0, m.p95.canary ?? 0])),
      series: [
        { color: COLORS.stable, values: minutes.map((m) => m.p95.stable) },
        { color: COLORS.canary, values: minutes.map((m) => m.p95.canary) },
      ],
    },
  ];
  const height = 40 + 3 * (PANEL + 30) + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14">${escape(title)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="20" text-anchor="end"><tspan fill="${COLORS.stable}">stable</tspan> / <tspan fill="${COLORS.canary}">canary</tspan></text>`,
  ];
  for (const panel of panels) {
    const y = (value: number): number =>
      panel.top + PANEL - (PANEL * Math.min(value, panel.max)) / panel.max;
    parts.push(
      `<rect x="${LEFT}" y="${panel.top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#ccc"/>`,
      `<text x="${LEFT - 6}" y="${panel.top + 4}" text-anchor="end">${round(panel.max)}</text>`,
      `<text x="${LEFT - 6}" y="${panel.top + PANEL}" text-anchor="end">0</text>`,
      `<text x="${LEFT + 4}" y="${panel.top + 14}" fill="#555">${escape(panel.name)}</text>`,
    );
    for (const series of panel.series) {
      const points = minutes.flatMap((m, i) => {
        const value = series.values[i];
        return value === null || value === undefined
          ? []
          : [`${x(m.minute + 0.5).toFixed(1)},${y(value).toFixed(1)}`];
      });
      parts.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="1.5" points="${points.join(" ")}"/>`,
      );
    }
  }
  for (const mark of marks) {
    const mx = x(mark.minute + 1).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="40" x2="${mx}" y2="${height - 20}" stroke="#999" stroke-dasharray="3,3"/>`,
      `<text x="${mx}" y="${height - 6}" text-anchor="middle" fill="#333">${escape(mark.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${WIDTH - RIGHT}" y="${height - 6}" text-anchor="end" fill="#555">simulated minutes: ${last}</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function pct(rate: number | null): number | null {
  return rate === null ? null : rate * 100;
}

function niceMax(values: readonly number[]): number {
  const max = Math.max(1e-9, ...values);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) {
      return step * magnitude;
    }
  }
  return 10 * magnitude;
}

function round(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
