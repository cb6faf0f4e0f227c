/**
 * The report page for one executed notebook: header with title and run
 * line, a banner when the run failed, contents, cells, and the inlined
 * styles and (only when a plot is present) the smallest plotly bundle
 * that draws it.
 *
 * A Content-Security-Policy in the page forbids every network load and
 * allows only the page's own scripts (by hash), so even markup the
 * sanitiser missed could neither fetch nor run anything.
 */
import {
  choosePlotlyBundle,
  highlightCss,
  katexCss,
  plotlyBundle,
  plotlyBundleHash,
  scriptHash,
} from "./assets.js";
import { renderCell, type RenderedCell } from "./cells.js";
import { pageTitle, renderBanner, renderToc } from "./header.js";
import { escapeHtml } from "./html.js";
import { PLOT_RENDERER } from "./plot.js";
import { readRunInfo, renderRunLine } from "./runinfo.js";
import { REPORT_CSS } from "./style.js";
import { isRecord, type Notebook } from "./types.js";

export interface ReportOptions {
  /**
   * Page title as markdown (a heading's text: `Energy $E$` is typeset in
   * the header and shown as `Energy E` in <title>); default: the first
   * `# ` heading, else the file name.
   */
  title?: string;
  /** Path of the executed notebook, shown under the title. */
  sourcePath?: string;
}

/** The CSP for a page; `scripts` are the inline scripts it may run. */
export function contentSecurityPolicy(scriptHashes: string[]): string {
  const scriptSrc = scriptHashes.length ? scriptHashes.join(" ") : "'none'";
  return [
    "default-src 'none'",
    "img-src data: blob:",
    "font-src data:",
    "style-src 'unsafe-inline'",
    `script-src ${scriptSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** Shared <head>: charset, CSP, title and stylesheets. */
export function renderHead(title: string, csp: string, css: string[]): string {
  return [
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    `<meta name="referrer" content="no-referrer">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(title)}</title>`,
    ...css.map((text) => `<style>${text}</style>`),
  ].join("\n");
}

function validate(nb: Notebook): void {
  if (!isRecord(nb) || !Array.isArray(nb.cells)) {
    throw new TypeError(
      `renderReport: notebook must be an nbformat object with a cells array`,
    );
  }
  if (nb.nbformat !== 4) {
    throw new RangeError(
      `renderReport: notebook.nbformat must be 4, got ${String(nb.nbformat)}`,
    );
  }
}

function notebookLanguage(nb: Notebook): string {
  const info = nb.metadata?.language_info;
  const name = isRecord(info) ? info.name : undefined;
  return typeof name === "string" ? name : "typescript";
}

/**
 * Scripts for plots: once, the smallest plotly bundle that draws every
 * trace type on the page (the full one is ~5 MB), then the renderer.
 */
function plotScripts(cells: RenderedCell[]): {
  html: string;
  hashes: string[];
} {
  if (!cells.some((c) => c.hasPlot)) return { html: "", hashes: [] };
  const file = choosePlotlyBundle(cells.flatMap((c) => c.traceTypes));
  return {
    html:
      `<script>${plotlyBundle(file)}</script>\n` +
      `<script>${PLOT_RENDERER}</script>`,
    hashes: [plotlyBundleHash(file), scriptHash(PLOT_RENDERER)],
  };
}

/**
 * One self-contained HTML page for an executed nbformat-4 notebook. It
 * loads nothing over the network and runs no script from the notebook.
 */
export function renderReport(
  nb: Notebook,
  options: ReportOptions = {},
): string {
  validate(nb);
  const language = notebookLanguage(nb);
  const cells = nb.cells.map((cell, i) => renderCell(cell, i, language));
  const headings = cells.flatMap((c) => c.headings);
  const run = readRunInfo(nb.metadata);
  const title = pageTitle(headings, options.title, options.sourcePath);
  // Blank code cells are neither run nor counted.
  const ran = cells.filter((c) => c.executionCount !== undefined).length;
  const total = cells.filter(
    (c) => c.executionCount !== undefined || c.notRun,
  ).length;
  const scripts = plotScripts(cells);
  const csp = contentSecurityPolicy(scripts.hashes);
  const css = [REPORT_CSS, katexCss(), highlightCss()];
  const source = options.sourcePath
    ? ` · <code>${escapeHtml(options.sourcePath)}</code>`
    : "";

  return `<!doctype html>
<html lang="en">
<head>
${renderHead(title.text, csp, css)}
</head>
<body>
<header class="page">
<h1>${title.html}</h1>
${renderRunLine(run)}
<p class="source-line">${ran} of ${total} code cells run${source}</p>
${renderBanner(cells, run)}
</header>
${renderToc(headings)}
<main>
${cells
  .map((c) => c.html)
  .filter(Boolean)
  .join("\n")}
</main>
${scripts.html}
</body>
</html>
`;
}
