/**
 * The inputs and outputs of the `RNN` (rnn.ts, issue 5): their types,
 * their checks and the reordering between the batch-major layout of inputs and targets
 * (row b T + t) and the time-major layout of the kernels' sequence arrays
 * (row t B + b; see rnn-bptt.ts).
 *
 * Dimension letters: B sequences, T steps, I inputs, n any row width.
 */

import { MAX_SAVED_SIZE } from "./model-files";
import type { Parameter } from "./optim";
import type { Random } from "./random";
import type { KernelInput, RNNWorkspace } from "./rnn-bptt";
import {
  checkMatrix,
  checkOptionKeys,
  describeValue,
  type DType,
  Matrix,
} from "./tensor";

/** Token ids `[B, T]`, row-major: `tokens[b * T + t]` is step t of b. */
export interface TokenSequences {
  tokens: Int32Array;
  /** B >= 1. */
  batch: number;
  /** T >= 1. */
  steps: number;
}

/** Dense input vectors `[B T, I]`: row b T + t is x_t of sequence b. */
export interface DenseSequences {
  x: Matrix;
  /** B >= 1. */
  batch: number;
  /** T >= 1. */
  steps: number;
}

/** One-hot (token ids) or dense (e.g. embedded) input of a forward pass. */
export type SequenceInput = TokenSequences | DenseSequences;

/**
 * What `forward` computed and `backward` needs. The arrays live in the
 * model's scratch for this shape: the next forward pass of the same (B, T)
 * overwrites them, so copy what you keep (`finalState.clone()`); forward
 * passes of four other shapes release that scratch, and `backward` then
 * refuses the cache (workspace-cache.ts).
 */
export interface RNNCache {
  readonly batch: number;
  readonly steps: number;
  /** A_{t-1} for t = 0..T, `[(T + 1) B, H]`, time-major: rows t B..t B +
   * B - 1 hold A_{t-1}, so rows 0..B-1 are the initial state A_{-1}. */
  readonly states: Matrix;
  /** A_0..A_{T-1} `[T B, H]`, time-major (row t B + b): a view into
   * `states`, the readout's input. */
  readonly outputs: Matrix;
  /** logits_t = V A_t + c, `[T B, K]`, time-major (row t B + b). */
  readonly logits: Matrix;
  /** A_{T-1} `[B, H]`, a view into `states`: the state to carry on. */
  readonly finalState: Matrix;
  /** The input, for the backward pass. */
  readonly input: SequenceInput;
  /** @internal scratch of this shape. */
  readonly workspace: RNNWorkspace;
}

/** Options of `backward` and `backwardFromLogits`. */
export interface RNNBackwardOptions {
  /** "sum" (default) over batch and time, or "mean" per token. */
  reduction?: "sum" | "mean";
  /** Also return dL/dA_t of every step (`stateGradients`). Default false. */
  stateGradients?: boolean;
}

/** Gradients that are not parameters (those accumulate in `params`). */
export interface RNNBackwardResult {
  /** The loss (as reduced) of the pass; NaN from `backwardFromLogits`. */
  loss: number;
  /** dL/dA_{-1} `[B, H]`: the gradient of the initial state (a copy). */
  dInitialState: Matrix;
  /** dL/dx `[B T, I]` batch-major, for dense input; null for tokens. */
  dInput: Matrix | null;
  /** dL/dA_t `[T B, H]` time-major, if asked for; else null. */
  stateGradients: Matrix | null;
}

/**
 * Throws unless `input` is token ids in [0, I) or a dense `[B T, I]`
 * matrix of `dtype`, with B, T >= 1; returns B and T.
 */
export function checkInput(
  input: SequenceInput,
  inputSize: number,
  dtype: DType,
): { batch: number; steps: number } {
  if (typeof input !== "object" || input === null) {
    throw new TypeError(
      `input: expected { tokens, batch, steps } or { x, batch, steps }, ` +
        `got ${describeValue(input)}`,
    );
  }
  const dense = "x" in input;
  checkOptionKeys("input", input, [dense ? "x" : "tokens", "batch", "steps"]);
  const B = atLeastOne("input.batch", input.batch);
  const T = atLeastOne("input.steps", input.steps);
  if (dense) {
    checkMatrix("input.x", input.x, B * T, inputSize, dtype);
    checkFinite("input.x", input.x);
  } else {
    checkTokens("input.tokens", input.tokens, B * T, inputSize);
  }
  return { batch: B, steps: T };
}

/**
 * Throws unless `state` is a `[B, S]` matrix of `dtype` whose entries are
 * all finite (a NaN state would only show up later as NaN logits).
 */
export function checkState(
  name: string,
  state: unknown,
  batch: number,
  width: number,
  dtype: DType,
): Matrix {
  return checkFinite(name, checkMatrix(name, state, batch, width, dtype));
}

/** Throws a RangeError naming the first NaN or infinite entry of `M`. */
export function checkFinite(name: string, M: Matrix): Matrix {
  const d = M.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const [r, c] = [Math.floor(i / M.cols), i % M.cols];
      throw new RangeError(
        `${name}: expected finite numbers, got ${d[i]} at [${r}, ${c}]`,
      );
    }
  }
  return M;
}

/**
 * Batch-major copy `[B T, n]` (row b T + t) of a time-major `X` `[T B, n]`
 * (row t B + b), such as `cache.outputs` or `cache.logits`.
 */
export function toBatchMajor(X: Matrix, batch: number, steps: number): Matrix {
  checkMatrix("X", X);
  const B = atLeastOne("batch", batch);
  const T = atLeastOne("steps", steps);
  checkMatrix("X", X, B * T);
  return reorderRows(X, Matrix.zeros(B * T, X.cols, X.dtype), B, T, true);
}

/** The kernels' view of an input. */
export function kernelInput(input: SequenceInput): KernelInput {
  return "x" in input
    ? { tokens: null, x: input.x }
    : { tokens: input.tokens, x: null };
}

/** Throws unless `ids` is `length` integers in [0, limit). */
export function checkTokens(
  name: string,
  ids: unknown,
  length: number,
  limit: number,
): void {
  const n = (ids as { length?: unknown } | null)?.length;
  if (typeof ids !== "object" || ids === null || typeof n !== "number") {
    throw new TypeError(
      `${name}: expected an Int32Array of token ids, got ${describeValue(ids)}`,
    );
  }
  if (n !== length) {
    throw new RangeError(`${name}: expected length ${length}, got ${n}`);
  }
  const a = ids as ArrayLike<number>;
  for (let i = 0; i < length; i++) {
    const v = a[i];
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new RangeError(
        `${name}[${i}]: expected an integer in [0, ${limit}), got ${v}`,
      );
    }
  }
}

/** Throws unless `value` is an integer >= 1 (a size or a count). */
export function atLeastOne(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected an integer >= 1, got ${describeValue(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name}: expected an integer >= 1, got ${value}`);
  }
  return value;
}

/**
 * Throws unless `value` is an integer in [1, 2^24] (`MAX_SAVED_SIZE`, the
 * largest size the loaders read): a model's size or layer count, checked
 * before any weight is allocated.
 */
export function modelSize(name: string, value: unknown): number {
  const v = atLeastOne(name, value);
  if (v > MAX_SAVED_SIZE) {
    throw new RangeError(
      `${name}: expected an integer in [1, ${MAX_SAVED_SIZE}], got ${v}`,
    );
  }
  return v;
}

/** Most weights a model may hold: 2^31 - 1 (16 GiB of float64). */
export const MAX_WEIGHTS = 2 ** 31 - 1;

/**
 * Throws a RangeError naming `sizes` (the arguments, "inputSize,
 * hiddenSize, ...") unless `count`, the number of weights (an upper bound
 * of it) they give, is at most `MAX_WEIGHTS`; so that huge sizes fail
 * with a message, not "Invalid typed array length" or an out-of-memory.
 */
export function checkWeightCount(
  sizes: string,
  count: number,
  model: string,
): void {
  if (count > MAX_WEIGHTS) {
    throw new RangeError(
      `${sizes}: the ${model} would hold up to ${count} weights, expected ` +
        `at most ${MAX_WEIGHTS} (2^31 - 1)`,
    );
  }
}

/**
 * Copies batch-major rows (b T + t) of `X` `[B T, n]` into time-major rows
 * (t B + b) of `out`, or back with `toBatchMajor`.
 */
export function reorderRows(
  X: Matrix,
  out: Matrix,
  B: number,
  T: number,
  toBatchMajor = false,
): Matrix {
  const n = X.cols;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const batchRow = (b * T + t) * n;
      const timeRow = (t * B + b) * n;
      const [from, to] = toBatchMajor
        ? [timeRow, batchRow]
        : [batchRow, timeRow];
      out.data.set(X.data.subarray(from, from + n), to);
    }
  }
  return out;
}

/** 1 / count for "mean", 1 for "sum"; checks the backward options. */
export function reductionScale(
  options: RNNBackwardOptions,
  count: number,
): number {
  checkOptionKeys("options", options, ["reduction", "stateGradients"]);
  const reduction = options.reduction ?? "sum";
  if (reduction !== "sum" && reduction !== "mean") {
    throw new RangeError(
      `options.reduction: expected "sum" or "mean", got ` +
        `${describeValue(reduction)} ${String(reduction)}`,
    );
  }
  return reduction === "mean" ? 1 / count : 1;
}

/**
 * Checks the options of `backwardFromLogits`: `reduction` throws, since
 * the given dL/dlogits is used as it is.
 */
export function logitsOptions(options: RNNBackwardOptions): void {
  checkOptionKeys("options", options, ["reduction", "stateGradients"]);
  if (options.reduction !== undefined) {
    throw new RangeError(
      `options.reduction: unsupported by backwardFromLogits, which uses ` +
        `dLogits as given (scale it for a mean), got ` +
        JSON.stringify(options.reduction),
    );
  }
}

/**
 * Sets every parameter's value ~ U(-s, s), in the order of `params`, from
 * `random` (not needed when s = 0, which leaves the zeros). Shared by the
 * recurrent models' constructors (`options.initScale`, `options.random`).
 */
export function initializeUniform(
  params: Parameter[],
  random: Random | undefined,
  s: number,
): void {
  if (typeof s !== "number" || !(s >= 0 && s < Infinity)) {
    throw new RangeError(
      `options.initScale: expected a finite number >= 0, got ${String(s)}`,
    );
  }
  if (s === 0) return;
  if (typeof random?.uniform !== "function") {
    throw new TypeError(
      `options.random: expected a Random (needed when initScale > 0), ` +
        `got ${describeValue(random)}`,
    );
  }
  for (const { value } of params) {
    for (let i = 0; i < value.length; i++) {
      value[i] = s * (2 * random.uniform() - 1);
    }
  }
}
