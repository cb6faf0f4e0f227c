/**
 * The `LSTM` and `GRU` to and from PyTorch's layout (issue 6), so that
 * weights and golden values of `torch.nn.LSTM` / `torch.nn.GRU` (one or
 * more layers, one direction) with an optional `nn.Linear` readout load
 * and compare as they are.
 *
 * PyTorch stacks the gates along the rows of weight_ih_l `[G H, I_l]` and
 * weight_hh_l `[G H, H]`, in the order (i, f, g, o) for the LSTM and
 * (r, z, n) for the GRU, and keeps two biases. The library stores the
 * transposes (row-vector form) with the gate blocks in the same order.
 * The LSTM adds its two biases (only the sum is identifiable: each
 * PyTorch bias gets the gradient of the sum); the GRU keeps both, as
 * bias_hh's n block sits inside r ⊙ (...).
 *
 * Dimension letters: I inputs, H hidden units, K outputs, G gates.
 */

import { GRU } from "./gru";
import { LSTM } from "./lstm";
import { addBiases, rowsMatrix, transpose, vectorOf } from "./pytorch-layout";
import { atLeastOne } from "./rnn-input";
import {
  checkDType,
  checkOptionKeys,
  describeValue,
  type DType,
  type FloatArray,
  type Matrix,
} from "./tensor";

/** One layer of `nn.LSTM` / `nn.GRU` (weight_ih_l0 etc.) as nested lists. */
export interface PyTorchRecurrentLayer {
  /** `[G H, I_l]`, gate blocks along the rows. */
  weight_ih: number[][];
  /** `[G H, H]`. */
  weight_hh: number[][];
  /** `[G H]`. */
  bias_ih: number[];
  /** `[G H]`. */
  bias_hh: number[];
}

/** An `nn.Linear` readout: weight `[K, H]`, bias `[K]`. */
export interface PyTorchLinear {
  weight: number[][];
  bias: number[];
}

/** Options of `lstmFromPyTorch` and `gruFromPyTorch`. */
export interface PyTorchImportOptions {
  /** Element type of the model. Default "float64". */
  dtype?: DType;
  /** K when no readout is given (its weights are then 0). Default 1. */
  outputSize?: number;
}

/** A model's weights or gradients in PyTorch's layout. */
export interface PyTorchRecurrentArrays {
  /** One entry per layer, bottom first. */
  layers: PyTorchRecurrentLayer[];
  readout: PyTorchLinear;
}

/**
 * A new vanilla `LSTM` holding PyTorch's weights: one entry of `layers`
 * per layer (gate order i, f, g, o), `readout` the `nn.Linear` on the top
 * layer's h_t if any. Wx = weight_ih^T, Wh = weight_hh^T, b = bias_ih +
 * bias_hh, V = readout weight^T, c = readout bias. Every entry must be a
 * finite number that fits `options.dtype`; errors name the field and the
 * index (`layers[0].bias_hh[3]`).
 */
export function lstmFromPyTorch(
  layers: PyTorchRecurrentLayer[],
  readout?: PyTorchLinear,
  options: PyTorchImportOptions = {},
): LSTM {
  const read = readImport(layers, readout, options, 4);
  const model = new LSTM(read.I, read.H, read.K, {
    dtype: read.dtype,
    layers: read.layers.length,
    initScale: 0,
  });
  read.layers.forEach((layer, l) => {
    const c = model.cells[l];
    c.inputWeights.data.set(transpose(layer.weight_ih).data);
    c.recurrentWeights.data.set(transpose(layer.weight_hh).data);
    addBiases(`layers[${l}]`, layer.bias_ih, layer.bias_hh, c.bias);
  });
  setReadout(model, read.readout);
  return model;
}

/**
 * The weights of a vanilla `LSTM` in PyTorch's layout (bias_ih = b,
 * bias_hh = 0, which `nn.LSTM` computes the same with), or with
 * "gradients" its accumulated gradients (both biases get that of b, as
 * in PyTorch).
 */
export function lstmToPyTorch(
  model: LSTM,
  which: "weights" | "gradients" = "weights",
): PyTorchRecurrentArrays {
  if (!(model instanceof LSTM)) {
    throw new TypeError(`model: expected an LSTM, got ${describeValue(model)}`);
  }
  if (model.variant !== "vanilla") {
    throw new RangeError(
      `model: nn.LSTM has only the vanilla cell, got variant ${model.variant}`,
    );
  }
  const w = checkWhich(which) === "weights" ? model : model.gradients;
  return {
    layers: w.cells.map((c) => ({
      ...weightsOf(c.inputWeights, c.recurrentWeights),
      bias_ih: Array.from(c.bias),
      bias_hh:
        which === "weights"
          ? new Array<number>(c.bias.length).fill(0)
          : Array.from(c.bias),
    })),
    readout: readoutOf(w.outputWeights, w.outputBias),
  };
}

/**
 * A new `GRU` holding PyTorch's weights: one entry of `layers` per layer
 * (gate order r, z, n), `readout` the `nn.Linear` on the top layer's h_t
 * if any. Wx = weight_ih^T, Wh = weight_hh^T, bx = bias_ih, bh = bias_hh.
 * Entries are checked as for `lstmFromPyTorch`.
 */
export function gruFromPyTorch(
  layers: PyTorchRecurrentLayer[],
  readout?: PyTorchLinear,
  options: PyTorchImportOptions = {},
): GRU {
  const read = readImport(layers, readout, options, 3);
  const model = new GRU(read.I, read.H, read.K, {
    dtype: read.dtype,
    layers: read.layers.length,
    initScale: 0,
  });
  read.layers.forEach((layer, l) => {
    const c = model.cells[l];
    c.inputWeights.data.set(transpose(layer.weight_ih).data);
    c.recurrentWeights.data.set(transpose(layer.weight_hh).data);
    c.inputBias.set(layer.bias_ih);
    c.recurrentBias.set(layer.bias_hh);
  });
  setReadout(model, read.readout);
  return model;
}

/** The `GRU`'s weights, or its gradients, in PyTorch's layout. */
export function gruToPyTorch(
  model: GRU,
  which: "weights" | "gradients" = "weights",
): PyTorchRecurrentArrays {
  if (!(model instanceof GRU)) {
    throw new TypeError(`model: expected a GRU, got ${describeValue(model)}`);
  }
  const w = checkWhich(which) === "weights" ? model : model.gradients;
  return {
    layers: w.cells.map((c) => ({
      ...weightsOf(c.inputWeights, c.recurrentWeights),
      bias_ih: Array.from(c.inputBias),
      bias_hh: Array.from(c.recurrentBias),
    })),
    readout: readoutOf(w.outputWeights, w.outputBias),
  };
}

// ---------------------------------------------------------------------------
// Checks and conversions.

interface ReadLayer {
  weight_ih: Matrix;
  weight_hh: Matrix;
  bias_ih: Float64Array;
  bias_hh: Float64Array;
}

/** The checked layers and readout; G gates per layer. */
function readImport(
  layers: unknown,
  readout: PyTorchLinear | undefined,
  options: PyTorchImportOptions,
  G: number,
) {
  checkOptionKeys("options", options, ["dtype", "outputSize"]);
  const dtype = checkDType("options.dtype", options.dtype ?? "float64");
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new TypeError(
      `layers: expected a non-empty array of { weight_ih, weight_hh, ` +
        `bias_ih, bias_hh }, got ${describeValue(layers)}`,
    );
  }
  let H = 0;
  let I = 0;
  const read = layers.map((layer: PyTorchRecurrentLayer, l): ReadLayer => {
    const name = `layers[${l}]`;
    requireObject(name, layer);
    checkOptionKeys(name, layer, [
      ...["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
    ]);
    const Wih = rowsMatrix(`${name}.weight_ih`, layer.weight_ih, dtype);
    const Whh = rowsMatrix(`${name}.weight_hh`, layer.weight_hh, dtype);
    if (l === 0) {
      [H, I] = [Whh.cols, Wih.cols];
      // Empty rows would make a model of 0 units; say which size is 0.
      if (H < 1) {
        throw new RangeError(
          `${name}.weight_hh: expected H >= 1 columns (H = hidden units), ` +
            `got ${H}`,
        );
      }
      if (I < 1) {
        throw new RangeError(
          `${name}.weight_ih: expected I >= 1 columns (I = inputs), got ${I}`,
        );
      }
    }
    const expect = (what: string, M: Matrix, rows: number, cols: number) => {
      if (M.rows !== rows || M.cols !== cols) {
        throw new RangeError(
          `${name}.${what}: expected shape [${rows}, ${cols}] (${G} gates ` +
            `of H = ${H}), got [${M.rows}, ${M.cols}]`,
        );
      }
    };
    expect("weight_hh", Whh, G * H, H);
    expect("weight_ih", Wih, G * H, l === 0 ? I : H);
    return {
      weight_ih: Wih,
      weight_hh: Whh,
      bias_ih: vectorOf(`${name}.bias_ih`, layer.bias_ih, G * H, dtype),
      bias_hh: vectorOf(`${name}.bias_hh`, layer.bias_hh, G * H, dtype),
    };
  });
  let K = atLeastOne("options.outputSize", options.outputSize ?? 1);
  let linear: { weight: Matrix; bias: Float64Array } | null = null;
  if (readout !== undefined) {
    requireObject("readout", readout);
    checkOptionKeys("readout", readout, ["weight", "bias"]);
    const weight = rowsMatrix("readout.weight", readout.weight, dtype);
    if (weight.cols !== H) {
      throw new RangeError(
        `readout.weight: expected ${H} columns (H), got ${weight.cols}`,
      );
    }
    if (
      options.outputSize !== undefined &&
      options.outputSize !== weight.rows
    ) {
      throw new RangeError(
        `options.outputSize: expected ${weight.rows} (the readout's rows) ` +
          `or nothing, got ${K}`,
      );
    }
    K = weight.rows;
    const bias = vectorOf("readout.bias", readout.bias, K, dtype);
    linear = { weight, bias };
  }
  return { I, H, K, layers: read, readout: linear, dtype };
}

function requireObject(name: string, value: unknown): void {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `${name}: expected an object, got ${describeValue(value)}`,
    );
  }
}

function setReadout(
  model: LSTM | GRU,
  readout: { weight: Matrix; bias: Float64Array } | null,
): void {
  if (readout === null) return;
  model.outputWeights.data.set(transpose(readout.weight).data);
  model.outputBias.set(readout.bias);
}

function checkWhich(which: unknown): "weights" | "gradients" {
  if (which !== "weights" && which !== "gradients") {
    throw new RangeError(
      `which: expected "weights" or "gradients", got ${JSON.stringify(which)}`,
    );
  }
  return which;
}

function weightsOf(Wx: Matrix, Wh: Matrix) {
  return {
    weight_ih: transpose(Wx).toArray(),
    weight_hh: transpose(Wh).toArray(),
  };
}

function readoutOf(V: Matrix, c: FloatArray): PyTorchLinear {
  return { weight: transpose(V).toArray(), bias: Array.from(c) };
}
