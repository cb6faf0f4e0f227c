/**
 * The kernels of one LSTM layer (lstm.ts, issue 6): the forward pass over
 * T steps and backpropagation through time, side by side, for the
 * lecture's cell and the variants of Greff et al., "LSTM: A Search Space
 * Odyssey" (2015). Arguments are checked by the `LSTM` that calls these.
 *
 * Row-vector form (batches are row-major), per step t:
 *   Z_t = x_t Wx + h_{t-1} Wh + b                       [B, G H]
 *   i = σ(Z_i + p_i ⊙ C_{t-1}),  f = σ(Z_f + p_f ⊙ C_{t-1}),
 *   C~ = tanh(Z_C),  C_t = f ⊙ C_{t-1} + i ⊙ C~,
 *   o = σ(Z_o + p_o ⊙ C_t),  h_t = o ⊙ tanh(C_t),
 * the peephole terms p only in "PH". Variants: "NIG" i = 1, "NFG" f = 1,
 * "NOG" o = 1, "NOAF" h_t = o ⊙ C_t, "CIFG" f = 1 - i. Z's column
 * blocks are (i, f, C~, o) without the gates a variant drops.
 *
 * As in rnn-bptt.ts every sequence array is time-major (row t B + b);
 * the input term of all steps and every weight gradient are one product
 * over the T B rows, and only h_{t-1} Wh goes step by step.
 *
 * The variants' gate layouts, the weights and the scratch of a layer are
 * in lstm-layout.ts.
 *
 * Dimension letters: B sequences, T steps, I_l the layer's inputs, H
 * hidden units, G gates of the variant (3 or 4).
 */

import { gemm } from "./gemm";
import type {
  GateLayout,
  LSTMCellWeights,
  LSTMLayerWorkspace,
} from "./lstm-layout";
import {
  type LayerInput,
  projectInput,
  projectInputBackward,
} from "./recurrent-layer";
import { tanhFloat32, transposeInto } from "./rnn-bptt";
import type { FloatArray, Matrix } from "./tensor";

// ---------------------------------------------------------------------------
// Forward.

/**
 * Runs the layer over all T steps of `ws` from the h_{-1}, C_{-1} in
 * `ws.initialState`; `x` is its input (tokens `[B, T]` or `[T B, I_l]`).
 * Fills the gates, cells and h_t of `ws`.
 */
export function lstmForward(
  p: LSTMCellWeights,
  layout: GateLayout,
  ws: LSTMLayerWorkspace,
  x: LayerInput,
): void {
  const { batch: B, steps: T } = ws;
  // x_t Wx + b of every step at once, then h_{t-1} Wh step by step.
  projectInput(x, p.inputWeights, p.bias, ws.gates, B, T);
  for (let t = 0; t < T; t++) {
    gemm(ws.hiddenAt[t], p.recurrentWeights, ws.gateAt[t], { beta: 1 });
    lstmStepForward(layout, ws, t, p.peepholes);
  }
}

/**
 * Gates, C_t and h_t of step t from Z_t (elementwise, in place). Each
 * phase is a loop over one gate's H columns of a batch row, so the
 * variant's branches stay out of the per-element work.
 */
function lstmStepForward(
  L: GateLayout,
  ws: LSTMLayerWorkspace,
  t: number,
  peep: FloatArray | null,
): void {
  const z = ws.gateAt[t].data;
  const [cPrev, c] = [ws.cellAt[t].data, ws.cellAt[t + 1].data];
  const [a, h] = [ws.activatedAt[t].data, ws.hiddenAt[t + 1].data];
  const fast = z instanceof Float32Array;
  const H = ws.hidden.cols;
  for (let b = 0; b < ws.batch; b++) {
    const [k, { i0, f0, g0, o0 }] = [b * H, gateOffsets(L, b, H)];
    // i and f read C_{t-1} through their peepholes ("PH" only).
    if (i0 >= 0) sigmoidRange(z, i0, H, fast, peep, 0, cPrev, k);
    if (f0 >= 0) sigmoidRange(z, f0, H, fast, peep, H, cPrev, k);
    tanhRange(z, g0, H, fast, z, g0);

    // C_t = f C_{t-1} + i C~ (NIG: i = 1, NFG: f = 1, CIFG: f = 1 - i).
    for (let j = 0; j < H; j++) {
      const i = i0 >= 0 ? z[i0 + j] : 1;
      const f = f0 >= 0 ? z[f0 + j] : L.coupled ? 1 - i : 1;
      c[k + j] = f * cPrev[k + j] + i * z[g0 + j];
    }

    // h_t = o act(C_t), act = tanh (NOAF: none); o's peephole reads C_t.
    if (L.outputActivation) tanhRange(c, k, H, fast, a, k);
    else a.set(c.subarray(k, k + H), k);
    if (o0 < 0) h.set(a.subarray(k, k + H), k);
    else {
      sigmoidRange(z, o0, H, fast, peep, 2 * H, c, k);
      for (let j = 0; j < H; j++) h[k + j] = z[o0 + j] * a[k + j];
    }
  }
}

/** Where each gate's H columns start in batch row b of Z (-1: none). */
function gateOffsets(L: GateLayout, b: number, H: number) {
  const row = b * L.count * H;
  const at = (block: number) => (block < 0 ? -1 : row + block * H);
  return {
    i0: at(L.input),
    f0: at(L.forget),
    g0: at(L.candidate),
    o0: at(L.output),
  };
}

/**
 * z[at + j] = σ(z[at + j] + p[pAt + j] c[cAt + j]) for j < n; without
 * peepholes (`p` null) the sum is z alone. `fast`: float32 accuracy.
 */
function sigmoidRange(
  z: FloatArray,
  at: number,
  n: number,
  fast: boolean,
  p: FloatArray | null,
  pAt: number,
  c: FloatArray,
  cAt: number,
): void {
  for (let j = 0; j < n; j++) {
    const x = p ? z[at + j] + p[pAt + j] * c[cAt + j] : z[at + j];
    z[at + j] = fast ? sigmoidFloat32(x) : sigmoid(x);
  }
}

/** y[yAt + j] = tanh(x[xAt + j]) for j < n (`fast`: float32 accuracy). */
function tanhRange(
  x: FloatArray,
  xAt: number,
  n: number,
  fast: boolean,
  y: FloatArray,
  yAt: number,
): void {
  if (fast) for (let j = 0; j < n; j++) y[yAt + j] = tanhFloat32(x[xAt + j]);
  else for (let j = 0; j < n; j++) y[yAt + j] = Math.tanh(x[xAt + j]);
}

/** σ(x) = 1 / (1 + e^-x), exact to float64 rounding. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * σ(x) = (1 + tanh(x / 2)) / 2 with `tanhFloat32`: within 1e-9 absolute
 * of σ, far under float32's rounding of values near 1/2; for float32
 * models only (σ of x < -18 comes out 0, not e^x).
 */
export function sigmoidFloat32(x: number): number {
  return 0.5 + 0.5 * tanhFloat32(0.5 * x);
}

// ---------------------------------------------------------------------------
// Backward through time, from dL/dh_t in `ws.dOutputs` and the carried
// dL/dh, dL/dC of the final state in `ws.dh`, `ws.dc`.

/**
 * Accumulates (+=) the layer's weight gradients into `g`, leaves
 * dL/dh_{-1}, dL/dC_{-1} in `ws.dh`, `ws.dc`; writes dL/dx `[T B, I_l]`
 * into `dX` if given, and the total dL/dh_t, dL/dC_t into columns
 * `col`..`col + 2 H` of `dStates` `[T B, S]` if given (time-major).
 */
export function lstmBackward(
  p: LSTMCellWeights,
  g: LSTMCellWeights,
  layout: GateLayout,
  ws: LSTMLayerWorkspace,
  x: LayerInput,
  dX: Matrix | null,
  dStates: Matrix | null,
  col: number,
): void {
  const { batch: B, steps: T } = ws;
  // gemm packs a transposed B operand slowly: transpose Wh once here.
  transposeInto(p.recurrentWeights, ws.recurrentT);

  // Through time: dZ_t from the carried gradients, then dh_{t-1} = dZ_t Wh^T.
  for (let t = T - 1; t >= 0; t--) {
    lstmStepBackward(layout, ws, t, p.peepholes, g.peepholes, dStates, col);
    gemm(ws.dGateAt[t], ws.recurrentT, ws.dh);
  }

  // Weights, all steps at once: dWh += h_prev^T dZ; the input side.
  gemm(ws.previous, ws.dGates, g.recurrentWeights, {
    transA: true,
    beta: 1,
  });
  const [dWx, dBias] = [g.inputWeights, g.bias];
  projectInputBackward(
    x,
    p.inputWeights,
    ws.inputT,
    ws.dGates,
    dWx,
    dBias,
    dX,
    B,
    T,
  );
}

/**
 * dL/dZ_t of step t (into `ws.dGates`) and the new carried dL/dC_{t-1}
 * (into `ws.dc`), from dL/dh_t = dOutputs_t + ws.dh and dL/dC_t; `ws.dh`
 * is left holding dL/dh_t (the caller overwrites it with dL/dh_{t-1}).
 */
function lstmStepBackward(
  L: GateLayout,
  ws: LSTMLayerWorkspace,
  t: number,
  peep: FloatArray | null,
  dPeep: FloatArray | null,
  dStates: Matrix | null,
  col: number,
): void {
  const [z, dz] = [ws.gateAt[t].data, ws.dGateAt[t].data];
  const [cPrev, c] = [ws.cellAt[t].data, ws.cellAt[t + 1].data];
  const [a, dh, dc] = [ws.activatedAt[t].data, ws.dh.data, ws.dc.data];
  const [B, H] = [ws.batch, ws.hidden.cols];
  const dOut = ws.dOutputs.data;
  for (let b = 0; b < B; b++) {
    const [k, { i0, f0, g0, o0 }] = [b * H, gateOffsets(L, b, H)];
    // h_t = o act(C_t): dZ_o, and C_t's share (via act and o's peephole)
    // on top of what C_{t+1} sent back.
    for (let j = 0; j < H; j++) {
      const dht = (dh[k + j] += dOut[t * B * H + k + j]);
      const o = o0 >= 0 ? z[o0 + j] : 1;
      const act = a[k + j];
      let dct = dc[k + j] + dht * o * (L.outputActivation ? 1 - act * act : 1);
      if (o0 >= 0) {
        const dzo = (dz[o0 + j] = dht * act * o * (1 - o));
        if (peep && dPeep) {
          dct += dzo * peep[2 * H + j];
          dPeep[2 * H + j] += dzo * c[k + j];
        }
      }
      dc[k + j] = dct;
    }
    if (dStates) {
      const at = (t * B + b) * dStates.cols + col;
      dStates.data.set(dh.subarray(k, k + H), at);
      dStates.data.set(dc.subarray(k, k + H), at + H);
    }
    lstmCellBackward(L, z, dz, cPrev, dc, k, { i0, f0, g0 }, peep, dPeep, H);
  }
}

/**
 * One batch row of C_t = f C_{t-1} + i C~ backward: dZ_i, dZ_f, dZ_C from
 * dL/dC_t in dc[k..k + H), which is then replaced by dL/dC_{t-1}.
 */
function lstmCellBackward(
  L: GateLayout,
  z: FloatArray,
  dz: FloatArray,
  cPrev: FloatArray,
  dc: FloatArray,
  k: number,
  { i0, f0, g0 }: { i0: number; f0: number; g0: number },
  peep: FloatArray | null,
  dPeep: FloatArray | null,
  H: number,
): void {
  for (let j = 0; j < H; j++) {
    const dct = dc[k + j];
    const cp = cPrev[k + j];
    const g = z[g0 + j];
    const i = i0 >= 0 ? z[i0 + j] : 1;
    dz[g0 + j] = dct * i * (1 - g * g);
    let f = 1;
    let peepCarry = 0;
    if (i0 >= 0) {
      // CIFG: C = (1 - i) C_prev + i C~, so dC/di = C~ - C_prev.
      const dzi = dct * (L.coupled ? g - cp : g) * i * (1 - i);
      dz[i0 + j] = dzi;
      if (peep && dPeep) {
        peepCarry += dzi * peep[j];
        dPeep[j] += dzi * cp;
      }
    }
    if (f0 >= 0) {
      f = z[f0 + j];
      const dzf = (dz[f0 + j] = dct * cp * f * (1 - f));
      if (peep && dPeep) {
        peepCarry += dzf * peep[H + j];
        dPeep[H + j] += dzf * cp;
      }
    } else if (L.coupled) f = 1 - i;
    dc[k + j] = dct * f + peepCarry;
  }
}
