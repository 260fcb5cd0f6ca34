// The report page's script (inlined into every report by html.ts): draws the
// model embedded in #report-data with uPlot. It computes nothing the reader
// relies on; model.ts builds every figure. On the collector's live page it
// fetches a fresh model every `live` seconds and redraws.
/* global uPlot, document, window, fetch, location, setTimeout */
"use strict";

(function () {
  const COLORS = ["#2b6cb0", "#dd6b20", "#2f855a", "#b83280", "#805ad5", "#d69e2e"];
  const WEIGHT = "#6b46c1";
  const LIMIT = "#c53030";
  const MARK = "rgba(45,55,72,0.55)";
  const charts = [];
  const span = { from: 0, to: 0 };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(name, value);
      }
    }
    for (const child of children || []) {
      node.append(child);
    }
    return node;
  }

  function pct(v, digits) {
    return v === null || v === undefined ? "–" : (100 * v).toFixed(digits) + " %";
  }

  function time(s) {
    return new Date(s * 1000).toISOString().slice(0, 16).replace("T", " ") + "Z";
  }

  function width() {
    return Math.max(480, Math.min(1100, document.body.clientWidth - 40));
  }

  // Vertical lines at every decision, drawn on a chart's canvas.
  function markerLines(model) {
    return {
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = MARK;
            ctx.setLineDash([4, 4]);
            ctx.lineWidth = 1;
            for (const m of model.markers) {
              const x = Math.round(u.valToPos(m.at, "x", true));
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
                continue;
              }
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  // Hoverable markers (one element per history entry) over the first chart.
  function markerHandles(model, tip) {
    return {
      hooks: {
        draw: [
          (u) => {
            for (const old of u.over.querySelectorAll(".marker")) {
              old.remove();
            }
            model.markers.forEach((m, index) => {
              const x = u.valToPos(m.at, "x");
              const handle = el("button", {
                class: "marker marker-" + m.action,
                "data-index": String(index),
                "aria-label": m.action + " at " + time(m.at),
                style: "left:" + x + "px",
                text: symbol(m.action),
              });
              handle.addEventListener("mouseenter", () => showTip(tip, m, handle));
              handle.addEventListener("focus", () => showTip(tip, m, handle));
              handle.addEventListener("mouseleave", () => tip.classList.remove("shown"));
              handle.addEventListener("blur", () => tip.classList.remove("shown"));
              u.over.append(handle);
            });
          },
        ],
      },
    };
  }

  function symbol(action) {
    return (
      {
        promote: "▲",
        complete: "★",
        rollback: "▼",
        ramp_down: "▽",
        hold: "‖",
        manual: "✎",
        start: "●",
      }[action] || "•"
    );
  }

  function showTip(tip, m, handle) {
    tip.replaceChildren(
      el("strong", { text: m.action + " (" + m.code + ") · " + time(m.at) }),
      el("div", { text: m.reason }),
      el("div", { class: "by", text: "by " + m.by }),
      el(
        "table",
        {},
        m.figures.map(([name, value]) =>
          el("tr", {}, [el("th", { text: name }), el("td", { text: value })]),
        ),
      ),
    );
    const box = handle.getBoundingClientRect();
    tip.style.left =
      Math.max(8, Math.min(window.scrollX + box.left - 160, document.body.clientWidth - 440)) +
      "px";
    tip.style.top = window.scrollY + box.bottom + 6 + "px";
    tip.classList.add("shown");
  }

  // A chart of several series plus, optionally, the canary weight on a right axis.
  function chart(parent, title, xs, series, opts) {
    const box = el("figure", { class: "chart" }, [el("figcaption", { text: title })]);
    parent.append(box);
    const withWeight = opts.weight !== undefined;
    const config = {
      width: width(),
      height: opts.height || 200,
      plugins: opts.plugins || [],
      cursor: { drag: { x: true, y: false } },
      // One time axis for every chart, checks included.
      scales: {
        x: { time: true, range: () => [span.from, span.to] },
        y: { auto: true },
        w: { range: [0, 100] },
      },
      series: [{ value: (u, v) => (v === null ? "–" : time(v)) }].concat(
        series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width || 1.5,
          dash: s.dash,
          fill: s.fill,
          scale: "y",
          spanGaps: false,
          points: { show: false },
          value: (u, v) => (v === null ? "–" : opts.format(v)),
        })),
        withWeight
          ? [
              {
                label: "canary weight %",
                stroke: WEIGHT,
                width: 2,
                scale: "w",
                paths: uPlot.paths.stepped({ align: 1 }),
                points: { show: false },
              },
            ]
          : [],
      ),
      axes: [
        {},
        { scale: "y", values: (u, vals) => vals.map((v) => opts.format(v)), size: 70 },
      ].concat(
        withWeight
          ? [
              {
                scale: "w",
                side: 1,
                grid: { show: false },
                values: (u, vals) => vals.map((v) => v + " %"),
              },
            ]
          : [],
      ),
      bands: opts.bands,
    };
    const data = [xs].concat(
      series.map((s) => s.values),
      withWeight ? [opts.weight] : [],
    );
    const drawn = series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
    box.dataset.points = String(drawn);
    box.dataset.colors = series.map((s) => s.color).join(" ");
    const plot = new uPlot(config, data, box);
    charts.push(plot);
    return plot;
  }

  function render(model) {
    for (const plot of charts.splice(0)) {
      plot.destroy();
    }
    span.from = model.from;
    span.to = Math.max(model.to, model.from + 60);
    const root = document.getElementById("report");
    root.replaceChildren();
    const tip = el("div", { id: "marker-tip", role: "tooltip" });
    root.append(tip);
    const h = model.header;
    root.append(
      el("header", {}, [
        el("h1", { text: "Rollout " + model.key }),
        el("p", { class: "verdict verdict-" + h.verdictStatus, id: "verdict", text: h.verdict }),
        el("table", { class: "facts" }, [
          row("state", h.state + ": " + h.summary),
          row("revision", h.revision),
          row("weights", h.weights.map(([c, w]) => c + " " + w + " %").join(", ")),
          row("origins", h.origins.map(([c, o]) => c + " → " + o).join(", ")),
          row("last change", h.lastChange || "–"),
          row("window", time(model.from) + " – " + time(model.to) + " (" + model.target + ")"),
          row(
            "generated",
            model.generatedAt + (model.live ? " · refreshes every " + model.live + " s" : ""),
          ),
        ]),
      ]),
    );
    const traffic = el("section", {}, [el("h2", { text: "Traffic per cohort, per minute" })]);
    root.append(traffic);
    const xs = model.minutes;
    const cohorts = model.cohorts;
    const color = (i) => COLORS[i % COLORS.length];
    const lines = [markerLines(model)];
    const num = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
    chart(
      traffic,
      "Requests per minute, with the canary weight (step) and every decision (hover a marker)",
      xs,
      cohorts.map((c, i) => ({ label: c.cohort, color: color(i), values: c.requests })),
      {
        weight: model.weight,
        format: num,
        plugins: [markerLines(model), markerHandles(model, tip)],
        height: 230,
      },
    );
    chart(
      traffic,
      "Error rate",
      xs,
      cohorts.map((c, i) => ({ label: c.cohort, color: color(i), values: c.errorRate })),
      { weight: model.weight, format: (v) => pct(v, 2), plugins: lines },
    );
    chart(
      traffic,
      "Latency p50 / p95 / p99 (ms)",
      xs,
      cohorts.flatMap((c, i) => [
        { label: c.cohort + " p50", color: color(i), values: c.p50, width: 1 },
        { label: c.cohort + " p95", color: color(i), values: c.p95, width: 2 },
        { label: c.cohort + " p99", color: color(i), values: c.p99, width: 1, dash: [6, 3] },
      ]),
      { weight: model.weight, format: num, plugins: lines },
    );
    const canaryIndex = cohorts.findIndex((c) => c.cohort === model.canary);
    if (canaryIndex >= 0) {
      chart(
        traffic,
        "Observed share of " + model.canary + " (weights-decided requests) against its weight",
        xs,
        [
          {
            label: "observed share",
            color: color(canaryIndex),
            values: cohorts[canaryIndex].share.map((v) => (v === null ? null : 100 * v)),
          },
          { label: "weight", color: WEIGHT, values: model.weight, width: 2 },
        ],
        { format: (v) => v.toFixed(1) + " %", plugins: lines },
      );
    }
    const checks = el("section", {}, [
      el("h2", { text: "Judge checks over time" }),
      el("p", { class: "note", text: model.checksSource }),
    ]);
    root.append(checks);
    for (const panel of model.checks) {
      const format = panel.unit === "ratio" ? (v) => "×" + v.toFixed(2) : (v) => pct(v, 2);
      const side = panel.failAbove === null ? "outside" : panel.failAbove ? "above" : "below";
      const last = panel.status[panel.status.length - 1] || "–";
      chart(
        checks,
        panel.label +
          " (" +
          panel.check +
          ", now " +
          last +
          "): fails when the bounds are all " +
          side +
          " the limit",
        panel.at,
        [
          { label: "estimate", color: "#1a202c", values: panel.estimate, width: 2 },
          { label: "lower bound", color: "#718096", values: panel.lower, width: 1 },
          { label: "upper bound", color: "#718096", values: panel.upper, width: 1 },
          { label: "limit", color: LIMIT, values: panel.limit, width: 2, dash: [8, 4] },
        ],
        {
          format,
          plugins: lines,
          bands: [{ series: [3, 2], fill: "rgba(113,128,150,0.18)" }],
          height: 170,
        },
      );
    }
    root.append(historyTable(model));
  }

  function row(name, value) {
    return el("tr", {}, [el("th", { text: name }), el("td", { text: value })]);
  }

  function historyTable(model) {
    return el("section", {}, [
      el("h2", { text: "History (" + model.markers.length + " entries)" }),
      el("table", { class: "history" }, [
        el("thead", {}, [
          el(
            "tr",
            {},
            ["time", "action", "weight", "by", "reason"].map((t) => el("th", { text: t })),
          ),
        ]),
        el(
          "tbody",
          {},
          model.markers.map((m) =>
            el("tr", { class: "row-" + m.action }, [
              el("td", { text: time(m.at) + (m.repeated > 1 ? " (" + m.repeated + "×)" : "") }),
              el("td", { text: m.action + " (" + m.code + ")" }),
              el("td", { text: m.from + " → " + m.to + " %" }),
              el("td", { text: m.by }),
              el("td", { text: m.reason }),
            ]),
          ),
        ),
      ]),
    ]);
  }

  function start() {
    const model = JSON.parse(document.getElementById("report-data").textContent);
    if (model.version !== 1) {
      throw new Error("report: unknown model version " + model.version);
    }
    render(model);
    if (model.live) {
      const refresh = () =>
        fetch(location.pathname.replace(/\/?$/, ".json") + location.search, { cache: "no-store" })
          .then((r) => (r.ok ? r.json() : null))
          .then((fresh) => fresh && render(fresh))
          .catch(() => undefined)
          .finally(() => setTimeout(refresh, model.live * 1000));
      setTimeout(refresh, model.live * 1000);
    }
  }

  start();
})();
