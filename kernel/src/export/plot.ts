/**
 * Plotly figures (`application/vnd.plotly.v1+json`) drawn in the browser.
 *
 * Each figure becomes an empty <div data-mn-plot> followed by its JSON in a
 * <script type="application/json">; one small script, placed after the
 * plotly bundle, draws them all. The sanitiser keeps no data-* attribute,
 * so notebook HTML cannot pose as a plot.
 */
import { scriptJson } from "./html.js";
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

/** HTML for one plotly figure, or undefined when the payload is unusable. */
export function renderPlot(payload: unknown): string | undefined {
  const figure = figureOf(payload);
  if (!figure) return undefined;
  const spec = {
    data: figure.data,
    layout: isRecord(figure.layout) ? figure.layout : {},
    config: isRecord(figure.config) ? figure.config : {},
  };
  return (
    `<div class="plot" data-mn-plot></div>` +
    `<script type="application/json" class="plot-data">` +
    `${scriptJson(spec)}</script>`
  );
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
