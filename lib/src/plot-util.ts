/**
 * Checks and small conversions shared by the figure builders (internal: not
 * re-exported from the package).
 */
import type { PlotLayout, PlotOptions } from "./plot";

export function baseLayout(options: PlotOptions): PlotLayout {
  const layout: PlotLayout = {
    margin: { l: 60, r: 30, t: options.title ? 50 : 20, b: 50 },
    height: options.height ?? 400,
  };
  if (options.title !== undefined) {
    layout.title = { text: String(options.title) };
  }
  if (options.width !== undefined) {
    layout.width = positiveInt(options.width, "width");
  }
  if (options.height !== undefined) positiveInt(options.height, "height");
  return layout;
}

export function axis(
  label?: string,
  log?: boolean,
  range?: [number, number],
): PlotLayout {
  const a: PlotLayout = {};
  if (label !== undefined) a.title = { text: String(label) };
  if (log) a.type = "log";
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2) {
      throw new RangeError(`axis range must be [min, max], got ${range}`);
    }
    // Plotly takes log-axis ranges as exponents.
    a.range = log ? range.map((v) => Math.log10(v)) : [...range];
  }
  return a;
}

/** Copies `values` into a plain array, checking it holds numbers. */
export function numbers(values: ArrayLike<number>, name: string): number[] {
  if (
    values === null ||
    typeof values !== "object" ||
    typeof values.length !== "number"
  ) {
    throw new TypeError(`${name} must be an array of numbers, got ${values}`);
  }
  const out = Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (typeof out[i] !== "number") {
      throw new TypeError(
        `${name}[${i}] must be a number, got ${typeof out[i]}`,
      );
    }
  }
  return out;
}

export function sameLength(a: number[], ref: number[], name: string): number[] {
  if (a.length !== ref.length) {
    throw new RangeError(
      `${name} must have ${ref.length} entries (as y), got ${a.length}`,
    );
  }
  return a;
}

export function finite(v: number, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${name} must be a finite number, got ${v}`);
  }
  return v;
}

export function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  return v;
}

/** Splits a row-major `[rows, cols]` array into rows. */
export function toRows(flat: number[], rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(flat.slice(r * cols, (r + 1) * cols));
  return out;
}
