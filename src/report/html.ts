/**
 * The report as one self-contained HTML page: uPlot's script and style, the
 * page script (page.js) and the model (JSON) inlined, nothing fetched. Pure:
 * the assets are passed in (assets.ts reads them).
 */

import type { ReportModel } from "./model";

/** The files a page inlines. */
export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly pageJs: string;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1a202c; margin: 0 auto; padding: 16px 20px; max-width: 1140px; }
h1 { font-size: 22px; margin: 0 0 6px; } h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 1px solid #e2e8f0; }
.verdict { font-size: 16px; padding: 8px 12px; border-radius: 6px; background: #edf2f7; }
.verdict-fail { background: #fed7d7; } .verdict-pass { background: #c6f6d5; } .verdict-inconclusive { background: #fefcbf; }
table.facts th, table.history th { text-align: left; padding-right: 12px; vertical-align: top; }
table.history { border-collapse: collapse; width: 100%; font-size: 13px; }
table.history td, table.history th { border-bottom: 1px solid #e2e8f0; padding: 3px 6px; vertical-align: top; }
.row-rollback td, .row-ramp_down td { background: #fff5f5; } .row-promote td, .row-complete td { background: #f0fff4; }
figure.chart { margin: 10px 0 16px; } figcaption { font-weight: 600; margin-bottom: 2px; }
.note { color: #4a5568; font-size: 13px; }
.marker { position: absolute; top: -2px; transform: translateX(-50%); border: 0; background: #2d3748; color: #fff;
  font-size: 11px; line-height: 16px; min-width: 16px; padding: 0 3px; border-radius: 3px; cursor: pointer; z-index: 5; }
.marker-rollback, .marker-ramp_down { background: #c53030; } .marker-promote, .marker-complete { background: #2f855a; }
.marker-hold { background: #b7791f; } .marker-manual { background: #6b46c1; }
#marker-tip { display: none; position: absolute; z-index: 20; max-width: 430px; background: #fff; border: 1px solid #a0aec0;
  border-radius: 6px; padding: 8px 10px; box-shadow: 0 4px 14px rgba(0,0,0,.15); font-size: 12px; }
#marker-tip.shown { display: block; } #marker-tip th { text-align: left; padding-right: 8px; font-weight: 600; }
#marker-tip .by { color: #4a5568; margin-bottom: 4px; }
@media print { body { max-width: none; } .marker, #marker-tip { display: none !important; } figure.chart { break-inside: avoid; } }
`;

/** Renders the page. */
export function renderReportHtml(model: ReportModel, assets: ReportAssets): string {
  const title = `gray report: ${model.key}`;
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load from anywhere: the file is read offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${assets.uplotCss}</style>`,
    `<style>${STYLE}</style>`,
    "</head><body>",
    '<main id="report"><noscript>This report needs JavaScript to draw its charts.</noscript></main>',
    `<script type="application/json" id="report-data">${scriptJson(model)}</script>`,
    `<script>${inlineScript(assets.uplotJs)}</script>`,
    `<script>${inlineScript(assets.pageJs)}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

/** JSON that cannot end the script element it sits in. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function inlineScript(code: string): string {
  return code.replace(/<\/script/gi, "<\\/script");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
