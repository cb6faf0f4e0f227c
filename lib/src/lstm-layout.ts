/**
 * The data of one LSTM layer (lstm.ts, issue 6): the variants of Greff et
 * al. (2015) and where each keeps its gates, the layer's weights, and its
 * scratch for one shape (B, T). The kernels that use them are in
 * lstm-cell.ts.
 *
 * Dimension letters: B sequences, T steps, I_l the layer's inputs, H
 * hidden units, G gates of the variant (3 or 4).
 */

import type { LayerWorkspace } from "./recurrent-layer";
import { blocks, rowsOf } from "./rnn-bptt";
import { describeValue, type DType, type FloatArray, Matrix } from "./tensor";

/** The variants of Greff et al. (2015) that the `LSTM` offers. */
export type LSTMVariant =
  "vanilla" | "NIG" | "NFG" | "NOG" | "NOAF" | "PH" | "CIFG";

/** Every `LSTMVariant`, the lecture's cell first. */
export const LSTM_VARIANTS: readonly LSTMVariant[] = [
  "vanilla",
  "NIG",
  "NFG",
  "NOG",
  "NOAF",
  "PH",
  "CIFG",
];

/**
 * `value` checked to be an `LSTMVariant` ("vanilla" when undefined; null
 * is a TypeError); errors name `name` (the constructor's option or a
 * file's field).
 */
export function checkVariant(name: string, value: unknown): LSTMVariant {
  const variant = value === undefined ? "vanilla" : value;
  if (typeof variant !== "string") {
    throw new TypeError(
      `${name}: expected a string, got ${describeValue(variant)}`,
    );
  }
  if (!LSTM_VARIANTS.includes(variant as LSTMVariant)) {
    throw new RangeError(
      `${name}: expected one of ${LSTM_VARIANTS.join(", ")}, ` +
        `got ${JSON.stringify(variant)}`,
    );
  }
  return variant as LSTMVariant;
}

/** The gates of the lecture's cell, in the order of the weight columns. */
export type LSTMGate = "input" | "forget" | "candidate" | "output";

/** Where a variant keeps each gate, and what else it changes. */
export interface GateLayout {
  /** Column block (times H) of each gate in Z, or -1 if dropped. */
  input: number;
  forget: number;
  candidate: number;
  output: number;
  /** G: number of gates with weights. */
  count: number;
  /** "PH": p_i, p_f on C_{t-1} and p_o on C_t. */
  peepholes: boolean;
  /** "CIFG": f = 1 - i. */
  coupled: boolean;
  /** false for "NOAF" (h = o ⊙ C). */
  outputActivation: boolean;
}

/** The gate layout of `variant`. */
export function gateLayout(variant: LSTMVariant): GateLayout {
  const has = {
    input: variant !== "NIG",
    forget: variant !== "NFG" && variant !== "CIFG",
    candidate: true,
    output: variant !== "NOG",
  };
  let count = 0;
  const at = (gate: LSTMGate) => (has[gate] ? count++ : -1);
  const [input, forget, candidate, output] = [
    at("input"),
    at("forget"),
    at("candidate"),
    at("output"),
  ];
  return {
    input,
    forget,
    candidate,
    output,
    count,
    peepholes: variant === "PH",
    coupled: variant === "CIFG",
    outputActivation: variant !== "NOAF",
  };
}

/** One layer's weights (or the gradients accumulated into them). */
export interface LSTMCellWeights {
  /** Wx `[I_l, G H]`: x_t's weights, column blocks as in `GateLayout`. */
  inputWeights: Matrix;
  /** Wh `[H, G H]`: h_{t-1}'s weights. */
  recurrentWeights: Matrix;
  /** b `[G H]`. */
  bias: FloatArray;
  /** (p_i, p_f, p_o) `[3 H]` for "PH", else null. */
  peepholes: FloatArray | null;
}

/** Preallocated buffers of one layer for one shape (B, T). */
export class LSTMLayerWorkspace implements LayerWorkspace {
  /** Z_t `[T B, G H]`, overwritten by the gate values (σ or tanh). */
  readonly gates: Matrix;
  readonly gateAt: Matrix[];
  /** h_{t-1} for t = 0..T `[(T + 1) B, H]`; block 0 is h_{-1}. */
  readonly hidden: Matrix;
  readonly hiddenAt: Matrix[];
  readonly outputs: Matrix;
  /** h_{-1}..h_{T-2} `[T B, H]`: Wh's gradient input. */
  readonly previous: Matrix;
  /** C_{t-1} for t = 0..T `[(T + 1) B, H]`; block 0 is C_{-1}. */
  readonly cells: Matrix;
  readonly cellAt: Matrix[];
  /** tanh(C_t) (C_t itself for "NOAF") `[T B, H]`. */
  readonly activated: Matrix;
  readonly activatedAt: Matrix[];
  /** dL/dZ_t `[T B, G H]`. */
  readonly dGates: Matrix;
  readonly dGateAt: Matrix[];
  readonly dOutputs: Matrix;
  /** dL/dh_{t-1} and dL/dC_{t-1} carried backward, `[B, H]` each. */
  readonly dh: Matrix;
  readonly dc: Matrix;
  /** Wh^T `[G H, H]` and Wx^T `[G H, I_l]`, refreshed by backward. */
  readonly recurrentT: Matrix;
  readonly inputT: Matrix;
  readonly initialState: Matrix[];
  readonly finalState: Matrix[];
  readonly carry: Matrix[];

  constructor(
    readonly batch: number,
    readonly steps: number,
    sizes: { input: number; hidden: number; gates: number },
    dtype: DType,
  ) {
    const [B, T, H] = [batch, steps, sizes.hidden];
    const GH = sizes.gates * H;
    this.gates = Matrix.zeros(T * B, GH, dtype);
    this.gateAt = blocks(this.gates, B, T);
    this.hidden = Matrix.zeros((T + 1) * B, H, dtype);
    this.hiddenAt = blocks(this.hidden, B, T + 1);
    this.outputs = rowsOf(this.hidden, B, T * B);
    this.previous = rowsOf(this.hidden, 0, T * B);
    this.cells = Matrix.zeros((T + 1) * B, H, dtype);
    this.cellAt = blocks(this.cells, B, T + 1);
    this.activated = Matrix.zeros(T * B, H, dtype);
    this.activatedAt = blocks(this.activated, B, T);
    this.dGates = Matrix.zeros(T * B, GH, dtype);
    this.dGateAt = blocks(this.dGates, B, T);
    this.dOutputs = Matrix.zeros(T * B, H, dtype);
    this.dh = Matrix.zeros(B, H, dtype);
    this.dc = Matrix.zeros(B, H, dtype);
    this.recurrentT = Matrix.zeros(GH, H, dtype);
    this.inputT = Matrix.zeros(GH, sizes.input, dtype);
    this.initialState = [this.hiddenAt[0], this.cellAt[0]];
    this.finalState = [this.hiddenAt[T], this.cellAt[T]];
    this.carry = [this.dh, this.dc];
  }
}
