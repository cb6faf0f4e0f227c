/**
 * What one layer of a stacked gated model provides (issue 6), the scratch
 * of a whole stack for one shape, and the kernels of the input term that
 * the LSTM and GRU cells share (lstm-cell.ts, gru-cell.ts). The passes
 * over the layers are in recurrent-stack.ts.
 *
 * Dimension letters: B sequences, T steps, I_l the layer's inputs, H
 * hidden units, K outputs, S the state width, n a row width.
 */

import { gemm } from "./gemm";
import {
  addColumnSums,
  addToRows,
  gatherRows,
  scatterRows,
  transposeInto,
} from "./rnn-bptt";
import { type DType, type FloatArray, Matrix } from "./tensor";

/** One layer's scratch for a shape (B, T), made by the subclass. */
export interface LayerWorkspace {
  /** h_0..h_{T-1} `[T B, H]`, time-major: the next layer's input. */
  readonly outputs: Matrix;
  /** dL/dh_t from above (readout or next layer) `[T B, H]`, time-major. */
  readonly dOutputs: Matrix;
  /** The layer's state pieces before step 0, each `[B, H]`. */
  readonly initialState: Matrix[];
  /** The pieces after the last step, each `[B, H]`. */
  readonly finalState: Matrix[];
  /** Gradients carried backward, one `[B, H]` per piece: dL/d(final
   * state) before the layer's backward pass, dL/d(initial state) after. */
  readonly carry: Matrix[];
}

/** A layer's input: token ids `[B, T]` (layer 0) or `[T B, I_l]` rows. */
export interface LayerInput {
  /** Token ids `[B, T]`, row-major (batch-major), or null. */
  tokens: Int32Array | null;
  /** Dense input `[T B, I_l]`, time-major, or null. */
  x: Matrix | null;
}

/** The scratch of a whole model for one shape (B, T). */
export class StackWorkspace<W extends LayerWorkspace> {
  /** Logits and dL/dlogits `[T B, K]`, time-major. */
  readonly logits: Matrix;
  readonly dLogits: Matrix;
  /** The state after the last step `[B, S]`. */
  readonly finalState: Matrix;
  /** V^T `[K, H]`, refreshed by each backward pass. */
  readonly outputT: Matrix;
  /** Dense input, time-major `[T B, I]` (allocated on first dense use). */
  denseInput: Matrix | null = null;

  constructor(
    readonly batch: number,
    readonly steps: number,
    readonly layers: W[],
    sizes: { hidden: number; output: number; state: number },
    dtype: DType,
  ) {
    const { hidden: H, output: K, state: S } = sizes;
    this.logits = Matrix.zeros(steps * batch, K, dtype);
    this.dLogits = Matrix.zeros(steps * batch, K, dtype);
    this.finalState = Matrix.zeros(batch, S, dtype);
    this.outputT = Matrix.zeros(K, H, dtype);
  }
}

// ---------------------------------------------------------------------------
// Kernels both cells use for their input term, whole sequences at once.

/**
 * out = x W + bias for all T B rows: `x` `[T B, I_l]` time-major (a gemm)
 * or token ids `[B, T]` (row tokens[b, t] of W, a gather); W `[I_l, n]`,
 * `bias` `[n]`, `out` `[T B, n]`, all row-major.
 */
export function projectInput(
  x: LayerInput,
  W: Matrix,
  bias: FloatArray,
  out: Matrix,
  B: number,
  T: number,
): void {
  if (x.tokens) gatherRows(x.tokens, W, out, B, T);
  else gemm(x.x as Matrix, W, out);
  addToRows(out.data, bias);
}

/**
 * The input side of a layer's backward pass, from dZ `[T B, n]` (the
 * gradient of `projectInput`'s out): dW += x^T dZ (a scatter-add for
 * tokens), dbias += column sums of dZ, and dX = dZ W^T `[T B, I_l]` if
 * `dX` is given, through `Wt` `[n, I_l]` (scratch for W^T).
 */
export function projectInputBackward(
  x: LayerInput,
  W: Matrix,
  Wt: Matrix,
  dZ: Matrix,
  dW: Matrix,
  dBias: FloatArray,
  dX: Matrix | null,
  B: number,
  T: number,
): void {
  addColumnSums(dZ.data, dBias);
  if (x.tokens) scatterRows(x.tokens, dZ, dW.data, B, T);
  else gemm(x.x as Matrix, dZ, dW, { transA: true, beta: 1 });
  if (dX) {
    transposeInto(W, Wt);
    gemm(dZ, Wt, dX);
  }
}
