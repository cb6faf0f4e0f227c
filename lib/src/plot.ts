/**
 * Figure builders for the lessons: line plots, heatmaps, grids of images and
 * histograms, returned as plain plotly.js figures (`{ data, layout }`).
 *
 * Reference: the plotly.js 4 figure schema (https://plotly.com/javascript/
 * reference/). A figure is a plain object: a notebook may change any field
 * (`fig.layout.height = 300`) before `show(fig)` displays it.
 *
 * Arrays: a matrix is `[rows, cols]` row-major, an image `[height, width]`
 * row-major with row 0 at the top. Values are copied into plain arrays, so
 * the figure is JSON and later changes to the inputs do not leak into it.
 *
 * Limits: only the chart kinds the lessons need; no 3-D, no animation.
 */

import {
  axis,
  baseLayout,
  finite,
  numbers,
  positiveInt,
  sameLength,
  toRows,
} from "./plot-util";

/** One plotly trace (`type`, `x`, `y`, ...), kept loosely typed. */
export type PlotTrace = Record<string, unknown>;
/** A plotly layout object. */
export type PlotLayout = Record<string, unknown>;

/** A plotly figure as plain JSON data. */
export interface Figure {
  data: PlotTrace[];
  layout: PlotLayout;
  config?: Record<string, unknown>;
}

/** One curve of a line plot. */
export interface LineSeries {
  /** Legend entry. */
  name: string;
  /** Values, one per point. */
  y: ArrayLike<number>;
  /** Abscissae, same length as `y`; default 0, 1, 2, ... */
  x?: ArrayLike<number>;
  /** Half-widths of error bars, same length as `y`; default none. */
  error?: ArrayLike<number>;
  /** Draw lines, markers or both; default "lines". */
  mode?: "lines" | "markers" | "lines+markers";
  /** Line dash; default "solid". */
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** A straight reference line across the plot, e.g. a known capacity. */
export interface ReferenceLine {
  /** Vertical line at this abscissa (give exactly one of `x`, `y`). */
  x?: number;
  /** Horizontal line at this ordinate. */
  y?: number;
  /** Text written beside the line. */
  label: string;
  /** CSS colour; default grey. */
  color?: string;
}

/** Titles and axes shared by the builders. */
export interface PlotOptions {
  /** Figure title; default none. */
  title?: string;
  /** Axis titles; default none. */
  xLabel?: string;
  yLabel?: string;
  /** Figure size in pixels; default: width follows the page, height 400. */
  width?: number;
  height?: number;
}

/** Options of `linePlot`. */
export interface LinePlotOptions extends PlotOptions {
  /** Reference lines drawn under the data; default none. */
  referenceLines?: ReferenceLine[];
  /** Logarithmic axes; default false. */
  logX?: boolean;
  logY?: boolean;
  /** Fixed axis ranges [min, max]; default automatic. */
  xRange?: [number, number];
  yRange?: [number, number];
}

/**
 * Line plot of one or more series, with optional reference lines.
 * Each series' `y` (and `x`, `error` when given) has shape `[points]`.
 */
export function linePlot(
  series: LineSeries[],
  options: LinePlotOptions = {},
): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new RangeError("linePlot: series must be a non-empty array");
  }
  const data = series.map((s, k) => lineTrace(s, k));
  const layout = baseLayout(options);
  const xaxis = axis(options.xLabel, options.logX, options.xRange);
  const yaxis = axis(options.yLabel, options.logY, options.yRange);
  layout.xaxis = xaxis;
  layout.yaxis = yaxis;

  const lines = options.referenceLines ?? [];
  layout.shapes = lines.map((line, k) => referenceShape(line, k));
  layout.annotations = lines.map((line) => referenceLabel(line));
  return { data, layout };
}

function lineTrace(s: LineSeries, k: number): PlotTrace {
  const where = `linePlot: series[${k}]`;
  if (s === null || typeof s !== "object") {
    throw new TypeError(`${where} must be an object, got ${s}`);
  }
  const y = numbers(s.y, `${where}.y`);
  const trace: PlotTrace = {
    type: "scatter",
    name: String(s.name),
    mode: s.mode ?? "lines",
    y,
    line: { dash: s.dash ?? "solid" },
  };
  if (s.x !== undefined) {
    trace.x = sameLength(numbers(s.x, `${where}.x`), y, `${where}.x`);
  }
  if (s.error !== undefined) {
    const e = sameLength(numbers(s.error, `${where}.error`), y, where);
    trace.error_y = { type: "data", array: e, visible: true };
  }
  return trace;
}

function referenceShape(line: ReferenceLine, k: number): PlotLayout {
  const vertical = line.x !== undefined;
  if (vertical === (line.y !== undefined)) {
    throw new RangeError(
      `linePlot: referenceLines[${k}] needs exactly one of x and y`,
    );
  }
  const at = finite(vertical ? line.x! : line.y!, `referenceLines[${k}]`);
  const style = { color: line.color ?? "#888", width: 1.5, dash: "dash" };
  return vertical
    ? {
        type: "line",
        layer: "below",
        xref: "x",
        yref: "paper",
        x0: at,
        x1: at,
        y0: 0,
        y1: 1,
        line: style,
      }
    : {
        type: "line",
        layer: "below",
        xref: "paper",
        yref: "y",
        x0: 0,
        x1: 1,
        y0: at,
        y1: at,
        line: style,
      };
}

function referenceLabel(line: ReferenceLine): PlotLayout {
  const font = { size: 11, color: line.color ?? "#666" };
  return line.x !== undefined
    ? {
        x: line.x,
        y: 1,
        xref: "x",
        yref: "paper",
        text: line.label,
        showarrow: false,
        bgcolor: "rgba(255,255,255,0.8)",
        textangle: -90,
        xanchor: "right",
        yanchor: "top",
        font,
      }
    : {
        x: 1,
        y: line.y,
        xref: "paper",
        yref: "y",
        text: line.label,
        showarrow: false,
        bgcolor: "rgba(255,255,255,0.8)",
        xanchor: "right",
        yanchor: "bottom",
        font,
      };
}

/** Options of `heatmap`. */
export interface HeatmapOptions extends PlotOptions {
  /** Plotly colour scale name or stops; default "RdBu" reversed. */
  colorscale?: string | [number, string][];
  /** Centre the colour scale on 0 (for signed data); default true. */
  centered?: boolean;
}

/**
 * Heatmap of a matrix `values` of shape `[rows, cols]`, row-major, drawn
 * with row 0 at the top (as a matrix is written, e.g. a weight matrix W).
 */
export function heatmap(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: HeatmapOptions = {},
): Figure {
  const flat = numbers(values, "heatmap: values");
  positiveInt(rows, "heatmap: rows");
  positiveInt(cols, "heatmap: cols");
  if (flat.length !== rows * cols) {
    throw new RangeError(
      `heatmap: values must have rows*cols = ${rows * cols} entries, ` +
        `got ${flat.length}`,
    );
  }
  const trace: PlotTrace = {
    type: "heatmap",
    z: toRows(flat, rows, cols),
    colorscale: options.colorscale ?? "RdBu",
    reversescale: options.colorscale === undefined,
  };
  if (options.centered ?? true) trace.zmid = 0;

  const layout = baseLayout(options);
  layout.xaxis = { ...axis(options.xLabel), constrain: "domain" };
  layout.yaxis = {
    ...axis(options.yLabel),
    autorange: "reversed",
    scaleanchor: "x",
  };
  return { data: [trace], layout };
}

/** Options of `histogram`. */
export interface HistogramOptions extends PlotOptions {
  /** Number of bins (upper bound, plotly picks round edges); default auto. */
  bins?: number;
  /** Normalise to a probability density; default false (counts). */
  density?: boolean;
}

/**
 * Histogram of one or more samples, overlaid; each `values` is `[samples]`.
 */
export function histogram(
  series: { name: string; values: ArrayLike<number> }[],
  options: HistogramOptions = {},
): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new RangeError("histogram: series must be a non-empty array");
  }
  if (options.bins !== undefined) positiveInt(options.bins, "bins");
  const data = series.map((s, k) => {
    const trace: PlotTrace = {
      type: "histogram",
      name: String(s.name),
      x: numbers(s.values, `histogram: series[${k}].values`),
      opacity: series.length > 1 ? 0.6 : 1,
    };
    if (options.bins !== undefined) trace.nbinsx = options.bins;
    if (options.density) trace.histnorm = "probability density";
    return trace;
  });
  const layout = baseLayout(options);
  layout.barmode = "overlay";
  layout.xaxis = axis(options.xLabel);
  layout.yaxis = axis(
    options.yLabel ?? (options.density ? "density" : "count"),
  );
  return { data, layout };
}
