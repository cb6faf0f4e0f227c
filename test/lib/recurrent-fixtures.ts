/**
 * Helpers shared by the LSTM, GRU and recurrent tests: the golden-value
 * comparison, random inputs and the state pieces of a `[B, S]` state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";

import type { Random } from "../../lib/src/random.js";
import { Matrix } from "../../lib/src/tensor.js";

/** A fixture of test/fixtures, parsed. */
export function readFixture<T>(name: string): T {
  const file = path.join(__dirname, "..", "fixtures", name);
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/**
 * Largest |a - e| / |e| over entries with |e| > 1e-3, and largest |a - e|
 * elsewhere: golden values must match to 1e-9 relative and 1e-12
 * absolute near zero.
 */
export function expectClose(actual: ArrayLike<number>, expected: unknown) {
  const e = (Array.isArray(expected) ? expected.flat(3) : expected) as
    number[] | ArrayLike<number>;
  expect(actual.length).toBe(e.length);
  let worstRel = 0;
  let worstAbs = 0;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(actual[i] - e[i]);
    if (!(diff === diff)) worstRel = Infinity;
    else if (Math.abs(e[i]) > 1e-3) {
      worstRel = Math.max(worstRel, diff / Math.abs(e[i]));
    } else worstAbs = Math.max(worstAbs, diff);
  }
  expect(worstRel).toBeLessThanOrEqual(1e-9);
  expect(worstAbs).toBeLessThanOrEqual(1e-12);
}

/** `[rows, cols]` of N(0, sd^2) draws (float64). */
export function randomMatrix(
  random: Random,
  rows: number,
  cols: number,
  sd = 1,
): Matrix {
  const M = Matrix.zeros(rows, cols);
  for (let i = 0; i < M.data.length; i++) M.data[i] = random.normal(0, sd);
  return M;
}

/** Columns [from, from + width) of `M` as a new matrix. */
export function columns(M: Matrix, from: number, width: number): Matrix {
  const out = Matrix.zeros(M.rows, width, M.dtype);
  for (let r = 0; r < M.rows; r++) {
    out.data.set(
      M.data.subarray(r * M.cols + from, r * M.cols + from + width),
      r * width,
    );
  }
  return out;
}

/** The matrices side by side, `[rows, sum of cols]`. */
export function sideBySide(...parts: Matrix[]): Matrix {
  const rows = parts[0].rows;
  const cols = parts.reduce((n, M) => n + M.cols, 0);
  const out = Matrix.zeros(rows, cols, parts[0].dtype);
  let at = 0;
  for (const M of parts) {
    for (let r = 0; r < rows; r++) {
      out.data.set(
        M.data.subarray(r * M.cols, (r + 1) * M.cols),
        r * cols + at,
      );
    }
    at += M.cols;
  }
  return out;
}

/** sum(A * B) over all entries. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
