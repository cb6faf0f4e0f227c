/**
 * Row-wise kernels over row-major matrices `[rows, cols]` (issue 3):
 * softmax and log-sum-exp per row (for a batch of logits, one example per
 * row), row and column sums, broadcasting a row vector, argmax per row.
 *
 * Stability: softmax and log-sum-exp subtract each row's maximum before
 * `exp`, so logits of 1000 or -1000 give exact, finite results:
 * logsumexp(x) = m + log(sum_j exp(x_j - m)), m = max_j x_j.
 */

import {
  allocate,
  checkFloatArray,
  checkMatrix,
  Matrix,
  type FloatArray,
} from "./tensor";

/** `out` checked to be `[rows, cols]` like `X`, or a new one. */
function matrixOut(X: Matrix, out: unknown): Matrix {
  if (out === undefined) return Matrix.zeros(X.rows, X.cols, X.dtype);
  return checkMatrix("out", out, X.rows, X.cols, X.dtype);
}

/** `out` checked to be a vector of `length` in X's dtype, or a new one. */
function vectorOut(X: Matrix, out: unknown, length: number): FloatArray {
  if (out === undefined) return allocate(X.dtype, length);
  return checkFloatArray("out", out, length, X.dtype);
}

/** Row maximum of X's row starting at `start`, 0 for an all -Inf row. */
function rowMax(x: FloatArray, start: number, cols: number): number {
  let m = -Infinity;
  for (let j = start; j < start + cols; j++) if (x[j] > m) m = x[j];
  // An all -Infinity row would give (-Inf) - (-Inf) = NaN below; shifting
  // by 0 instead gives exp(-Inf) = 0 and log-sum-exp -Infinity, as it is.
  return m === -Infinity ? 0 : m;
}

/**
 * Softmax of each row: out[i, j] = exp(X[i, j]) / sum_k exp(X[i, k]).
 * `X`, `out` `[rows, cols]`, row-major; `out` may be `X`. Each row sums to
 * 1 and is unchanged by adding a constant to the row.
 */
export function softmaxRows(X: Matrix, out?: Matrix): Matrix {
  checkMatrix("X", X);
  const Y = matrixOut(X, out);
  const { cols } = X;
  const x = X.data;
  const y = Y.data;
  for (let i = 0; i < X.rows; i++) {
    const start = i * cols;
    const m = rowMax(x, start, cols);
    let s = 0;
    for (let j = start; j < start + cols; j++) {
      const e = Math.exp(x[j] - m);
      y[j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = start; j < start + cols; j++) y[j] *= inv;
  }
  return Y;
}

/**
 * Backward of `softmaxRows`: dX[i, j] = Y[i, j] (dY[i, j] - sum_k dY[i, k]
 * Y[i, k]), with Y the softmax output. `Y`, `dY`, `out` `[rows, cols]`.
 */
export function softmaxRowsBackward(
  Y: Matrix,
  dY: Matrix,
  out?: Matrix,
): Matrix {
  checkMatrix("Y", Y);
  checkMatrix("dY", dY, Y.rows, Y.cols, Y.dtype);
  const dX = matrixOut(Y, out);
  const { cols } = Y;
  for (let i = 0; i < Y.rows; i++) {
    const start = i * cols;
    let inner = 0;
    for (let j = start; j < start + cols; j++) {
      inner += dY.data[j] * Y.data[j];
    }
    for (let j = start; j < start + cols; j++) {
      dX.data[j] = Y.data[j] * (dY.data[j] - inner);
    }
  }
  return dX;
}

/**
 * log(sum_j exp(X[i, j])) for each row i. `X` `[rows, cols]`, row-major;
 * `out` `[rows]`. Its gradient with respect to row i is softmax of row i.
 */
export function logSumExpRows(X: Matrix, out?: FloatArray): FloatArray {
  checkMatrix("X", X);
  const y = vectorOut(X, out, X.rows);
  const { cols } = X;
  const x = X.data;
  for (let i = 0; i < X.rows; i++) {
    const start = i * cols;
    const m = rowMax(x, start, cols);
    let s = 0;
    for (let j = start; j < start + cols; j++) s += Math.exp(x[j] - m);
    y[i] = m + Math.log(s);
  }
  return y;
}

/**
 * Sum of each row: out[i] = sum_j X[i, j]. `X` `[rows, cols]`, row-major;
 * `out` `[rows]`.
 */
export function sumRows(X: Matrix, out?: FloatArray): FloatArray {
  checkMatrix("X", X);
  const y = vectorOut(X, out, X.rows);
  const { cols } = X;
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = i * cols; j < (i + 1) * cols; j++) s += X.data[j];
    y[i] = s;
  }
  return y;
}

/**
 * Sum of each column: out[j] = sum_i X[i, j] (the bias gradient of a
 * batch). `X` `[rows, cols]`, row-major; `out` `[cols]`, overwritten.
 */
export function sumCols(X: Matrix, out?: FloatArray): FloatArray {
  checkMatrix("X", X);
  const y = vectorOut(X, out, X.cols);
  const { cols } = X;
  y.fill(0);
  // Row by row, so the matrix is read in storage order.
  for (let i = 0; i < X.rows; i++) {
    const start = i * cols;
    for (let j = 0; j < cols; j++) y[j] += X.data[start + j];
  }
  return y;
}

/**
 * X[i, j] += v[j] for every row i, in place (adds a bias to each example
 * of a batch); returns X. `X` `[rows, cols]`, row-major; `v` `[cols]`.
 */
export function addRowVector(X: Matrix, v: FloatArray): Matrix {
  checkMatrix("X", X);
  checkFloatArray("v", v, X.cols, X.dtype);
  const { cols } = X;
  for (let i = 0; i < X.rows; i++) {
    const start = i * cols;
    for (let j = 0; j < cols; j++) X.data[start + j] += v[j];
  }
  return X;
}

/**
 * Column index of the largest element of each row (the first one on a
 * tie). `X` `[rows, cols]` with cols >= 1; `out` `[rows]`.
 */
export function argmaxRows(X: Matrix, out?: Int32Array): Int32Array {
  checkMatrix("X", X);
  if (X.cols === 0) {
    throw new RangeError("X: expected at least one column, got 0");
  }
  if (out !== undefined && !(out instanceof Int32Array)) {
    throw new TypeError("out: expected an Int32Array");
  }
  if (out !== undefined && out.length !== X.rows) {
    throw new RangeError(`out: expected length ${X.rows}, got ${out.length}`);
  }
  const y = out ?? new Int32Array(X.rows);
  const { cols } = X;
  for (let i = 0; i < X.rows; i++) {
    const start = i * cols;
    let best = 0;
    for (let j = 1; j < cols; j++) {
      if (X.data[start + j] > X.data[start + best]) best = j;
    }
    y[i] = best;
  }
  return y;
}
