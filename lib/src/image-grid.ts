/**
 * A grid of small images (stored patterns, corrupted inputs, restored
 * states) as one plotly figure: one heatmap per image, each on its own pair
 * of hidden axes, with a title above it.
 *
 * Arrays: each image is `[height, width]` row-major, row 0 at the top; the
 * grid is filled row by row. Bipolar patterns (+1 = ink) come out black on
 * white; any other value range is drawn in grey levels.
 *
 * Limits: all images share one size and one value range.
 */
import type { Figure, PlotLayout, PlotTrace } from "./plot";
import { numbers, positiveInt, toRows } from "./plot-util";

/** Options of `imageGrid`. */
export interface ImageGridOptions {
  /** Images per grid row; default min(count, 10). */
  columns?: number;
  /** One caption per image, e.g. "noisy", "restored"; default none. */
  titles?: string[];
  /** Figure title; default none. */
  title?: string;
  /** Values drawn white and black, [min, max]; default the data's range. */
  range?: [number, number];
  /** Pixels along an image's longer side; default 64. */
  cellSize?: number;
}

const GAP = 8; // px between images
const CAPTION = 18; // px of caption space above each image

/**
 * Grid of `images`, each of shape `[height, width]` row-major.
 * Throws RangeError when an image's length is not width*height or
 * `titles` does not have one entry per image.
 */
export function imageGrid(
  images: ArrayLike<number>[],
  width: number,
  height: number,
  options: ImageGridOptions = {},
): Figure {
  const pixels = checkImages(images, width, height);
  const n = pixels.length;
  const titles = checkTitles(options.titles, n);
  const columns = positiveInt(options.columns ?? Math.min(n, 10), "columns");
  const rows = Math.ceil(n / columns);
  const [zmin, zmax] = valueRange(pixels, options.range);

  // Cell geometry in pixels, then as fractions of the plotting area.
  const side = positiveInt(options.cellSize ?? 64, "cellSize");
  const cellW = (side * width) / Math.max(width, height);
  const cellH = (side * height) / Math.max(width, height);
  const caption = titles ? CAPTION : 0;
  const areaW = columns * (cellW + GAP);
  const areaH = rows * (cellH + caption + GAP);
  const top = options.title ? 40 : 4;

  // A narrow grid still leaves room for its title (about 8 px a letter).
  const titleW = options.title ? 8 * String(options.title).length : 0;
  const data: PlotTrace[] = [];
  const layout: PlotLayout = {
    width: Math.round(Math.max(areaW + 8, titleW)),
    height: Math.round(areaH + top + 4),
    margin: {
      l: 4,
      r: Math.round(Math.max(4, titleW - areaW - 4)),
      t: top,
      b: 4,
    },
    showlegend: false,
    annotations: [] as PlotLayout[],
  };
  if (options.title) {
    const font = { size: 14 };
    layout.title = { text: String(options.title), x: 0, xanchor: "left", font };
  }

  for (let k = 0; k < n; k++) {
    const r = Math.floor(k / columns);
    const c = k % columns;
    const x0 = (c * (cellW + GAP) + GAP / 2) / areaW;
    const x1 = x0 + cellW / areaW;
    const yTop = 1 - (r * (cellH + caption + GAP) + GAP / 2) / areaH;
    const y1 = yTop - caption / areaH;
    const y0 = y1 - cellH / areaH;
    const suffix = k === 0 ? "" : String(k + 1);

    data.push({
      type: "heatmap",
      z: toRows(pixels[k], height, width),
      xaxis: "x" + suffix,
      yaxis: "y" + suffix,
      zmin,
      zmax,
      colorscale: [
        [0, "#ffffff"],
        [1, "#000000"],
      ],
      showscale: false,
      name: titles ? titles[k] : `image ${k}`,
      hovertemplate: "row %{y}, col %{x}: %{z}<extra>%{fullData.name}</extra>",
    });
    layout["xaxis" + suffix] = hiddenAxis([x0, x1], "y" + suffix);
    layout["yaxis" + suffix] = {
      ...hiddenAxis([y0, y1], "x" + suffix),
      autorange: "reversed",
    };
    if (titles) {
      (layout.annotations as PlotLayout[]).push({
        text: String(titles[k]),
        x: (x0 + x1) / 2,
        y: yTop,
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "top",
        showarrow: false,
        font: { size: 11 },
      });
    }
  }
  return { data, layout };
}

function hiddenAxis(domain: [number, number], anchor: string): PlotLayout {
  return { domain, anchor, visible: false, fixedrange: true };
}

function checkImages(
  images: ArrayLike<number>[],
  width: number,
  height: number,
): number[][] {
  positiveInt(width, "imageGrid: width");
  positiveInt(height, "imageGrid: height");
  if (!Array.isArray(images) || images.length === 0) {
    throw new RangeError("imageGrid: images must be a non-empty array");
  }
  return images.map((image, k) => {
    const px = numbers(image, `imageGrid: images[${k}]`);
    if (px.length !== width * height) {
      throw new RangeError(
        `imageGrid: images[${k}] must have width*height = ` +
          `${width * height} values, got ${px.length}`,
      );
    }
    return px;
  });
}

function checkTitles(
  titles: string[] | undefined,
  n: number,
): string[] | undefined {
  if (titles === undefined) return undefined;
  if (!Array.isArray(titles) || titles.length !== n) {
    throw new RangeError(
      `imageGrid: titles must have one entry per image (${n}), got ` +
        `${Array.isArray(titles) ? titles.length : typeof titles}`,
    );
  }
  return titles;
}

function valueRange(
  pixels: number[][],
  range?: [number, number],
): [number, number] {
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1])) {
      throw new RangeError(
        `imageGrid: range must be [min, max] with min < max, got ${range}`,
      );
    }
    return [range[0], range[1]];
  }
  let lo = Infinity;
  let hi = -Infinity;
  let bipolar = true;
  for (const px of pixels) {
    for (const v of px) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v !== 1 && v !== -1) bipolar = false;
    }
  }
  // Bipolar patterns keep -1 white and +1 black even if one value is absent.
  if (bipolar) return [-1, 1];
  // A blank set of images still needs a non-empty range.
  return lo < hi ? [lo, hi] : [lo - 1, hi + 1];
}
