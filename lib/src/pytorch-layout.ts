/**
 * Helpers for PyTorch's weight layout (nested lists, column-vector form),
 * shared by rnn-pytorch.ts and recurrent-pytorch.ts: transposes to and
 * from the library's row-vector form and checks of the nested lists.
 */

import { readNumberArray } from "./model-files";
import {
  describeValue,
  type DType,
  dtypeOf,
  type FloatArray,
  Matrix,
} from "./tensor";

/** X^T as a new float64 matrix; `X` `[m, n]` gives `[n, m]`. */
export function transpose(X: Matrix): Matrix {
  const Y = Matrix.zeros(X.cols, X.rows);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < X.cols; j++) {
      Y.data[j * X.rows + i] = X.data[i * X.cols + j];
    }
  }
  return Y;
}

/**
 * `rows` (nested lists of numbers, `[m, n]`) as a float64 matrix; every
 * entry must be a finite number that fits `dtype` (the model's), so a
 * string, null, a nested list or 1e39 for float32 throws, naming
 * `name[i][j]`.
 */
export function rowsMatrix(
  name: string,
  rows: unknown,
  dtype: DType = "float64",
): Matrix {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new TypeError(
      `${name}: expected a non-empty array of rows, got ${describeValue(rows)}`,
    );
  }
  const first: unknown = rows[0];
  if (!Array.isArray(first)) {
    throw new TypeError(
      `${name}[0]: expected an array of numbers, got ${describeValue(first)}`,
    );
  }
  const cols = first.length;
  const M = Matrix.zeros(rows.length, cols);
  rows.forEach((row: unknown, i) => {
    const out = M.data.subarray(i * cols, (i + 1) * cols);
    readNumberArray(`${name}[${i}]`, row, out, dtype);
  });
  return M;
}

/**
 * `v` as a float64 array of `length` finite numbers that fit `dtype`;
 * errors name `name[i]`.
 */
export function vectorOf(
  name: string,
  v: unknown,
  length: number,
  dtype: DType = "float64",
): Float64Array {
  const out = new Float64Array(length);
  readNumberArray(name, v, out, dtype);
  return out;
}

/**
 * out = a + b: PyTorch's two biases (`name.bias_ih`, `name.bias_hh`) as
 * the library's one; throws if a sum overflows `out`'s element type.
 */
export function addBiases(
  name: string,
  a: Float64Array,
  b: Float64Array,
  out: FloatArray,
): void {
  for (let j = 0; j < out.length; j++) {
    out[j] = a[j] + b[j];
    if (!Number.isFinite(out[j])) {
      throw new RangeError(
        `${name}.bias_ih[${j}] + ${name}.bias_hh[${j}]: expected a sum ` +
          `that fits ${dtypeOf(out)}, got ${a[j] + b[j]}`,
      );
    }
  }
}
