/**
 * Elman recurrent network with a softmax readout (lecture section 3 and
 * erratum 7; issue 5), trained by backpropagation through time written by
 * hand:
 *   A_t = tanh(U x_t + W A_{t-1} + b),  h_t = softmax(V A_t + c),
 * with the summed cross-entropy over batch and time (natural log) as loss.
 * The slide's A_t = f(U A_t + W A_{t-1}) is erratum 7: the input term is
 * U x_t. Kernels are in rnn-bptt.ts, training and perplexity in
 * rnn-train.ts, sampling in rnn-sample.ts, save and load in rnn-io.ts,
 * PyTorch's layout in rnn-pytorch.ts.
 *
 * Dimension letters: B sequences, T steps, I inputs (the vocabulary for
 * one-hot input), H hidden units, K outputs (the vocabulary).
 *
 * Storage: batches are row-major with one example per row, so the code
 * uses the row-vector form A_t = tanh(x_t U + A_{t-1} W + b) and stores
 * the transposes of the lecture's column-vector matrices (table in the
 * `RNN` doc). Inputs and targets are batch-major `[B, T]`; the cache's
 * sequence arrays are time-major (row t B + b), which makes each step a
 * contiguous `[B, H]` block for gemm.
 *
 * Limits: one layer, tanh only; the loss is always the softmax
 * cross-entropy of the readout (use `backwardFromLogits` for another);
 * caches and scratch are reused per shape, so one model runs one pass at
 * a time, and only the scratch of the last few shapes is kept
 * (workspace-cache.ts).
 */

import { type Parameter, parameter } from "./optim";
import type { Random } from "./random";
import type { RecurrentModel } from "./recurrent";
import {
  backwardSequence,
  crossEntropySequence,
  forwardSequence,
  RNNWorkspace,
  type RNNWeights,
} from "./rnn-bptt";
import {
  checkFinite,
  checkInput,
  checkState,
  checkTokens,
  checkWeightCount,
  initializeUniform,
  kernelInput,
  logitsOptions,
  modelSize,
  reductionScale,
  reorderRows,
  type RNNBackwardOptions,
  type RNNBackwardResult,
  type RNNCache,
  type SequenceInput,
} from "./rnn-input";
import {
  allocate,
  checkDType,
  checkMatrix,
  checkOptionKeys,
  describeValue,
  type DType,
  type FloatArray,
  Matrix,
} from "./tensor";
import { WorkspaceCache } from "./workspace-cache";

export type { RNNWeights };

/** Options of the `RNN` constructor; every field is optional. */
export interface RNNOptions {
  /** Element type of every weight. Default "float64". */
  dtype?: DType;
  /** Seeded source of the initial weights; required unless initScale 0. */
  random?: Random;
  /** Weights and biases ~ U(-s, s); default s = 1 / sqrt(H) (PyTorch's). */
  initScale?: number;
}

/** The weight arrays in `params` order (also the saved file's fields). */
export const RNN_WEIGHT_NAMES = [
  "inputWeights",
  "recurrentWeights",
  "bias",
  "outputWeights",
  "outputBias",
] as const;

/**
 * Elman network with a softmax readout. Lecture symbols (column vectors)
 * and fields (row-vector form, each the transpose), with PyTorch's names:
 * - U (H x I) -> `inputWeights` `[I, H]` = weight_ih^T
 * - W (H x H) -> `recurrentWeights` `[H, H]` = weight_hh^T
 * - b -> `bias` `[H]` = bias_ih + bias_hh
 * - V (K x H) -> `outputWeights` `[H, K]` = readout weight^T
 * - c -> `outputBias` `[K]` = readout bias
 * - A_t -> rows of `cache.states`; h_t -> softmax of `cache.logits`
 *
 * `params` lists the five as optimizer `Parameter`s (same names) whose
 * `grad` buffers `backward` accumulates into (zero them yourself);
 * `gradients` views the same buffers with the shapes above.
 *
 * Scratch: the model keeps the scratch (and so the caches) of the
 * `WORKSPACE_SHAPES` (4) most recently used input shapes (B, T). A forward
 * pass of a fifth shape releases the oldest, and `backward` refuses a
 * cache whose scratch was released; the next forward pass of the same
 * shape overwrites the cache.
 */
export class RNN implements RNNWeights, RecurrentModel {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly inputWeights: Matrix;
  readonly recurrentWeights: Matrix;
  readonly bias: FloatArray;
  readonly outputWeights: Matrix;
  readonly outputBias: FloatArray;
  readonly params: Parameter[];
  readonly gradients: RNNWeights;
  private readonly workspaces = new WorkspaceCache<RNNWorkspace>();

  /**
   * @param inputSize I >= 1 (the vocabulary size for token input)
   * @param hiddenSize H >= 1
   * @param outputSize K >= 1 (the vocabulary size)
   */
  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    options: RNNOptions = {},
  ) {
    checkOptionKeys("options", options, ["dtype", "random", "initScale"]);
    const I = (this.inputSize = modelSize("inputSize", inputSize));
    const H = (this.hiddenSize = modelSize("hiddenSize", hiddenSize));
    const K = (this.outputSize = modelSize("outputSize", outputSize));
    checkWeightCount(
      "inputSize, hiddenSize, outputSize",
      (I + H + 1) * H + (H + 1) * K,
      "RNN",
    );
    const dtype = checkDType("options.dtype", options.dtype ?? "float64");
    this.inputWeights = Matrix.zeros(I, H, dtype);
    this.recurrentWeights = Matrix.zeros(H, H, dtype);
    this.bias = allocate(dtype, H);
    this.outputWeights = Matrix.zeros(H, K, dtype);
    this.outputBias = allocate(dtype, K);
    this.params = RNN_WEIGHT_NAMES.map((name) => parameter(name, this[name]));
    const grad = (k: number) => this.params[k].grad;
    this.gradients = {
      inputWeights: new Matrix(I, H, grad(0)),
      recurrentWeights: new Matrix(H, H, grad(1)),
      bias: grad(2),
      outputWeights: new Matrix(H, K, grad(3)),
      outputBias: grad(4),
    };
    // U, W, b, V, c in this order, as `params` lists them.
    initializeUniform(
      this.params,
      options.random,
      options.initScale ?? 1 / Math.sqrt(H),
    );
  }

  /** Element type of the weights. */
  get dtype(): DType {
    return this.recurrentWeights.dtype;
  }

  /** Width of the carried state A: H (the `RecurrentModel` interface). */
  get stateSize(): number {
    return this.hiddenSize;
  }

  // -------------------------------------------------------------------------
  // Forward and backward, side by side.

  /**
   * Runs the network over `input` (B sequences of T steps) from
   * `initialState` A_{-1} `[B, H]` (default zeros; copied in). Returns the
   * cache: every A_t and the logits, time-major (see `RNNCache`).
   */
  forward(input: SequenceInput, initialState?: Matrix): RNNCache {
    const { batch: B, steps: T } = checkInput(
      input,
      this.inputSize,
      this.dtype,
    );
    if (initialState !== undefined) {
      checkState("initialState", initialState, B, this.hiddenSize, this.dtype);
    }
    const ws = this.workspace(B, T, "x" in input);
    const A0 = ws.stateAt[0].data;
    if (initialState === undefined) A0.fill(0);
    else A0.set(initialState.data);
    forwardSequence(this, ws, kernelInput(input));
    return {
      batch: B,
      steps: T,
      states: ws.states,
      outputs: ws.outputs,
      logits: ws.logits,
      finalState: ws.stateAt[T],
      input,
      workspace: ws,
    };
  }

  /**
   * Summed cross-entropy of the cache's logits against `targets` `[B, T]`
   * (class ids in [0, K), row-major), natural log; no gradient.
   */
  loss(cache: RNNCache, targets: ArrayLike<number>): number {
    this.checkCache(cache);
    this.checkTargets(targets, cache.batch, cache.steps);
    return crossEntropySequence(
      cache.logits,
      targets,
      cache.batch,
      cache.steps,
      null,
    );
  }

  /**
   * Backpropagation through time of the summed (or mean) cross-entropy
   * against `targets` `[B, T]` (row-major ids in [0, K)). Accumulates (+=)
   * into every `params[k].grad`; returns the loss, dL/dA_{-1} and, for
   * dense input, dL/dx.
   */
  backward(
    cache: RNNCache,
    targets: ArrayLike<number>,
    options: RNNBackwardOptions = {},
  ): RNNBackwardResult {
    this.checkCache(cache);
    const { batch: B, steps: T, workspace: ws } = cache;
    this.checkTargets(targets, B, T);
    const scale = reductionScale(options, B * T);
    const sum = crossEntropySequence(
      ws.logits,
      targets,
      B,
      T,
      ws.dLogits,
      scale,
    );
    return { ...this.backpropagate(cache, options), loss: sum * scale };
  }

  /**
   * Backpropagation through time from a given dL/dlogits `[T B, K]`
   * (time-major, like `cache.logits`), for a loss other than the built-in
   * one (e.g. the loss of the last step only); all entries finite.
   * dLogits is used as given: `options.reduction` throws.
   */
  backwardFromLogits(
    cache: RNNCache,
    dLogits: Matrix,
    options: RNNBackwardOptions = {},
  ): RNNBackwardResult {
    this.checkCache(cache);
    const { batch: B, steps: T, workspace: ws } = cache;
    checkMatrix("dLogits", dLogits, T * B, this.outputSize, this.dtype);
    checkFinite("dLogits", dLogits);
    logitsOptions(options);
    ws.dLogits.data.set(dLogits.data);
    return { ...this.backpropagate(cache, options), loss: NaN };
  }

  /** The shared part of the two backward passes. */
  private backpropagate(cache: RNNCache, options: RNNBackwardOptions) {
    const { batch: B, steps: T, workspace: ws, input } = cache;
    const wantStates = options.stateGradients ?? false;
    if (typeof wantStates !== "boolean") {
      throw new TypeError(
        `options.stateGradients: expected a boolean, got ${describeValue(wantStates)}`,
      );
    }
    const H = this.hiddenSize;
    const dStates = wantStates ? Matrix.zeros(T * B, H, this.dtype) : null;
    const dense = "x" in input;
    const dInputTM = dense
      ? Matrix.zeros(T * B, this.inputSize, this.dtype)
      : null;
    const kernel = kernelInput(input);
    backwardSequence(this, this.gradients, ws, kernel, dStates, dInputTM);
    const dInput = dInputTM
      ? reorderRows(dInputTM, dInputTM.clone(), B, T, true)
      : null;
    return {
      dInitialState: ws.dCarry.clone(),
      dInput,
      stateGradients: dStates,
    };
  }

  /** Sets every gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  // -------------------------------------------------------------------------
  // Checks and scratch.

  /** Scratch for (B, T), made on first use; the last few shapes kept. */
  private workspace(B: number, T: number, dense: boolean): RNNWorkspace {
    const sizes = {
      input: this.inputSize,
      hidden: this.hiddenSize,
      output: this.outputSize,
    };
    const ws = this.workspaces.get(
      B,
      T,
      () => new RNNWorkspace(B, T, sizes, this.dtype),
    );
    if (dense && !ws.denseInput) {
      ws.denseInput = Matrix.zeros(T * B, this.inputSize, this.dtype);
    }
    return ws;
  }

  private checkCache(cache: RNNCache): void {
    const ws = (cache as RNNCache | null)?.workspace;
    this.workspaces.check(cache, ws instanceof RNNWorkspace ? ws : null);
  }

  private checkTargets(targets: ArrayLike<number>, B: number, T: number) {
    checkTokens("targets", targets, B * T, this.outputSize);
  }
}
