/**
 * The kernels of one GRU layer (gru.ts, issue 6): the forward pass over T
 * steps and backpropagation through time, side by side. The equations are
 * PyTorch's `nn.GRU` (Cho et al. 2014, with the reset gate applied after
 * the recurrent product), in row-vector form:
 *   r = σ(x_t Wx_r + bx_r + h_{t-1} Wh_r + bh_r)
 *   z = σ(x_t Wx_z + bx_z + h_{t-1} Wh_z + bh_z)
 *   n = tanh(x_t Wx_n + bx_n + r ⊙ (h_{t-1} Wh_n + bh_n))
 *   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
 * Both biases are kept: bh_n sits inside r ⊙ (...), so it is not
 * interchangeable with bx_n. Arguments are checked by the `GRU`.
 *
 * Time-major sequence arrays (row t B + b) as in rnn-bptt.ts: the input
 * term of all steps and every weight gradient are one product over the
 * T B rows; only h_{t-1} Wh goes step by step.
 *
 * Dimension letters: B sequences, T steps, I_l the layer's inputs, H
 * hidden units; the 3 H columns are the blocks (r, z, n).
 */

import { gemm } from "./gemm";
import { sigmoid, sigmoidFloat32 } from "./lstm-cell";
import {
  type LayerInput,
  type LayerWorkspace,
  projectInput,
  projectInputBackward,
} from "./recurrent-layer";
import {
  addColumnSums,
  blocks,
  rowsOf,
  tanhFloat32,
  transposeInto,
} from "./rnn-bptt";
import { type DType, type FloatArray, Matrix } from "./tensor";

/** One layer's weights (or the gradients accumulated into them). */
export interface GRUCellWeights {
  /** Wx `[I_l, 3 H]` = weight_ih^T, blocks (r, z, n). */
  inputWeights: Matrix;
  /** Wh `[H, 3 H]` = weight_hh^T. */
  recurrentWeights: Matrix;
  /** bx `[3 H]` = bias_ih. */
  inputBias: FloatArray;
  /** bh `[3 H]` = bias_hh. */
  recurrentBias: FloatArray;
}

/** Preallocated buffers of one layer for one shape (B, T). */
export class GRULayerWorkspace implements LayerWorkspace {
  /** x_t Wx + bx `[T B, 3 H]`, overwritten by r, z, n. */
  readonly gates: Matrix;
  readonly gateAt: Matrix[];
  /** h_{t-1} Wh_n + bh_n `[T B, H]` (what r multiplies). */
  readonly resetInput: Matrix;
  /** h_{t-1} for t = 0..T `[(T + 1) B, H]`; block 0 is h_{-1}. */
  readonly hidden: Matrix;
  readonly hiddenAt: Matrix[];
  readonly outputs: Matrix;
  /** h_{-1}..h_{T-2} `[T B, H]`: Wh's gradient input. */
  readonly previous: Matrix;
  /** h_{t-1} Wh of the current step `[B, 3 H]`. */
  readonly step: Matrix;
  /** dL/d(x_t Wx + bx) and dL/d(h_{t-1} Wh + bh), `[T B, 3 H]` each. */
  readonly dInputGates: Matrix;
  readonly dInputGateAt: Matrix[];
  readonly dHiddenGates: Matrix;
  readonly dHiddenGateAt: Matrix[];
  readonly dOutputs: Matrix;
  /** dL/dh_{t-1} carried backward `[B, H]`. */
  readonly dh: Matrix;
  /** Wh^T `[3 H, H]` and Wx^T `[3 H, I_l]`, refreshed by backward. */
  readonly recurrentT: Matrix;
  readonly inputT: Matrix;
  readonly initialState: Matrix[];
  readonly finalState: Matrix[];
  readonly carry: Matrix[];

  constructor(
    readonly batch: number,
    readonly steps: number,
    sizes: { input: number; hidden: number },
    dtype: DType,
  ) {
    const [B, T, H] = [batch, steps, sizes.hidden];
    this.gates = Matrix.zeros(T * B, 3 * H, dtype);
    this.gateAt = blocks(this.gates, B, T);
    this.resetInput = Matrix.zeros(T * B, H, dtype);
    this.hidden = Matrix.zeros((T + 1) * B, H, dtype);
    this.hiddenAt = blocks(this.hidden, B, T + 1);
    this.outputs = rowsOf(this.hidden, B, T * B);
    this.previous = rowsOf(this.hidden, 0, T * B);
    this.step = Matrix.zeros(B, 3 * H, dtype);
    this.dInputGates = Matrix.zeros(T * B, 3 * H, dtype);
    this.dInputGateAt = blocks(this.dInputGates, B, T);
    this.dHiddenGates = Matrix.zeros(T * B, 3 * H, dtype);
    this.dHiddenGateAt = blocks(this.dHiddenGates, B, T);
    this.dOutputs = Matrix.zeros(T * B, H, dtype);
    this.dh = Matrix.zeros(B, H, dtype);
    this.recurrentT = Matrix.zeros(3 * H, H, dtype);
    this.inputT = Matrix.zeros(3 * H, sizes.input, dtype);
    this.initialState = [this.hiddenAt[0]];
    this.finalState = [this.hiddenAt[T]];
    this.carry = [this.dh];
  }
}

// ---------------------------------------------------------------------------
// Forward.

/**
 * Runs the layer over all T steps of `ws` from the h_{-1} in
 * `ws.initialState`; `x` is its input (tokens `[B, T]` or `[T B, I_l]`).
 */
export function gruForward(
  p: GRUCellWeights,
  ws: GRULayerWorkspace,
  x: LayerInput,
): void {
  const { batch: B, steps: T } = ws;
  projectInput(x, p.inputWeights, p.inputBias, ws.gates, B, T);
  for (let t = 0; t < T; t++) {
    gemm(ws.hiddenAt[t], p.recurrentWeights, ws.step);
    gruStepForward(ws, t, p.recurrentBias);
  }
}

/** r, z, n and h_t of step t (elementwise). */
function gruStepForward(
  ws: GRULayerWorkspace,
  t: number,
  bh: FloatArray,
): void {
  const [gx, gh] = [ws.gateAt[t].data, ws.step.data];
  const [hPrev, h] = [ws.hiddenAt[t].data, ws.hiddenAt[t + 1].data];
  const hn = ws.resetInput.data;
  const fast = gx instanceof Float32Array;
  const sig = fast ? sigmoidFloat32 : sigmoid;
  const th = fast ? tanhFloat32 : Math.tanh;
  const H = ws.hidden.cols;
  const at = t * ws.batch * H;
  for (let b = 0; b < ws.batch; b++) {
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const row = 3 * b * H + j;
      const r = sig(gx[row] + gh[row] + bh[j]);
      const z = sig(gx[row + H] + gh[row + H] + bh[H + j]);
      const reset = (hn[at + k] = gh[row + 2 * H] + bh[2 * H + j]);
      const n = th(gx[row + 2 * H] + r * reset);
      gx[row] = r;
      gx[row + H] = z;
      gx[row + 2 * H] = n;
      h[k] = (1 - z) * n + z * hPrev[k];
    }
  }
}

// ---------------------------------------------------------------------------
// Backward through time, from dL/dh_t in `ws.dOutputs` and the carried
// dL/dh of the final state in `ws.dh`.

/**
 * Accumulates (+=) the layer's weight gradients into `g`, leaves
 * dL/dh_{-1} in `ws.dh`; writes dL/dx `[T B, I_l]` into `dX` if given,
 * and the total dL/dh_t into columns `col`..`col + H` of `dStates`
 * `[T B, S]` if given (time-major).
 */
export function gruBackward(
  p: GRUCellWeights,
  g: GRUCellWeights,
  ws: GRULayerWorkspace,
  x: LayerInput,
  dX: Matrix | null,
  dStates: Matrix | null,
  col: number,
): void {
  const { batch: B, steps: T } = ws;
  transposeInto(p.recurrentWeights, ws.recurrentT);

  // Through time: h_{t-1} gets z dh_t directly and the rest through Wh.
  for (let t = T - 1; t >= 0; t--) {
    gruStepBackward(ws, t, dStates, col);
    gemm(ws.dHiddenGateAt[t], ws.recurrentT, ws.dh, { beta: 1 });
  }

  // Weights, all steps at once.
  gemm(ws.previous, ws.dHiddenGates, g.recurrentWeights, {
    transA: true,
    beta: 1,
  });
  addColumnSums(ws.dHiddenGates.data, g.recurrentBias);
  projectInputBackward(
    x,
    p.inputWeights,
    ws.inputT,
    ws.dInputGates,
    g.inputWeights,
    g.inputBias,
    dX,
    B,
    T,
  );
}

/**
 * dL/d(gate inputs) of step t from dL/dh_t = dOutputs_t + ws.dh; leaves
 * the direct part z ⊙ dL/dh_t of dL/dh_{t-1} in `ws.dh`.
 */
function gruStepBackward(
  ws: GRULayerWorkspace,
  t: number,
  dStates: Matrix | null,
  col: number,
): void {
  const gx = ws.gateAt[t].data;
  const [dx, dhh] = [ws.dInputGateAt[t].data, ws.dHiddenGateAt[t].data];
  const [hPrev, hn, dh] = [ws.hiddenAt[t].data, ws.resetInput.data, ws.dh.data];
  const dOut = ws.dOutputs.data;
  const [B, H] = [ws.batch, ws.hidden.cols];
  const at = t * B * H;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const row = 3 * b * H + j;
      const dht = dOut[at + k] + dh[k];
      if (dStates) dStates.data[(t * B + b) * dStates.cols + col + j] = dht;
      const r = gx[row];
      const z = gx[row + H];
      const n = gx[row + 2 * H];
      const dzn = dht * (1 - z) * (1 - n * n);
      const dzr = dzn * hn[at + k] * r * (1 - r);
      const dzz = dht * (hPrev[k] - n) * z * (1 - z);
      dx[row] = dhh[row] = dzr;
      dx[row + H] = dhh[row + H] = dzz;
      dx[row + 2 * H] = dzn;
      dhh[row + 2 * H] = dzn * r;
      dh[k] = dht * z;
    }
  }
}
