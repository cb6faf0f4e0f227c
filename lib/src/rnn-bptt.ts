/**
 * The kernels of the Elman network in rnn.ts (issue 5): the forward pass
 * over a batch of sequences, the softmax cross-entropy of its readout, and
 * backpropagation through time, side by side. Arguments are checked by
 * the `RNN` methods that call these; nothing here checks again.
 *
 * Row-vector form, as every batch in the library is row-major:
 *   A_t = tanh(x_t U + A_{t-1} W + b),  logits_t = A_t V + c,
 * with x_t `[B, I]`, A_t `[B, H]`, U `[I, H]`, W `[H, H]`, V `[H, K]`.
 *
 * Inside a workspace every sequence array is time-major: row t * B + b
 * holds example b at step t, so the B rows of one step are contiguous and
 * a step is a plain `[B, H]` matrix for gemm. Only the recurrence runs
 * step by step; the input projection, the readout and every weight
 * gradient are one gemm over all T B rows.
 *
 * Dimension letters: B sequences, T steps, I inputs, H hidden, K outputs.
 */

import { gemm } from "./gemm";
import { reorderRows } from "./rnn-input";
import { Matrix, type FloatArray } from "./tensor";

/** The weights the kernels read (or the gradients they accumulate). */
export interface RNNWeights {
  /** U `[I, H]`. */
  inputWeights: Matrix;
  /** W `[H, H]`. */
  recurrentWeights: Matrix;
  /** b `[H]`. */
  bias: FloatArray;
  /** V `[H, K]`. */
  outputWeights: Matrix;
  /** c `[K]`. */
  outputBias: FloatArray;
}

/** The input of one forward pass: token ids or dense vectors. */
export interface KernelInput {
  /** Token ids `[B, T]`, row-major (batch-major), or null. */
  tokens: Int32Array | null;
  /** Dense inputs `[B T, I]`, row b T + t (batch-major), or null. */
  x: Matrix | null;
}

/**
 * Preallocated buffers for one shape (B, T): kept by the model and reused
 * by every forward and backward pass of that shape.
 */
export class RNNWorkspace {
  /** A_{t-1} for t = 0..T: `[(T + 1) B, H]`; block 0 is A_{-1}. */
  readonly states: Matrix;
  /** Step views `[B, H]` of `states`; `stateAt[t + 1]` is A_t. */
  readonly stateAt: Matrix[];
  /** A_0..A_{T-1} as one `[T B, H]` view (the readout's input). */
  readonly outputs: Matrix;
  /** A_{-1}..A_{T-2} as one `[T B, H]` view (W's gradient input). */
  readonly previous: Matrix;
  /** logits_t `[T B, K]`. */
  readonly logits: Matrix;
  /** dL/dlogits `[T B, K]`. */
  readonly dLogits: Matrix;
  /** dL/dA_t, then dL/dZ_t in place (Z the tanh input): `[T B, H]`. */
  readonly dStates: Matrix;
  /** Step views `[B, H]` of `dStates`. */
  readonly dStateAt: Matrix[];
  /** dL/dA_{t-1} through the recurrence, carried backward: `[B, H]`. */
  readonly dCarry: Matrix;
  /** W^T `[H, H]` and V^T `[K, H]`, refreshed by each backward pass. */
  readonly recurrentT: Matrix;
  readonly outputT: Matrix;
  /** Dense input, time-major `[T B, I]` (allocated on first dense use). */
  denseInput: Matrix | null = null;

  constructor(
    readonly batch: number,
    readonly steps: number,
    sizes: { input: number; hidden: number; output: number },
    readonly dtype: "float32" | "float64",
  ) {
    const { hidden: H, output: K } = sizes;
    const [B, T] = [batch, steps];
    this.states = Matrix.zeros((T + 1) * B, H, dtype);
    this.stateAt = blocks(this.states, B, T + 1);
    this.outputs = rowsOf(this.states, B, T * B);
    this.previous = rowsOf(this.states, 0, T * B);
    this.logits = Matrix.zeros(T * B, K, dtype);
    this.dLogits = Matrix.zeros(T * B, K, dtype);
    this.dStates = Matrix.zeros(T * B, H, dtype);
    this.dStateAt = blocks(this.dStates, B, T);
    this.dCarry = Matrix.zeros(B, H, dtype);
    this.recurrentT = Matrix.zeros(H, H, dtype);
    this.outputT = Matrix.zeros(K, H, dtype);
  }
}

/** Rows [start, start + count) of M as a matrix sharing its storage. */
export function rowsOf(M: Matrix, start: number, count: number): Matrix {
  const { cols } = M;
  const data = M.data.subarray(start * cols, (start + count) * cols);
  return new Matrix(count, cols, data);
}

/** `count` consecutive blocks of `rows` rows of M, as views. */
export function blocks(M: Matrix, rows: number, count: number): Matrix[] {
  return Array.from({ length: count }, (_, k) => rowsOf(M, k * rows, rows));
}

// ---------------------------------------------------------------------------
// Forward: A_t = tanh(x_t U + A_{t-1} W + b), logits_t = A_t V + c.

/**
 * Runs the network over all T steps of `ws` from the A_{-1} already in
 * `ws.stateAt[0]`; fills `ws.states` and `ws.logits`.
 */
export function forwardSequence(
  p: RNNWeights,
  ws: RNNWorkspace,
  input: KernelInput,
): void {
  const { batch: B, steps: T } = ws;

  // Input term x_t U + b for every step at once, written over A_t.
  const out = ws.outputs.data;
  if (input.tokens) {
    // x_t one-hot: x_t U is row tokens[b, t] of U (a gather, no product).
    gatherRows(input.tokens, p.inputWeights, ws.outputs, B, T);
  } else {
    const X = ws.denseInput as Matrix;
    reorderRows(input.x as Matrix, X, B, T);
    gemm(X, p.inputWeights, ws.outputs);
  }
  addToRows(out, p.bias);

  // The recurrence, the one part that must go step by step.
  for (let t = 0; t < T; t++) {
    const A = ws.stateAt[t + 1];
    gemm(ws.stateAt[t], p.recurrentWeights, A, { beta: 1 });
    const a = A.data;
    if (a instanceof Float32Array) {
      for (let i = 0; i < a.length; i++) a[i] = tanhFloat32(a[i]);
    } else {
      for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]);
    }
  }

  // Readout for all steps: one [T B, H] x [H, K] product.
  gemm(ws.outputs, p.outputWeights, ws.logits);
  addToRows(ws.logits.data, p.outputBias);
}

/**
 * tanh(x) to float32 accuracy, about 10 times faster than `Math.tanh` in
 * the forward pass: x P(u) / Q(u) with u = x^2 / 81, a rational function
 * fitted on [0, 9] by iteratively reweighted least squares (issue 5) to a
 * relative error below 1.3e-9, far under float32's rounding (6e-8); Q >= 1
 * there (all its coefficients are positive). Beyond |x| = 9 it returns
 * +-1 (off by at most 3.1e-8, about half a float32 step below 1). NaN
 * stays NaN. float64 models use Math.tanh.
 */
export function tanhFloat32(x: number): number {
  if (x > 9) return 1;
  if (x < -9) return -1;
  const u = x * x * (1 / 81);
  const p =
    0.9999999987232843 +
    u *
      (11.081497106304925 +
        u *
          (25.387876758322168 +
            u *
              (14.897047176037534 +
                u * (1.3190727741249106 + u * -0.042700840922084045))));
  const q =
    1 +
    u *
      (38.08149609931976 +
        u *
          (178.78840385470025 +
            u * (209.42617127549516 + u * 55.4890808486466)));
  return (x * p) / q;
}

/**
 * Row tokens[b, t] of `W` `[I, n]` into row t B + b of `out` `[T B, n]`
 * (time-major) for every b, t; `tokens` `[B, T]` row-major: the product
 * of one-hot rows with W.
 */
export function gatherRows(
  tokens: Int32Array,
  W: Matrix,
  out: Matrix,
  B: number,
  T: number,
): void {
  const n = W.cols;
  const [w, o] = [W.data, out.data];
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const from = tokens[b * T + t] * n;
      o.set(w.subarray(from, from + n), (t * B + b) * n);
    }
  }
}

/** x[i, j] += v[j] over every row of the row-major `x`. */
export function addToRows(x: FloatArray, v: FloatArray): void {
  const n = v.length;
  for (let start = 0; start < x.length; start += n) {
    for (let j = 0; j < n; j++) x[start + j] += v[j];
  }
}

/** out[j] += sum over rows of x[i, j], for the row-major `x`. */
export function addColumnSums(x: FloatArray, out: FloatArray): void {
  const n = out.length;
  for (let start = 0; start < x.length; start += n) {
    for (let j = 0; j < n; j++) out[j] += x[start + j];
  }
}

/**
 * Summed softmax cross-entropy of the time-major `logits` `[T B, K]`
 * against batch-major `targets` `[B, T]`: sum over b, t of
 * logsumexp(logits_t[b]) - logits_t[b, target]. With `dLogits` given, also
 * writes scale (softmax - onehot(target)) into it (the gradient of scale
 * times the loss).
 */
export function crossEntropySequence(
  logits: Matrix,
  targets: ArrayLike<number>,
  B: number,
  T: number,
  dLogits: Matrix | null,
  scale = 1,
): number {
  const K = logits.cols;
  const z = logits.data;
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * K;
      const target = targets[b * T + t];
      // Shift by the row maximum so exp never overflows.
      let m = -Infinity;
      for (let j = row; j < row + K; j++) if (z[j] > m) m = z[j];
      let s = 0;
      if (dLogits) {
        // exp once, kept in dLogits, then scaled to probabilities.
        const d = dLogits.data;
        for (let j = row; j < row + K; j++) {
          const e = Math.exp(z[j] - m);
          d[j] = e;
          s += e;
        }
        const f = scale / s;
        for (let j = row; j < row + K; j++) d[j] *= f;
        d[row + target] -= scale;
      } else {
        for (let j = row; j < row + K; j++) s += Math.exp(z[j] - m);
      }
      loss += m + Math.log(s) - z[row + target];
    }
  }
  return loss;
}

// ---------------------------------------------------------------------------
// Backward through time, from dL/dlogits in `ws.dLogits`.

/**
 * Accumulates (+=) the weight gradients into `g` and leaves dL/dA_{-1}
 * in `ws.dCarry`. `dStatesOut` `[T B, H]`, if given, receives the total
 * dL/dA_t of every step (time-major); `dInput` `[T B, I]`, if given (dense
 * input only), receives dL/dx_t (time-major).
 */
export function backwardSequence(
  p: RNNWeights,
  g: RNNWeights,
  ws: RNNWorkspace,
  input: KernelInput,
  dStatesOut: Matrix | null,
  dInput: Matrix | null,
): void {
  const { batch: B, steps: T } = ws;
  // gemm packs a transposed B operand by a slow strided loop: transposing
  // W and V once here is cheaper than T + 1 products with transB.
  transposeInto(p.recurrentWeights, ws.recurrentT);
  transposeInto(p.outputWeights, ws.outputT);

  // Readout: dV += A^T dlogits, dc += column sums, dA_t = dlogits V^T.
  gemm(ws.outputs, ws.dLogits, g.outputWeights, { transA: true, beta: 1 });
  addColumnSums(ws.dLogits.data, g.outputBias);
  gemm(ws.dLogits, ws.outputT, ws.dStates);

  // Through time: dZ_t = (dA_t + dA_t from step t + 1) * (1 - A_t^2), and
  // the recurrence passes dZ_t W^T back to A_{t-1}.
  ws.dCarry.data.fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const dZ = ws.dStateAt[t].data;
    const a = ws.stateAt[t + 1].data;
    const carry = ws.dCarry.data;
    for (let i = 0; i < dZ.length; i++) dZ[i] += carry[i];
    if (dStatesOut) dStatesOut.data.set(dZ, t * dZ.length);
    for (let i = 0; i < dZ.length; i++) dZ[i] *= 1 - a[i] * a[i];
    gemm(ws.dStateAt[t], ws.recurrentT, ws.dCarry);
  }

  // Weights, all steps at once: dW += A_prev^T dZ, db += column sums.
  gemm(ws.previous, ws.dStates, g.recurrentWeights, {
    transA: true,
    beta: 1,
  });
  addColumnSums(ws.dStates.data, g.bias);

  // Input weights: a scatter-add of dZ rows for one-hot input, else a gemm.
  if (input.tokens) {
    scatterRows(input.tokens, ws.dStates, g.inputWeights.data, B, T);
  } else {
    const X = ws.denseInput as Matrix;
    gemm(X, ws.dStates, g.inputWeights, { transA: true, beta: 1 });
    if (dInput) gemm(ws.dStates, p.inputWeights, dInput, { transB: true });
  }
}

/** out = X^T; `X` `[m, n]`, `out` `[n, m]`, both row-major. */
export function transposeInto(X: Matrix, out: Matrix): void {
  const { rows: m, cols: n } = X;
  const x = X.data;
  const y = out.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) y[j * m + i] = x[i * n + j];
  }
}

/** dU[tokens[b, t], :] += dZ[t B + b, :] for every b, t; `dZ` `[T B, n]`
 * time-major, `tokens` `[B, T]`, `dU` `[I, n]`, both row-major. */
export function scatterRows(
  tokens: Int32Array,
  dZ: Matrix,
  dU: FloatArray,
  B: number,
  T: number,
): void {
  const H = dZ.cols;
  const dz = dZ.data;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const to = tokens[b * T + t] * H;
      const from = (t * B + b) * H;
      for (let j = 0; j < H; j++) dU[to + j] += dz[from + j];
    }
  }
}
