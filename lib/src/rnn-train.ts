/**
 * Training and evaluation of a character-level recurrent model (issue 5;
 * any `RecurrentModel` since issue 6: `RNN`, `LSTM`, `GRU`):
 * truncated backpropagation through time over contiguous chunks
 * (text.ts's `ChunkBatches`), with the state carried from one
 * chunk to the next and reset at the start of each epoch, gradient
 * clipping by global norm (Pascanu et al. 2013) and Adam by default;
 * the mean cross-entropy per token and the perplexity exp(loss) of a
 * text.
 *
 * Losses are reported in nats per token (the mean over the B T targets of
 * a chunk): an untrained model on K equally likely characters starts near
 * ln K (4.17 for Tiny Shakespeare's 65).
 *
 * Dimension letters: B streams (batch), T steps per chunk, S the width of
 * the carried state (`model.stateSize`).
 *
 * Limits: one model, synchronous; the chunks of an epoch run in text order
 * (shuffling them would break the carried state).
 */

import { clipByGlobalNorm, optimizerFromOptions, type Stepper } from "./optim";
import type { RecurrentModel } from "./recurrent";
import {
  checkModel,
  checkTokenStream,
  numberOption,
  requireOptions,
} from "./recurrent-checks";
import { atLeastOne } from "./rnn-input";
import { ChunkBatches } from "./text";
import { checkOptionKeys, checkSize, describeValue, Matrix } from "./tensor";
import { trainLoop, type TrainResult } from "./train";

/** What `trainRNN` needs of an optimizer built over `model.params`. */
export type RNNOptimizer = Stepper;

/** Options of `trainRNN`. */
export interface RNNTrainOptions {
  /** Streams per batch, B >= 1. */
  batchSize: number;
  /** Steps per chunk (the truncation length), T >= 1. */
  seqLength: number;
  /** Passes over the text; default 1. */
  epochs?: number;
  /** Stop after this many steps in all (a quick run); default no limit. */
  maxSteps?: number;
  /** Default: Adam over `model.params` with `learningRate`. */
  optimizer?: RNNOptimizer;
  /** Learning rate of the default Adam; default 2e-3. Not with
   * `optimizer` (which has its own rate): giving both throws. */
  learningRate?: number;
  /** Largest global gradient norm (clipping); Infinity for none. Default 5. */
  clipNorm?: number;
  /** Validation tokens, scored after each epoch (`evaluateRNN` with the
   * same batchSize and seqLength); checked before training starts. */
  validation?: Int32Array;
  /**
   * After every step: its 0-based index, the mean training loss of the
   * chunk (nats per token) and the gradient norm before clipping. Return
   * false to stop.
   */
  onStep?: (step: number, loss: number, gradNorm: number) => void | boolean;
  /**
   * After every epoch: its index, the mean of its step losses and the
   * validation loss (NaN without `validation`). Return false to stop.
   */
  onEpoch?: (
    epoch: number,
    trainLoss: number,
    validationLoss: number,
  ) => void | boolean;
}

/** What `trainRNN` did (`TrainResult` plus the validation losses). */
export interface RNNTrainResult extends TrainResult {
  /** Validation loss after each epoch (empty without `validation`). */
  validationLosses: number[];
  /** Gradient norm before clipping of every step. */
  gradNorms: number[];
}

const TRAIN_OPTIONS = [
  ...["batchSize", "seqLength", "epochs", "maxSteps", "optimizer"],
  ...["learningRate", "clipNorm", "validation", "onStep", "onEpoch"],
];

/**
 * Trains `model` on the token stream `ids` `[N]` (ids in [0, I) that are
 * also targets in [0, K)) by truncated BPTT: each step runs one chunk
 * `[B, T]` from the state the previous chunk ended in, back-propagates the
 * mean cross-entropy, clips and updates. A NaN or infinite loss stops
 * training with a `NonFiniteLossError` naming the step, before the
 * weights are updated with it.
 */
export function trainRNN(
  model: RecurrentModel,
  ids: Int32Array,
  options: RNNTrainOptions,
): RNNTrainResult {
  const o = checkTrainOptions(model, ids, options);
  const chunks = new ChunkBatches(ids, o.batchSize, o.seqLength);
  const epochs = checkSize("options.epochs", o.epochs ?? 1);
  const maxSteps = checkSize(
    "options.maxSteps",
    o.maxSteps ?? Number.MAX_SAFE_INTEGER,
  );
  const clipNorm = numberOption(
    "options.clipNorm",
    o.clipNorm ?? 5,
    (x) => x > 0,
    "> 0 (Infinity for none)",
  );
  const optimizer = optimizerFromOptions(
    model.params,
    o.optimizer,
    o.learningRate,
    2e-3,
  );
  for (const name of ["onStep", "onEpoch"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      throw new TypeError(
        `options.${name}: expected a function, got ${describeValue(o[name])}`,
      );
    }
  }

  const { batch: B, steps: T, count } = chunks;
  const state = Matrix.zeros(B, model.stateSize, model.dtype);
  const batch = chunks.get(0);
  const gradNorms: number[] = [];
  const validationLosses: number[] = [];

  // One step: chunk k of the epoch, from the carried state.
  const step = (i: number): number => {
    const k = i % count;
    if (k === 0) state.data.fill(0);
    chunks.get(k, batch);
    const cache = model.forward(
      { tokens: batch.inputs, batch: B, steps: T },
      state,
    );
    model.zeroGrad();
    const { loss } = model.backward(cache, batch.targets, {
      reduction: "mean",
    });
    // A non-finite loss is returned before the update, so the weights stay
    // as they were; trainLoop then throws NonFiniteLossError.
    if (!Number.isFinite(loss)) return loss;
    const norm = Number.isFinite(clipNorm)
      ? clipByGlobalNorm(model.params, clipNorm)
      : globalNorm(model);
    gradNorms.push(norm);
    optimizer.step();
    state.data.set(cache.finalState.data);
    return loss;
  };

  const result = trainLoop({
    steps: Math.min(epochs * count, maxSteps),
    stepsPerEpoch: count,
    step,
    onStep: o.onStep && ((i, loss) => o.onStep?.(i, loss, gradNorms[i])),
    onEpoch: (epoch, trainLoss) => {
      const validationLoss = o.validation
        ? evaluateRNN(model, o.validation, { batchSize: B, seqLength: T }).loss
        : NaN;
      if (o.validation) validationLosses.push(validationLoss);
      return o.onEpoch?.(epoch, trainLoss, validationLoss);
    },
  });
  return { ...result, validationLosses, gradNorms };
}

/**
 * Checks the model, the options object, the chunk shape, `ids` and
 * `options.validation` before any work; returns the options.
 */
function checkTrainOptions(
  model: RecurrentModel,
  ids: Int32Array,
  options: RNNTrainOptions,
): RNNTrainOptions {
  checkModel(model);
  requireOptions(options, "{ batchSize, seqLength, ... }");
  checkOptionKeys("options", options, TRAIN_OPTIONS);
  const B = atLeastOne("options.batchSize", options.batchSize);
  const T = atLeastOne("options.seqLength", options.seqLength);
  checkTokenStream("ids", ids, model, B, T);
  if (options.validation !== undefined) {
    checkTokenStream("options.validation", options.validation, model, B, T);
  }
  return options;
}

function globalNorm(model: RecurrentModel): number {
  let squares = 0;
  for (const { grad } of model.params) {
    for (let i = 0; i < grad.length; i++) squares += grad[i] * grad[i];
  }
  return Math.sqrt(squares);
}

/** Options of `evaluateRNN` and `perplexity`. */
export interface RNNEvaluateOptions {
  /** Streams scored at once, B >= 1; default 1 (the whole text in order). */
  batchSize?: number;
  /** Steps per chunk, T >= 1; default 64. */
  seqLength?: number;
}

/** The score of a text. */
export interface RNNEvaluation {
  /** Mean cross-entropy in nats per token. */
  loss: number;
  /** exp(loss): the effective number of equally likely next tokens. */
  perplexity: number;
  /** Number of targets scored. */
  tokens: number;
}

/**
 * Mean cross-entropy and perplexity of `model` on the token stream `ids`
 * `[N]`, read in contiguous chunks (as in training) with the hidden state
 * carried across chunks from a zero start. The tail that does not fill a
 * chunk is not scored. Changes no weight or gradient.
 */
export function evaluateRNN(
  model: RecurrentModel,
  ids: Int32Array,
  options: RNNEvaluateOptions = {},
): RNNEvaluation {
  checkModel(model);
  requireOptions(options, "{ batchSize?, seqLength? }");
  checkOptionKeys("options", options, ["batchSize", "seqLength"]);
  const B = atLeastOne("options.batchSize", options.batchSize ?? 1);
  const T = atLeastOne("options.seqLength", options.seqLength ?? 64);
  checkTokenStream("ids", ids, model, B, T);
  const chunks = new ChunkBatches(ids, B, T);
  const count = chunks.count;
  const state = Matrix.zeros(B, model.stateSize, model.dtype);
  const batch = chunks.get(0);
  let total = 0;
  for (let k = 0; k < count; k++) {
    chunks.get(k, batch);
    const cache = model.forward(
      { tokens: batch.inputs, batch: B, steps: T },
      state,
    );
    total += model.loss(cache, batch.targets);
    state.data.set(cache.finalState.data);
  }
  const tokens = count * B * T;
  const loss = total / tokens;
  return { loss, perplexity: Math.exp(loss), tokens };
}

/** exp(mean cross-entropy per token) of `model` on `ids` (`evaluateRNN`). */
export function perplexity(
  model: RecurrentModel,
  ids: Int32Array,
  options: RNNEvaluateOptions = {},
): number {
  return evaluateRNN(model, ids, options).perplexity;
}
