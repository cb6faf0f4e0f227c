/**
 * The `RNN` of rnn.ts to and from PyTorch's layout (issue 5), so that
 * golden values dumped from `torch.nn.RNN` (tanh, one layer) with an
 * `nn.Linear` readout can be loaded and compared as they are.
 *
 * PyTorch uses column vectors, A_t = tanh(W_ih x_t + b_ih + W_hh A_{t-1}
 * + b_hh), and keeps two biases; the `RNN` stores the transposes
 * (row-vector form) and their sum b = b_ih + b_hh. Only b is identifiable:
 * the gradient of each PyTorch bias equals the gradient of b.
 *
 * Dimension letters: I inputs, H hidden units, K outputs.
 */

import { addBiases, rowsMatrix, transpose, vectorOf } from "./pytorch-layout";
import { RNN } from "./rnn";
import type { RNNWeights } from "./rnn-bptt";
import {
  checkDType,
  checkMatrix,
  checkOptionKeys,
  describeValue,
  type DType,
} from "./tensor";

/**
 * PyTorch weights as nested lists: weight_ih `[H, I]`, weight_hh `[H, H]`,
 * bias_ih and bias_hh `[H]` (of `nn.RNN`), readout_weight `[K, H]`,
 * readout_bias `[K]` (of the `nn.Linear` readout).
 */
export interface PyTorchRNNWeights {
  weight_ih: number[][];
  weight_hh: number[][];
  bias_ih: number[];
  bias_hh: number[];
  readout_weight: number[][];
  readout_bias: number[];
}

/**
 * Weights or gradients in PyTorch's layout; `bias` is b (the sum of the two
 * PyTorch biases, or the gradient of each).
 */
export interface PyTorchRNNArrays {
  weight_ih: number[][];
  weight_hh: number[][];
  bias: number[];
  readout_weight: number[][];
  readout_bias: number[];
}

/**
 * A new `RNN` (I = weight_ih's columns, H its rows, K readout_weight's
 * rows) holding PyTorch's weights: U = weight_ih^T, W = weight_hh^T,
 * b = bias_ih + bias_hh, V = readout_weight^T, c = readout_bias. Every
 * entry must be a finite number that fits `dtype`; errors name the field
 * and the index.
 */
export function rnnFromPyTorch(
  weights: PyTorchRNNWeights,
  dtype: DType = "float64",
): RNN {
  if (typeof weights !== "object" || weights === null) {
    throw new TypeError(
      `weights: expected an object of PyTorch weights, got ` +
        describeValue(weights),
    );
  }
  checkOptionKeys("weights", weights, [
    ...["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
    ...["readout_weight", "readout_bias"],
  ]);
  checkDType("dtype", dtype);
  const rows = (key: keyof PyTorchRNNWeights) =>
    rowsMatrix(`weights.${key}`, weights[key], dtype);
  const Wih = rows("weight_ih");
  const Whh = rows("weight_hh");
  const Vt = rows("readout_weight");
  const model = new RNN(Wih.cols, Wih.rows, Vt.rows, { dtype, initScale: 0 });
  const { hiddenSize: H, outputSize: K } = model;
  checkMatrix("weights.weight_hh", Whh, H, H);
  checkMatrix("weights.readout_weight", Vt, K, H);

  model.inputWeights.data.set(transpose(Wih).data);
  model.recurrentWeights.data.set(transpose(Whh).data);
  model.outputWeights.data.set(transpose(Vt).data);
  const vector = (key: keyof PyTorchRNNWeights, length: number) =>
    vectorOf(`weights.${key}`, weights[key], length, dtype);
  const bIh = vector("bias_ih", H);
  const bHh = vector("bias_hh", H);
  addBiases("weights", bIh, bHh, model.bias);
  model.outputBias.set(vector("readout_bias", K));
  return model;
}

/**
 * The model's weights, or with "gradients" its accumulated gradients, in
 * PyTorch's layout (see `PyTorchRNNArrays`), as plain numbers.
 */
export function rnnToPyTorch(
  model: RNN,
  which: "weights" | "gradients" = "weights",
): PyTorchRNNArrays {
  if (!(model instanceof RNN)) {
    throw new TypeError(`model: expected an RNN, got ${describeValue(model)}`);
  }
  if (which !== "weights" && which !== "gradients") {
    throw new RangeError(
      `which: expected "weights" or "gradients", got ${JSON.stringify(which)}`,
    );
  }
  const w: RNNWeights = which === "weights" ? model : model.gradients;
  return {
    weight_ih: transpose(w.inputWeights).toArray(),
    weight_hh: transpose(w.recurrentWeights).toArray(),
    bias: Array.from(w.bias),
    readout_weight: transpose(w.outputWeights).toArray(),
    readout_bias: Array.from(w.outputBias),
  };
}
