/**
 * Plotly figures (`application/vnd.plotly.v1+json`) drawn in the browser.
 *
 * Each figure becomes an empty <div data-mn-plot> followed by its JSON in a
 * <script type="application/json">; one small script, placed after the
 * plotly bundle, draws them all. The sanitiser keeps no data-* attribute,
 * so notebook HTML cannot pose as a plot.
 *
 * The page loads nothing over the network, so a figure that would (a geo
 * or map plot, an image from a URL) is replaced or trimmed, with a visible
 * note, instead of leaving a blank box and errors in the console.
 */
import { escapeHtml, scriptJson } from "./html.js";
import { isRecord } from "./types.js";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Read a figure payload (object, or JSON text from some writers). */
function figureOf(payload: unknown): Record<string, unknown> | undefined {
  let value = payload;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isRecord(value) && Array.isArray(value.data) ? value : undefined;
}

/**
 * Trace types that need files from the network to draw: geo subplots fetch
 * topojson and map subplots (mapbox, MapLibre) fetch tiles, styles and
 * fonts. A page cannot load them, so such a figure is shown as a note.
 */
export const NETWORK_TRACE_TYPES: readonly string[] = [
  "scattergeo",
  "choropleth",
  "scattermapbox",
  "choroplethmapbox",
  "densitymapbox",
  "scattermap",
  "choroplethmap",
  "densitymap",
];

/** A trace's type; plotly draws a trace without one as scatter. */
export function traceTypeOf(trace: unknown): string {
  return isRecord(trace) && typeof trace.type === "string"
    ? trace.type
    : "scatter";
}

/** A `source` a page may load: inline data. */
function isInlineSource(source: unknown): boolean {
  return typeof source !== "string" || /^\s*data:/i.test(source);
}

/** Trace types of `data` that could not draw offline, each named once. */
function networkTraces(data: unknown[]): string[] {
  const found = new Set<string>();
  for (const trace of data) {
    const type = traceTypeOf(trace);
    if (NETWORK_TRACE_TYPES.includes(type)) found.add(type);
    // An image trace may take its picture from a URL instead of z.
    if (type === "image" && isRecord(trace) && !isInlineSource(trace.source)) {
      found.add("image with a remote source");
    }
  }
  return [...found];
}

/**
 * `layout` without `images` entries whose source is not a data: URI (also
 * in `layout.template.layout`), and how many were removed. The figure is
 * copied where changed, never edited in place.
 */
function withoutRemoteImages(layout: Record<string, unknown>): {
  layout: Record<string, unknown>;
  removed: number;
} {
  let removed = 0;
  const strip = (part: Record<string, unknown>) => {
    if (!Array.isArray(part.images)) return part;
    const kept = part.images.filter(
      (image) => !isRecord(image) || isInlineSource(image.source),
    );
    removed += part.images.length - kept.length;
    return { ...part, images: kept };
  };
  const result = strip(layout);
  const template = result.template;
  if (isRecord(template) && isRecord(template.layout)) {
    result.template = { ...template, layout: strip(template.layout) };
  }
  return { layout: removed ? result : layout, removed };
}

/** A visible note in place of, or under, a plot. */
function plotNote(text: string): string {
  return `<p class="plot-note" role="note">${escapeHtml(text)}</p>`;
}

/** A rendered plot; traceTypes is undefined when only a note is shown. */
export interface RenderedPlot {
  html: string;
  /** Trace types drawn, for choosing the plotly bundle. */
  traceTypes?: string[];
}

/** HTML for one plotly figure, or undefined when the payload is unusable. */
export function renderPlot(payload: unknown): RenderedPlot | undefined {
  const figure = figureOf(payload);
  if (!figure) return undefined;
  const data = figure.data as unknown[];
  const remote = networkTraces(data);
  if (remote.length > 0) {
    return {
      html: plotNote(
        `Plot not drawn: its ${remote.join(", ")} trace(s) need map ` +
          `data or images from the network, which this offline page ` +
          `does not load.`,
      ),
    };
  }

  const { layout, removed } = withoutRemoteImages(
    isRecord(figure.layout) ? figure.layout : {},
  );
  const spec = {
    data,
    layout,
    config: isRecord(figure.config) ? figure.config : {},
  };
  const note = removed
    ? plotNote(
        `${removed} layout image(s) with a remote source were left out ` +
          `of this plot: this offline page loads nothing from the network.`,
      )
    : "";
  return {
    html:
      `<div class="plot" data-mn-plot></div>` +
      `<script type="application/json" class="plot-data">` +
      `${scriptJson(spec)}</script>${note}`,
    traceTypes: [...new Set(data.map(traceTypeOf))],
  };
}

/**
 * Browser code that draws every plot. Responsive sizing is on unless the
 * figure's config says otherwise; a figure that fails to draw shows the
 * error in its place instead of leaving a blank box.
 */
export const PLOT_RENDERER = `(function () {
  "use strict";
  var divs = document.querySelectorAll("div[data-mn-plot]");
  Array.prototype.forEach.call(divs, function (div) {
    try {
      var spec = JSON.parse(div.nextElementSibling.textContent);
      var config = Object.assign(
        { responsive: true, displaylogo: false }, spec.config);
      window.Plotly.newPlot(div, spec.data, spec.layout, config);
    } catch (err) {
      div.className += " plot-failed";
      div.textContent = "This plot could not be drawn: " + err;
    }
  });
})();`;
