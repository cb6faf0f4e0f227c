/**
 * Energy, free energy and conditionals of a binary restricted Boltzmann
 * machine, as functions of its parameters: the shared ground of the RBM
 * class (rbm.ts), its trainer, exact enumeration and AIS.
 *
 * E(v, h) = -v W h - a.v - b.h           (erratum 1: no 1/2, no w_ii = 0)
 * P(h_j = 1 | v) = sigma(b_j + sum_i v_i W_ij)   (erratum 2: plus signs)
 * P(v_i = 1 | h) = sigma(a_i + sum_j W_ij h_j)   (erratum 3: W^T, visible a)
 * F(v) = -a.v - sum_j softplus(b_j + (v W)_j), so p(v) = exp(-F(v)) / Z.
 *
 * Dimension letters: n rows (samples), V visible units, H hidden units.
 * W is `[V, H]`, row-major; a `[V]`; b `[H]`. Batches are matrices with one
 * sample per row. The fields are computed in the parameters' dtype; sums
 * that span many terms (energies, free energies) accumulate in float64.
 */
import { gemm } from "./gemm";
import { addRowVector } from "./ops-rows";
import { sigmoid, softplus } from "./ops";
import {
  checkFloatArray,
  checkMatrix,
  describeValue,
  type DType,
  type FloatArray,
  Matrix,
} from "./tensor";

/**
 * The parameters of a binary RBM: `W` `[V, H]` (lecture w_ij, visible i to
 * hidden j), visible bias `a` `[V]`, hidden bias `b` `[H]`, one dtype.
 */
export interface RBMParams {
  readonly W: Matrix;
  readonly a: FloatArray;
  readonly b: FloatArray;
}

/** Throws unless `params` holds a consistent W, a, b; returns their dtype. */
export function checkRBMParams(name: string, params: unknown): DType {
  if (params === null || typeof params !== "object") {
    throw new TypeError(
      `${name}: expected an RBM or { W, a, b }, got ${describeValue(params)}`,
    );
  }
  const { W, a, b } = params as Partial<RBMParams>;
  const w = checkMatrix(`${name}.W`, W);
  checkFloatArray(`${name}.a`, a, w.rows, w.dtype);
  checkFloatArray(`${name}.b`, b, w.cols, w.dtype);
  return w.dtype;
}

/** Throws unless `X` is a Matrix of `cols` columns in `dtype`. */
function checkBatch(name: string, X: unknown, cols: number, dtype: DType) {
  return checkMatrix(name, X, undefined, cols, dtype);
}

/**
 * Hidden fields b + V W `[n, H]` for visible rows `V` `[n, V]`, written to
 * `out` when given. Dividing by a temperature is the caller's business.
 */
export function hiddenField(
  params: RBMParams,
  V: Matrix,
  out?: Matrix,
): Matrix {
  const dtype = checkRBMParams("params", params);
  const { W, b } = params;
  checkBatch("V", V, W.rows, dtype);
  const field = out
    ? checkMatrix("out", out, V.rows, W.cols, dtype)
    : Matrix.zeros(V.rows, W.cols, dtype);
  gemm(V, W, field);
  return addRowVector(field, b);
}

/** Visible fields a + H W^T `[n, V]` for hidden rows `H` `[n, H]`. */
export function visibleField(
  params: RBMParams,
  H: Matrix,
  out?: Matrix,
): Matrix {
  const dtype = checkRBMParams("params", params);
  const { W, a } = params;
  checkBatch("H", H, W.cols, dtype);
  const field = out
    ? checkMatrix("out", out, H.rows, W.rows, dtype)
    : Matrix.zeros(H.rows, W.rows, dtype);
  gemm(H, W, field, { transB: true });
  return addRowVector(field, a);
}

/**
 * Throws unless `temperature` is a finite number > 0; the error names it
 * `name` (an option passes "options.temperature").
 */
export function checkTemperature(
  temperature: unknown,
  name = "temperature",
): number {
  if (typeof temperature !== "number") {
    throw new TypeError(
      `${name}: expected a finite number > 0, got ${describeValue(temperature)}`,
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(
      `${name}: expected a finite number > 0, got ${temperature}`,
    );
  }
  return temperature;
}

/**
 * sigma(field / T) in place: the stochastic neuron's firing probability.
 * T was checked before the field was written (a bad T leaves `out` as is).
 */
function fire(field: Matrix, temperature: number): Matrix {
  const x = field.data;
  if (temperature !== 1) {
    const inv = 1 / temperature;
    for (let i = 0; i < x.length; i++) x[i] *= inv;
  }
  sigmoid(x, x);
  return field;
}

/**
 * P(h = 1 | v) `[n, H]` = sigma((b + V W) / T) for visible rows `V`
 * `[n, V]`; T = 1 is the RBM itself.
 */
export function hiddenProbs(
  params: RBMParams,
  V: Matrix,
  out?: Matrix,
  temperature = 1,
): Matrix {
  const T = checkTemperature(temperature);
  return fire(hiddenField(params, V, out), T);
}

/** P(v = 1 | h) `[n, V]` = sigma((a + H W^T) / T) for hidden rows `H`. */
export function visibleProbs(
  params: RBMParams,
  H: Matrix,
  out?: Matrix,
  temperature = 1,
): Matrix {
  const T = checkTemperature(temperature);
  return fire(visibleField(params, H, out), T);
}

/**
 * Free energy F(v) = -a.v - sum_j softplus(b_j + (v W)_j) of each row of
 * `V` `[n, V]`, as float64 `[n]`. Stable for any field: softplus never
 * overflows.
 */
export function freeEnergy(params: RBMParams, V: Matrix): Float64Array {
  const field = hiddenField(params, V);
  const { a } = params;
  softplus(field.data, field.data);
  const out = new Float64Array(V.rows);
  for (let r = 0; r < V.rows; r++) {
    const v = V.row(r);
    const sp = field.row(r);
    let f = 0;
    for (let i = 0; i < v.length; i++) f -= a[i] * v[i];
    for (let j = 0; j < sp.length; j++) f -= sp[j];
    out[r] = f;
  }
  return out;
}

/**
 * Energy E(v, h) = -v W h - a.v - b.h of each pair of rows of `V` `[n, V]`
 * and `H` `[n, H]`, as float64 `[n]`.
 */
export function energy(params: RBMParams, V: Matrix, H: Matrix): Float64Array {
  const dtype = checkRBMParams("params", params);
  const { W, a, b } = params;
  checkBatch("V", V, W.rows, dtype);
  checkMatrix("H", H, V.rows, W.cols, dtype);
  const out = new Float64Array(V.rows);
  const w = W.data;
  const nH = W.cols;
  for (let r = 0; r < V.rows; r++) {
    const v = V.row(r);
    const h = H.row(r);
    let e = 0;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === 0) continue;
      let s = a[i];
      const base = i * nH;
      for (let j = 0; j < nH; j++) s += w[base + j] * h[j];
      e -= v[i] * s;
    }
    for (let j = 0; j < nH; j++) e -= b[j] * h[j];
    out[r] = e;
  }
  return out;
}
