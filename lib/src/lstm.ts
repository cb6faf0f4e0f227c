/**
 * Long short-term memory (lecture section 4; issue 6): stacked LSTM
 * layers with the softmax readout of the RNN lesson, trained by
 * backpropagation through time written by hand, including the gradient
 * that enters through the final cell state. The lecture's cell:
 *   f_t = σ(W_f [h_{t-1}, x_t] + b_f),  i_t = σ(W_i [h_{t-1}, x_t] + b_i),
 *   C~_t = tanh(W_C [h_{t-1}, x_t] + b_C),  C_t = f_t C_{t-1} + i_t C~_t,
 *   o_t = σ(W_o [h_{t-1}, x_t] + b_o),  h_t = o_t tanh(C_t),
 * and, by `options.variant`, those of Greff et al., "LSTM: A Search Space
 * Odyssey" (2015): "NIG" (no input gate), "NFG" (no forget gate), "NOG"
 * (no output gate), "NOAF" (no output activation), "PH" (peepholes),
 * "CIFG" (coupled input and forget gate). Kernels in lstm-cell.ts, gate
 * layouts and scratch in lstm-layout.ts, the passes over layers and the
 * readout in recurrent-stack.ts, PyTorch's layout in recurrent-pytorch.ts,
 * save and load in recurrent-io.ts.
 *
 * Dimension letters: B sequences, T steps, I inputs, H hidden units per
 * layer, K outputs, L layers, G gates of the variant, I_l = I for layer 0
 * and H above.
 *
 * Limits: one direction, no dropout between layers, no projection of
 * h_t; the loss is the readout's softmax cross-entropy
 * (`backwardFromLogits`, `backwardFromOutputs` for another).
 */

import { lstmBackward, lstmForward } from "./lstm-cell";
import {
  checkVariant,
  gateLayout,
  type GateLayout,
  type LSTMCellWeights,
  type LSTMGate,
  LSTMLayerWorkspace,
  LSTM_VARIANTS,
  type LSTMVariant,
} from "./lstm-layout";
import { type Parameter, parameter } from "./optim";
import type { LayerInput } from "./recurrent-layer";
import { initializeUniform } from "./rnn-input";
import { RecurrentStack, type StackOptions } from "./recurrent-stack";
import { allocate, describeValue, type FloatArray, Matrix } from "./tensor";

export type { GateLayout, LSTMCellWeights, LSTMGate, LSTMVariant };
export { LSTM_VARIANTS };

/** Options of the `LSTM` constructor; every field is optional. */
export interface LSTMOptions extends StackOptions {
  /**
   * b_f's initial value, so that the cell starts by keeping its memory
   * (f = σ(1) = 0.73 for the usual 1; Gers et al. 2000, Jozefowicz et al.
   * 2015). "CIFG" sets b_i = -forgetBias instead, which starts f = 1 - i
   * at the same value; "NFG" has no forget gate and rejects it. Default 1.
   */
  forgetBias?: number;
  /** The cell (module header). Default "vanilla", the lecture's. */
  variant?: LSTMVariant;
}

/** The weights the kernels read (or the gradients they accumulate). */
export interface LSTMWeights {
  /** One set per layer, bottom first. */
  cells: LSTMCellWeights[];
  /** V `[H, K]`. */
  outputWeights: Matrix;
  /** c `[K]`. */
  outputBias: FloatArray;
}

const OPTIONS = [
  ...["dtype", "random", "initScale", "layers"],
  ...["forgetBias", "variant"],
];

/**
 * Stacked LSTM with a softmax readout. Lecture symbols (column vectors,
 * W_gate acting on [h_{t-1}, x_t]) and fields (row-vector form), per
 * layer l, with G column blocks (i, f, C~, o) minus the gates the variant
 * drops (`gateWeights` gives back the lecture's W_gate and b_gate):
 * - x-columns of W_i, W_f, W_C, W_o -> `cells[l].inputWeights`
 *   `[I_l, G H]` (block g is the transpose of W_g's x-columns) =
 *   weight_ih_l^T in PyTorch, same gate order
 * - h-columns -> `cells[l].recurrentWeights` `[H, G H]` = weight_hh_l^T
 * - b_i, b_f, b_C, b_o -> `cells[l].bias` `[G H]` = bias_ih + bias_hh
 * - peepholes ("PH") -> `cells[l].peepholes` `[3 H]` (i, f, o)
 * - V, c of the readout -> `outputWeights` `[H, K]`, `outputBias` `[K]`
 * - h_t, C_t -> the state `[B, 2 H L]`, per layer [h_l | C_l]
 *
 * `params` lists them as optimizer `Parameter`s (named
 * `cells.0.inputWeights` ..., `outputWeights`, `outputBias`) whose `grad`
 * buffers the backward passes accumulate into; `gradients` views the same
 * buffers with the shapes above.
 *
 * State gradients: `stateGradients` (`[T B, S]`, row t B + b) holds per
 * layer the total dL/dh_t and dL/dC_t. dL/dh_t counts the step's own
 * upstream dOut_t (from the readout or the layer above) and all that flows
 * back from step t + 1; dL/dC_t also counts the path C_t -> h_t at the
 * same step. `dInitialState` and `dFinalState` instead treat h and C as
 * two independent inputs of the next step (dh', dC'). With o = o_t, per
 * unit:
 *   dL/dh_t = dh' + dOut_t,
 *   dL/dC_t = dC' + dL/dh_t o (1 - tanh(C_t)^2)
 * ("NOAF": dL/dh_t o; "NOG": o = 1; "PH" adds dL/dh_t tanh(C_t) o (1 - o)
 * p_o, o's peephole reading C_t).
 */
export class LSTM
  extends RecurrentStack<LSTMLayerWorkspace>
  implements LSTMWeights
{
  readonly variant: LSTMVariant;
  /** Where the variant keeps each gate (see `GateLayout`). */
  readonly gateLayout: GateLayout;
  readonly cells: LSTMCellWeights[];
  readonly params: Parameter[];
  readonly gradients: LSTMWeights;
  protected readonly pieces = 2;

  /**
   * @param inputSize I >= 1 (the vocabulary size for token input)
   * @param hiddenSize H >= 1 (per layer)
   * @param outputSize K >= 1 (the vocabulary size)
   */
  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    options: LSTMOptions = {},
  ) {
    // At most 4 gates (the weight count is checked for the largest).
    super(inputSize, hiddenSize, outputSize, options, OPTIONS, 4);
    this.variant = checkVariant("options.variant", options.variant);
    const layout = (this.gateLayout = gateLayout(this.variant));
    const forgetBias = checkForgetBias(options.forgetBias, this.variant);
    const [H, GH, dtype] = [hiddenSize, layout.count * hiddenSize, this.dtype];
    this.cells = Array.from({ length: this.layers }, (_, l) => ({
      inputWeights: Matrix.zeros(this.layerInputSize(l), GH, dtype),
      recurrentWeights: Matrix.zeros(H, GH, dtype),
      bias: allocate(dtype, GH),
      peepholes: layout.peepholes ? allocate(dtype, 3 * H) : null,
    }));

    // Parameters (peepholes only for "PH"), then gradient views of them.
    this.params = [
      ...this.cells.flatMap((c, l) => cellParams(c, l)),
      ...this.readoutParams,
    ];
    const grad = (name: string) =>
      (this.params.find((p) => p.name === name) as Parameter).grad;
    this.gradients = {
      cells: this.cells.map((c, l) => ({
        inputWeights: new Matrix(
          c.inputWeights.rows,
          GH,
          grad(`cells.${l}.inputWeights`),
        ),
        recurrentWeights: new Matrix(
          H,
          GH,
          grad(`cells.${l}.recurrentWeights`),
        ),
        bias: grad(`cells.${l}.bias`),
        peepholes: c.peepholes && grad(`cells.${l}.peepholes`),
      })),
      outputWeights: this.readoutGrad.weights,
      outputBias: this.readoutGrad.bias,
    };

    initializeUniform(
      this.params,
      options.random,
      options.initScale ?? 1 / Math.sqrt(H),
    );
    this.setForgetBias(forgetBias);
  }

  /**
   * The lecture's W_gate `[H, H + I_l]` (columns: h_{t-1} first, then
   * x_t) and b_gate `[H]` of layer l, as copies; throws if the variant
   * drops that gate.
   */
  gateWeights(
    layer: number,
    gate: LSTMGate,
  ): { weights: Matrix; bias: FloatArray } {
    if (typeof layer !== "number") {
      throw new TypeError(
        `layer: expected an integer in [0, ${this.layers}), got ` +
          describeValue(layer),
      );
    }
    if (typeof gate !== "string") {
      throw new TypeError(
        `gate: expected one of ${GATES.join(", ")}, got ${describeValue(gate)}`,
      );
    }
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layers) {
      throw new RangeError(
        `layer: expected an integer in [0, ${this.layers}), got ${String(layer)}`,
      );
    }
    if (!GATES.includes(gate)) {
      throw new RangeError(
        `gate: expected one of ${GATES.join(", ")}, got ${String(gate)}`,
      );
    }
    const block = this.gateLayout[gate];
    if (block < 0) {
      throw new RangeError(
        `gate: the ${this.variant} variant has no ${gate} gate`,
      );
    }
    const { inputWeights: Wx, recurrentWeights: Wh, bias } = this.cells[layer];
    const [H, I, GH] = [this.hiddenSize, Wx.rows, Wx.cols];
    const W = Matrix.zeros(H, H + I, this.dtype);
    for (let j = 0; j < H; j++) {
      const c = block * H + j;
      for (let k = 0; k < H; k++) W.data[j * (H + I) + k] = Wh.data[k * GH + c];
      for (let k = 0; k < I; k++) {
        W.data[j * (H + I) + H + k] = Wx.data[k * GH + c];
      }
    }
    return { weights: W, bias: bias.slice(block * H, (block + 1) * H) };
  }

  protected newLayerWorkspace(
    l: number,
    B: number,
    T: number,
  ): LSTMLayerWorkspace {
    const sizes = {
      input: this.layerInputSize(l),
      hidden: this.hiddenSize,
      gates: this.gateLayout.count,
    };
    return new LSTMLayerWorkspace(B, T, sizes, this.dtype);
  }

  protected forwardLayer(
    l: number,
    ws: LSTMLayerWorkspace,
    x: LayerInput,
  ): void {
    lstmForward(this.cells[l], this.gateLayout, ws, x);
  }

  protected backwardLayer(
    l: number,
    ws: LSTMLayerWorkspace,
    x: LayerInput,
    dX: Matrix | null,
    dStates: Matrix | null,
  ): void {
    const [p, g] = [this.cells[l], this.gradients.cells[l]];
    const col = 2 * this.hiddenSize * l;
    lstmBackward(p, g, this.gateLayout, ws, x, dX, dStates, col);
  }

  /** b_f = forgetBias in every layer ("CIFG": b_i = -forgetBias). */
  private setForgetBias(value: number | null): void {
    if (value === null) return;
    const { forget, input, coupled } = this.gateLayout;
    const [block, v] = coupled ? [input, -value] : [forget, value];
    const H = this.hiddenSize;
    for (const c of this.cells) c.bias.fill(v, block * H, (block + 1) * H);
  }
}

/** Layer l's parameters, named after their fields. */
function cellParams(c: LSTMCellWeights, l: number): Parameter[] {
  const p = (name: string, value: Matrix | FloatArray) =>
    parameter(`cells.${l}.${name}`, value);
  const list = [
    p("inputWeights", c.inputWeights),
    p("recurrentWeights", c.recurrentWeights),
    p("bias", c.bias),
  ];
  if (c.peepholes) list.push(p("peepholes", c.peepholes));
  return list;
}

const GATES: readonly LSTMGate[] = ["input", "forget", "candidate", "output"];

/** The forget bias to set, or null for "NFG" (which has no b_f). */
function checkForgetBias(value: unknown, variant: LSTMVariant): number | null {
  if (variant === "NFG") {
    if (value === undefined) return null;
    throw new RangeError(
      `options.forgetBias: the NFG variant has no forget gate, got ${String(value)}`,
    );
  }
  const v = value === undefined ? 1 : value;
  if (typeof v !== "number") {
    throw new TypeError(
      `options.forgetBias: expected a number, got ${describeValue(v)}`,
    );
  }
  if (!Number.isFinite(v)) {
    throw new RangeError(
      `options.forgetBias: expected a finite number, got ${v}`,
    );
  }
  return v;
}
