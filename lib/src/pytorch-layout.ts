/**
 * Helpers for PyTorch's weight layout (nested lists, column-vector form),
 * shared by rnn-pytorch.ts and recurrent-pytorch.ts: transposes to and
 * from the library's row-vector form and checks of the nested lists.
 */

import { describeValue, Matrix } from "./tensor";

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

/** `rows` (nested lists) as a float64 matrix; errors start with `name`. */
export function rowsMatrix(name: string, rows: unknown): Matrix {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new TypeError(
      `${name}: expected a non-empty array of rows, got ${describeValue(rows)}`,
    );
  }
  try {
    return Matrix.fromRows(rows as number[][]);
  } catch (err) {
    if (err instanceof Error) {
      const Kind = err.constructor as new (message: string) => Error;
      throw new Kind(`${name}: ${err.message}`);
    }
    throw err;
  }
}

/** Throws unless `v` is an array of `length` entries; returns it. */
export function vectorOf(name: string, v: unknown, length: number): number[] {
  if (!Array.isArray(v)) {
    throw new TypeError(`${name}: expected an array, got ${describeValue(v)}`);
  }
  if (v.length !== length) {
    throw new RangeError(`${name}: expected length ${length}, got ${v.length}`);
  }
  return v as number[];
}
