/**
 * Gated recurrent unit (issue 6; Cho et al. 2014, in PyTorch's form):
 * stacked GRU layers with the softmax readout of the RNN lesson, trained
 * by backpropagation through time written by hand. Equations and kernels
 * in gru-cell.ts; the passes over layers and the readout in
 * recurrent-stack.ts; PyTorch's layout in recurrent-pytorch.ts; save and
 * load in recurrent-io.ts.
 *
 * Dimension letters: B sequences, T steps, I inputs, H hidden units per
 * layer, K outputs, L layers, I_l = I for layer 0 and H above.
 *
 * Limits: one direction, no dropout between layers; the loss is the
 * readout's softmax cross-entropy (`backwardFromLogits`,
 * `backwardFromOutputs` for another).
 */

import {
  gruBackward,
  gruForward,
  type GRUCellWeights,
  GRULayerWorkspace,
} from "./gru-cell";
import { type Parameter, parameter } from "./optim";
import type { LayerInput } from "./recurrent-layer";
import { initializeUniform } from "./rnn-input";
import { RecurrentStack, type StackOptions } from "./recurrent-stack";
import { allocate, type FloatArray, Matrix } from "./tensor";

export type { GRUCellWeights };

/** Options of the `GRU` constructor; every field is optional. */
export type GRUOptions = StackOptions;

/** The weights the kernels read (or the gradients they accumulate). */
export interface GRUWeights {
  /** One set per layer, bottom first. */
  cells: GRUCellWeights[];
  /** V `[H, K]`. */
  outputWeights: Matrix;
  /** c `[K]`. */
  outputBias: FloatArray;
}

const NAMES = [
  "inputWeights",
  "recurrentWeights",
  "inputBias",
  "recurrentBias",
] as const;

/**
 * Stacked GRU with a softmax readout. Symbols (PyTorch's, column vectors)
 * and fields (row-vector form), per layer l, column blocks (r, z, n):
 * - W_ir, W_iz, W_in -> `cells[l].inputWeights` `[I_l, 3 H]` = weight_ih^T
 * - W_hr, W_hz, W_hn -> `cells[l].recurrentWeights` `[H, 3 H]` =
 *   weight_hh^T
 * - b_ir, b_iz, b_in -> `cells[l].inputBias` `[3 H]` = bias_ih
 * - b_hr, b_hz, b_hn -> `cells[l].recurrentBias` `[3 H]` = bias_hh
 * - V, c of the readout -> `outputWeights` `[H, K]`, `outputBias` `[K]`
 * - h_t -> the state `[B, H L]`, per layer [h_l]
 *
 * `params` lists them as optimizer `Parameter`s (named
 * `cells.0.inputWeights` ..., `outputWeights`, `outputBias`) whose `grad`
 * buffers the backward passes accumulate into; `gradients` views the same
 * buffers with the shapes above.
 */
export class GRU
  extends RecurrentStack<GRULayerWorkspace>
  implements GRUWeights
{
  readonly cells: GRUCellWeights[];
  readonly params: Parameter[];
  readonly gradients: GRUWeights;
  protected readonly pieces = 1;

  /**
   * @param inputSize I >= 1 (the vocabulary size for token input)
   * @param hiddenSize H >= 1 (per layer)
   * @param outputSize K >= 1 (the vocabulary size)
   */
  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    options: GRUOptions = {},
  ) {
    const known = ["dtype", "random", "initScale", "layers"];
    super(inputSize, hiddenSize, outputSize, options, known, 3);
    const [H, dtype] = [hiddenSize, this.dtype];
    const cell = (l: number, data: FloatArray[]): GRUCellWeights => ({
      inputWeights: new Matrix(this.layerInputSize(l), 3 * H, data[0]),
      recurrentWeights: new Matrix(H, 3 * H, data[1]),
      inputBias: data[2],
      recurrentBias: data[3],
    });
    this.cells = Array.from({ length: this.layers }, (_, l) =>
      cell(l, [
        allocate(dtype, this.layerInputSize(l) * 3 * H),
        allocate(dtype, 3 * H * H),
        allocate(dtype, 3 * H),
        allocate(dtype, 3 * H),
      ]),
    );
    this.params = [
      ...this.cells.flatMap((c, l) =>
        NAMES.map((name) => parameter(`cells.${l}.${name}`, c[name])),
      ),
      ...this.readoutParams,
    ];
    const grads = (l: number) =>
      this.params.slice(4 * l, 4 * l + 4).map((p) => p.grad);
    this.gradients = {
      cells: this.cells.map((_, l) => cell(l, grads(l))),
      outputWeights: this.readoutGrad.weights,
      outputBias: this.readoutGrad.bias,
    };
    initializeUniform(
      this.params,
      options.random,
      options.initScale ?? 1 / Math.sqrt(H),
    );
  }

  protected newLayerWorkspace(
    l: number,
    B: number,
    T: number,
  ): GRULayerWorkspace {
    const sizes = { input: this.layerInputSize(l), hidden: this.hiddenSize };
    return new GRULayerWorkspace(B, T, sizes, this.dtype);
  }

  protected forwardLayer(l: number, ws: GRULayerWorkspace, x: LayerInput) {
    gruForward(this.cells[l], ws, x);
  }

  protected backwardLayer(
    l: number,
    ws: GRULayerWorkspace,
    x: LayerInput,
    dX: Matrix | null,
    dStates: Matrix | null,
  ): void {
    const [p, g] = [this.cells[l], this.gradients.cells[l]];
    gruBackward(p, g, ws, x, dX, dStates, this.hiddenSize * l);
  }
}
