/**
 * reports/bench.html: one self-contained page with the run's machine and
 * peers, the targets marked met or missed, and per group a plotly bar
 * chart of medians (min/max as error bars) above a table with the ratios.
 *
 * Offline by construction: plotly's basic bundle is inlined, the data sits
 * in JSON blocks, and the same Content-Security-Policy as the lesson
 * reports forbids every network load.
 */
import {
  plotlyBundle,
  plotlyBundleHash,
  scriptHash,
} from "../export/assets.js";
import { escapeHtml, scriptJson } from "../export/html.js";
import { contentSecurityPolicy, renderHead } from "../export/page.js";
import { REPORT_CSS } from "../export/style.js";
import type { BenchReport } from "./run.js";
import { formatFigure, rowLabel } from "./table.js";
import type { TargetCheck } from "./targets.js";
import type { RowResult } from "./types.js";

const PLOTLY_FILE = "plotly-basic.min.js";

/** Draws every chart from its JSON block; fixed text, allowed by hash. */
const RENDERER = `
for (const block of document.querySelectorAll("script.bench-chart")) {
  const spec = JSON.parse(block.textContent);
  const div = document.createElement("div");
  div.className = "chart";
  block.after(div);
  Plotly.newPlot(div, spec.data, spec.layout,
    { displaylogo: false, responsive: true });
}
`;

const BENCH_CSS = `
table.bench { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
table.bench th, table.bench td {
  padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--rule);
  text-align: left; vertical-align: top;
}
table.bench td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: var(--ok); font-weight: 600; }
.missed { color: var(--bad); font-weight: 600; }
.na, .skipped, .failed { color: var(--muted); }
.chart { width: 100%; height: 420px; }
pre.peers { font-size: 0.8rem; overflow-x: auto; background: var(--code-bg); }
`;

/** Plotly traces and layout for one group: a bar per implementation. */
export function chartSpec(group: string, rows: readonly RowResult[]) {
  const cases = [...new Set(rows.map((r) => r.name))];
  const labels = [...new Set(rows.map((r) => rowLabel(r)))];
  const data = labels.map((label) => {
    const byCase = cases.map((c) =>
      rows.find((r) => r.name === c && rowLabel(r) === label),
    );
    const s = byCase.map((r) => r?.summary);
    return {
      type: "bar",
      name: label,
      x: cases,
      y: s.map((x) => x?.median ?? null),
      error_y: {
        type: "data",
        symmetric: false,
        array: s.map((x) => (x ? x.max - x.median : null)),
        arrayminus: s.map((x) => (x ? x.median - x.min : null)),
      },
    };
  });
  const medians = rows.flatMap((r) => (r.summary ? [r.summary.median] : []));
  const spread = Math.max(...medians) / Math.min(...medians);
  const unit = rows[0]?.unit;
  return {
    data,
    layout: {
      title: { text: group },
      barmode: "group",
      yaxis: {
        title: { text: `${unit?.label ?? ""} (median; bars min to max)` },
        type: spread > 30 ? "log" : "linear",
      },
      margin: { t: 50, b: 90 },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}

function cell(text: string, className = ""): string {
  const cls = className ? ` class="${className}"` : "";
  return `<td${cls}>${escapeHtml(text)}</td>`;
}

function rowHtml(row: RowResult): string {
  const s = row.summary;
  const figures = s
    ? [s.median, s.min, s.max].map((x) => cell(formatFigure(x), "num"))
    : [
        `<td colspan="3" class="${row.status}">` +
          escapeHtml(`${row.status}: ${row.reason ?? ""}`) +
          "</td>",
      ];
  return [
    "<tr>",
    cell(row.name),
    cell(rowLabel(row)),
    ...figures,
    cell(row.unit.label),
    `<td>${row.ratios
      .map((r) => escapeHtml(`ours/${r.peer} ${formatFigure(r.value)}`))
      .join("<br>")}</td>`,
    cell(row.note ?? ""),
    "</tr>",
  ].join("");
}

function groupSection(group: string, rows: RowResult[]): string {
  const head =
    "<tr><th>case</th><th>implementation</th><th>median</th><th>min</th>" +
    "<th>max</th><th>unit</th><th>speed ratio to peers</th><th>note</th></tr>";
  return [
    `<section><h2>${escapeHtml(group)}</h2>`,
    `<script type="application/json" class="bench-chart">` +
      `${scriptJson(chartSpec(group, rows))}</script>`,
    `<table class="bench"><thead>${head}</thead><tbody>`,
    ...rows.map(rowHtml),
    "</tbody></table></section>",
  ].join("\n");
}

function targetsSection(targets: readonly TargetCheck[]): string {
  if (targets.length === 0) return "";
  const verdict = (t: TargetCheck) =>
    t.met === null
      ? `<td class="na">not measured</td>`
      : t.met
        ? `<td class="met">met</td>`
        : `<td class="missed">missed</td>`;
  const rows = targets.map(
    (t) =>
      `<tr>${verdict(t)}${cell(t.target)}${cell(t.name)}${cell(t.detail)}</tr>`,
  );
  return [
    "<section><h2>Targets</h2>",
    `<table class="bench"><thead><tr><th>verdict</th><th>target</th>` +
      `<th>case</th><th>measured</th></tr></thead><tbody>`,
    ...rows,
    "</tbody></table></section>",
  ].join("\n");
}

/**
 * All ratios in one table: a line per row of ours with any, a column per
 * peer (ours / peer speed, same case and thread count).
 */
function ratiosSection(rows: readonly RowResult[]): string {
  const withRatios = rows.filter((r) => r.ratios.length > 0);
  if (withRatios.length === 0) return "";
  const peers = [
    ...new Set(withRatios.flatMap((r) => r.ratios.map((x) => x.peer))),
  ];
  const head = ["group", "case", "threads", ...peers.map((p) => `ours/${p}`)]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join("");
  const lines = withRatios.map((row) => {
    const values = peers.map((peer) => {
      const ratio = row.ratios.find((x) => x.peer === peer);
      return cell(ratio ? formatFigure(ratio.value) : "", "num");
    });
    const threads = cell(String(row.threads), "num");
    return `<tr>${cell(row.group)}${cell(row.name)}${threads}${values.join("")}</tr>`;
  });
  return [
    "<section><h2>Ratios</h2>",
    "<p>Our speed over each peer's; above 1, ours is faster.</p>",
    `<table class="bench"><thead><tr>${head}</tr></thead><tbody>`,
    ...lines,
    "</tbody></table></section>",
  ].join("\n");
}

/** The page for `report`; it loads nothing from the network. */
export function renderBenchHtml(report: BenchReport): string {
  const groups = new Map<string, RowResult[]>();
  for (const row of report.rows) {
    groups.set(row.group, [...(groups.get(row.group) ?? []), row]);
  }
  const csp = contentSecurityPolicy([
    plotlyBundleHash(PLOTLY_FILE),
    scriptHash(RENDERER),
  ]);
  const m = report.machine;
  const runLine =
    `${report.date} · ${report.mode} run · ${m.cpu} (${m.cores} cores; ` +
    `${m.cpuFlags.join(" ")}) · Node ${m.node}`;
  return `<!doctype html>
<html lang="en">
<head>
${renderHead("memnets benchmark", csp, [REPORT_CSS, BENCH_CSS])}
</head>
<body>
<header class="page">
<h1>memnets benchmark</h1>
<p class="run-line">${escapeHtml(runLine)}</p>
<p class="source-line">Figures are medians over repeated runs after
warm-up; ratios are our speed over the peer's, same case and thread count,
measured in this run. tfjs has no float64, so its rows are float32 only.</p>
</header>
<main>
${targetsSection(report.targets)}
${ratiosSection(report.rows)}
${[...groups].map(([group, rows]) => groupSection(group, rows)).join("\n")}
<section><h2>Peers</h2>
<pre class="peers">${escapeHtml(JSON.stringify(report.peers, null, 2))}</pre>
</section>
</main>
<script>${plotlyBundle(PLOTLY_FILE)}</script>
<script>${RENDERER}</script>
</body>
</html>
`;
}
