/**
 * Options of annealed importance sampling (rbm-ais.ts, issue 4) and the
 * pieces they are made of: the annealing schedule of Salakhutdinov and
 * Murray (2008), the base-rate visible biases fitted to data, and the
 * checks that turn a bad option into an error naming it.
 *
 * Dimension letters: n rows of data, V visible units.
 */
import type { Random } from "./random";
import { checkBinary } from "./rbm";
import { checkOptionObject, integerAtLeast } from "./rbm-options";
import {
  checkFloatArray,
  describeValue,
  type FloatArray,
  type Matrix,
} from "./tensor";

/** Options of `annealedImportanceSampling`. */
export interface AISOptions {
  /** Seeded random source (required). */
  random: Random;
  /** Number of independent runs R >= 2; default 100. */
  runs?: number;
  /**
   * Either a number K >= 3 of annealing steps, spaced as in the paper
   * (see `annealingSchedule`; default 10000), or the inverse temperatures
   * themselves: non-decreasing, from exactly 0 to exactly 1.
   */
  betas?: number | ArrayLike<number>;
  /** Base-rate visible biases a_A `[V]` (see `baseRateVisibleBias`);
   * default zeros (p_A uniform). */
  baseVisibleBias?: FloatArray;
  /** GEMM threads, 1 or 2 (see `gemm`); default 1. */
  threads?: number;
  /** Called with (steps done, K) about every K/100 steps and at the end. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The paper's schedule scaled to K steps: beta spaced evenly over
 * [0, 0.5], [0.5, 0.9] and [0.9, 1] with 500, 4000 and 10000 of every 14500
 * steps (K = 14500 gives exactly the paper's 1e-3, 1e-4, 1e-5 spacing).
 * Returns `[K + 1]` values from 0 to 1. K >= 3.
 */
export function annealingSchedule(steps: number): Float64Array {
  integerAtLeast("steps", steps, 3);
  const n1 = Math.max(1, Math.round((steps * 500) / 14500));
  const n2 = Math.max(1, Math.round((steps * 4000) / 14500));
  const segments: [number, number, number][] = [
    [0, 0.5, n1],
    [0.5, 0.9, n2],
    [0.9, 1, steps - n1 - n2],
  ];
  const betas = new Float64Array(steps + 1);
  let k = 0;
  for (const [lo, hi, n] of segments) {
    for (let t = 0; t < n; t++) betas[k++] = lo + ((hi - lo) * t) / n;
  }
  betas[steps] = 1;
  return betas;
}

/**
 * Base-rate biases a_A,i = log(p_i / (1 - p_i)) `[V]` from the mean p_i of
 * column i of binary `data` `[n, V]`, p clipped to [clip, 1 - clip]: the
 * paper's base model, which matches the data's marginals. An entry other
 * than 0 or 1 (NaN included) throws a RangeError naming it, `data[r, c]`.
 */
export function baseRateVisibleBias(data: Matrix, clip = 1e-3): Float64Array {
  checkBinary("data", data);
  if (data.rows === 0) {
    throw new RangeError("data: expected at least one row, got 0");
  }
  if (typeof clip !== "number") {
    throw new TypeError(
      `clip: expected a number in (0, 0.5), got ${describeValue(clip)}`,
    );
  }
  if (!(clip > 0 && clip < 0.5)) {
    throw new RangeError(`clip: expected a number in (0, 0.5), got ${clip}`);
  }
  const p = new Float64Array(data.cols);
  for (let k = 0; k < data.data.length; k++) p[k % data.cols] += data.data[k];
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - clip, Math.max(clip, p[i] / data.rows));
    p[i] = Math.log(q / (1 - q));
  }
  return p;
}

/** `AISOptions` after checking, every default filled in. */
export interface CheckedAISOptions {
  random: Random;
  runs: number;
  threads: number;
  onProgress: ((done: number, total: number) => void) | undefined;
  baseVisibleBias: FloatArray;
  /** `[K + 1]`, from 0 to 1. */
  betas: Float64Array;
}

/** `options` checked (V visible units), with defaults filled in. */
export function checkAISOptions(
  options: AISOptions,
  nV: number,
): CheckedAISOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options: expected an object with a random source, got ${describeValue(options)}`,
    );
  }
  checkOptionObject("options", options, [
    "random",
    "runs",
    "betas",
    "baseVisibleBias",
    "threads",
    "onProgress",
  ]);
  const { random, onProgress } = options;
  if (typeof (random as Partial<Random>)?.nextUint32 !== "function") {
    throw new TypeError(
      `options.random: expected a Random (seeded source), got ${describeValue(random)}`,
    );
  }
  // Two runs at least: a standard error needs two.
  const runs = integerAtLeast("options.runs", options.runs ?? 100, 2);
  const threads = options.threads ?? 1;
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(`options.threads: expected 1 or 2, got ${threads}`);
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(
      `options.onProgress: expected a function, got ${describeValue(onProgress)}`,
    );
  }
  const base = options.baseVisibleBias ?? new Float64Array(nV);
  checkFloatArray("options.baseVisibleBias", base, nV);
  checkFiniteArray("options.baseVisibleBias", base);
  return {
    random,
    runs,
    threads,
    onProgress,
    baseVisibleBias: base,
    betas: checkBetas(options.betas ?? 10000),
  };
}

function checkBetas(betas: unknown): Float64Array {
  if (typeof betas === "number") {
    return annealingSchedule(integerAtLeast("options.betas", betas, 3));
  }
  const length = (betas as ArrayLike<number> | null)?.length;
  if (typeof betas !== "object" || typeof length !== "number") {
    throw new TypeError(
      `options.betas: expected a step count or an array of betas, got ${describeValue(betas)}`,
    );
  }
  const out = Float64Array.from(betas as ArrayLike<number>);
  if (out.length < 2 || out[0] !== 0 || out[out.length - 1] !== 1) {
    throw new RangeError(
      `options.betas: expected values from exactly 0 to exactly 1, got ` +
        `${out.length} values from ${out[0]} to ${out[out.length - 1]}`,
    );
  }
  for (let k = 1; k < out.length; k++) {
    // The negated test also rejects NaN.
    if (!(out[k] >= out[k - 1])) {
      throw new RangeError(
        `options.betas[${k}]: expected non-decreasing betas, got ${out[k]} ` +
          `after ${out[k - 1]}`,
      );
    }
  }
  return out;
}

function checkFiniteArray(name: string, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RangeError(
        `${name}[${i}]: expected a finite number, got ${x[i]}`,
      );
    }
  }
}
