/**
 * Shows plotly figures in a notebook as one output with three MIME types:
 * `application/vnd.plotly.v1+json` (for frontends with a plotly renderer),
 * `text/html` (a div and a script calling `Plotly.newPlot`) and
 * `text/plain` (a one-line fallback).
 *
 * plotly.js is never fetched from a CDN (the course runs offline). As in
 * plotly's own offline notebook mode, the first figure of a kernel session
 * carries the whole plotly.min.js inline and later figures use
 * `window.Plotly`; `resetPlotlyEmbedding()` makes the next figure carry it
 * again (e.g. after the outputs were cleared).
 *
 * Limits: the inline bundle is about 4.8 MB, once per notebook.
 */
import { readFileSync } from "fs";
import {
  displayBundle,
  escapeHtml,
  newDisplayId,
  scriptSafeJson,
} from "./display";
import type { MimeBundle } from "./display";
import type { Figure } from "./plot";

/** The plotly.js code to embed and its version. */
export interface PlotlySource {
  version: string;
  code: string;
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let sourceOverride: PlotlySource | null = null;
let cachedSource: PlotlySource | null = null;
let embedded = false;

/** The bundled plotly.min.js of lib's pinned plotly.js dependency. */
function plotlySource(): PlotlySource {
  if (sourceOverride) return sourceOverride;
  if (!cachedSource) {
    const file = require.resolve("plotly.js/dist/plotly.min.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require("plotly.js/package.json") as { version: string };
    cachedSource = { version: pkg.version, code: readFileSync(file, "utf8") };
  }
  return cachedSource;
}

/** Replaces the embedded library (tests); `null` restores plotly.min.js. */
export function setPlotlySource(source: PlotlySource | null): void {
  sourceOverride = source;
}

/** The next displayed figure embeds plotly.js again. */
export function resetPlotlyEmbedding(): void {
  embedded = false;
}

/** Whether plotly.js has been sent in this kernel session. */
export function isPlotlyEmbedded(): boolean {
  return embedded;
}

/**
 * A `<script>` that defines `window.Plotly` from the inline bundle.
 *
 * Classic Jupyter loads RequireJS, so a UMD bundle that sees `define.amd`
 * registers itself as an anonymous AMD module (and RequireJS then reports a
 * mismatched anonymous define) instead of setting `window.Plotly`; under a
 * CommonJS-like `module` it would export and not set the global either. The
 * bundle therefore runs in a function whose parameters `define`, `module`,
 * `exports` and `require` shadow the globals with undefined.
 */
export function plotlyLoaderHtml(
  source: PlotlySource = plotlySource(),
): string {
  // `</script` or `<!--` inside the code would end or derail the element;
  // `\x3c` is the same character in JS strings and regexes.
  const code = source.code.replace(/<(\/script|!--)/gi, "\\x3c$1");
  const version = JSON.stringify(source.version);
  return (
    `<script type="text/javascript">\n` +
    `(function (define, module, exports, require) {\n` +
    `if (window.Plotly && window.Plotly.version === ${version}) return;\n` +
    `${code}\n` +
    `}).call(window);\n` +
    `</script>\n`
  );
}

/**
 * The MIME bundle of `fig`; with `embedLibrary`, its HTML starts with the
 * plotly.js loader. Typed arrays in the figure become plain arrays.
 */
export function figureBundle(
  fig: Figure,
  options: { embedLibrary?: boolean } = {},
): MimeBundle {
  checkFigure(fig);
  const plain = toPlainJson({
    data: fig.data,
    layout: fig.layout,
    config: { responsive: true, displaylogo: false, ...fig.config },
  }) as Figure;
  const loader = options.embedLibrary ? plotlyLoaderHtml() : "";
  return {
    [PLOTLY_MIME]: plain,
    "text/html": loader + plotHtml(plain, newDisplayId()),
    "text/plain": describeFigure(fig),
  };
}

/** Displays `fig` as one output (see the module header). */
export function show(fig: Figure): void {
  const bundle = figureBundle(fig, { embedLibrary: !embedded });
  displayBundle(bundle);
  embedded = true;
}

/**
 * Sends plotly.js as an output of its own unless already sent; live
 * displays call it so that updates, which replace their output, never
 * wipe out the copy of the library.
 */
export function ensurePlotlyEmbedded(): void {
  if (embedded) return;
  const { version } = plotlySource();
  displayBundle({
    "text/html": plotlyLoaderHtml(),
    "text/plain": `(plotly.js ${version} loaded for the figures below)`,
  });
  embedded = true;
}

/** One line naming the figure, for plain-text frontends. */
export function describeFigure(fig: Figure): string {
  const title = fig.layout?.title;
  const text =
    typeof title === "string"
      ? title
      : typeof (title as { text?: unknown })?.text === "string"
        ? (title as { text: string }).text
        : "untitled";
  const n = fig.data.length;
  return `Figure: ${text} (${n} trace${n === 1 ? "" : "s"})`;
}

/**
 * A div, with a visible note until the plot is drawn, and a script that
 * waits up to 10 s for `window.Plotly` (the loader may still be running)
 * and says so in the div if it never comes.
 */
function plotHtml(fig: Figure, id: string): string {
  const divId = `memnets-plot-${id}`;
  const height =
    typeof fig.layout.height === "number" ? fig.layout.height : 400;
  const title = escapeHtml(describeFigure(fig));
  return (
    `<div id="${divId}" class="memnets-plot" ` +
    `style="min-height:${height}px">` +
    `<em>${title}: drawn by plotly.js when JavaScript runs.</em></div>\n` +
    `<script type="text/javascript">\n` +
    `(function () {\n` +
    `  var fig = ${scriptSafeJson(fig)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(${JSON.stringify(divId)});\n` +
    `    if (!el) return;\n` +
    `    var P = window.Plotly;\n` +
    `    if (P && P.newPlot) {\n` +
    `      el.textContent = "";\n` +
    `      P.newPlot(el, fig.data, fig.layout, fig.config);\n` +
    `    } else if (++tries > 100) {\n` +
    `      el.style.color = "#b00020";\n` +
    `      el.textContent = "plotly.js did not load, so this figure " +\n` +
    `        "cannot be drawn. Rerun the notebook from the top, or call " +\n` +
    `        "resetPlotlyEmbedding() and rerun this cell.";\n` +
    `    } else {\n` +
    `      setTimeout(draw, 100);\n` +
    `    }\n` +
    `  }\n` +
    `  draw();\n` +
    `})();\n` +
    `</script>\n`
  );
}

function checkFigure(fig: Figure): void {
  if (fig === null || typeof fig !== "object") {
    throw new TypeError(`figure must be an object, got ${fig}`);
  }
  if (!Array.isArray(fig.data)) {
    throw new TypeError(`figure.data must be an array of traces`);
  }
  if (fig.layout === null || typeof fig.layout !== "object") {
    throw new TypeError(`figure.layout must be an object`);
  }
}

/** A JSON deep copy; typed arrays become arrays (JSON would make objects). */
function toPlainJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView)
        ? Array.from(v as unknown as ArrayLike<number>)
        : v,
    ),
  );
}
