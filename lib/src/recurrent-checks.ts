/**
 * Checks of the arguments that the trainer, the evaluation and the
 * sampler of the recurrent models share (rnn-train.ts, rnn-sample.ts;
 * issues 5 and 6): the model, the options object, numeric options, and a
 * token stream against the model's sizes and the chunk shape. They run
 * before any work, so that a bad argument is named as the user wrote it
 * (`options.validation`, `ids[1234]`) instead of surfacing later, after
 * an epoch or inside a helper whose own argument names mean nothing to
 * the caller.
 *
 * Dimension letters: N tokens in a stream, B streams, T steps per chunk,
 * I inputs, K outputs.
 */

import type { RecurrentModel } from "./recurrent";
import { describeValue } from "./tensor";

const MODEL_METHODS = ["forward", "loss", "backward", "zeroGrad"];
const MODEL_SIZES = ["inputSize", "outputSize", "stateSize"];

/**
 * Throws a TypeError naming `model` unless it has what the trainer,
 * evaluation and sampler use of a `RecurrentModel` (an RNN, LSTM or GRU).
 */
export function checkModel(model: unknown): RecurrentModel {
  const expected =
    "model: expected a recurrent model (an RNN, LSTM or GRU, with " +
    "forward, loss, backward, zeroGrad, params, inputSize, outputSize, " +
    "stateSize and dtype)";
  if (typeof model !== "object" || model === null) {
    throw new TypeError(`${expected}, got ${describeValue(model)}`);
  }
  const m = model as Record<string, unknown>;
  const lacking =
    MODEL_METHODS.find((key) => typeof m[key] !== "function") ??
    MODEL_SIZES.find(
      (key) => !(Number.isSafeInteger(m[key]) && (m[key] as number) >= 1),
    ) ??
    (Array.isArray(m.params) ? undefined : "params") ??
    (m.dtype === "float32" || m.dtype === "float64" ? undefined : "dtype");
  if (lacking !== undefined) {
    throw new TypeError(
      `${expected}, got ${describeValue(model)} without a valid ${lacking}`,
    );
  }
  return model as RecurrentModel;
}

/**
 * Throws a TypeError unless `options` is an object (`shape` describes its
 * fields for the message); unknown keys are checked by the caller.
 */
export function requireOptions(options: unknown, shape: string): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options: expected an object ${shape}, got ${describeValue(options)}`,
    );
  }
}

/**
 * `value` checked to be a number (TypeError) passing `test` (RangeError,
 * whose message says `range`).
 */
export function numberOption(
  name: string,
  value: unknown,
  test: (x: number) => boolean,
  range: string,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected a number ${range}, got ${describeValue(value)}`,
    );
  }
  if (!test(value)) {
    throw new RangeError(`${name}: expected a number ${range}, got ${value}`);
  }
  return value;
}

/**
 * Throws unless `ids` `[N]` is an Int32Array of token ids that `model`
 * reads and predicts (each token is an input and a target, so each must
 * lie below both I and K), long enough for one chunk of B streams of T
 * steps (N >= B (T + 1)). Errors name `name` and the absolute position.
 */
export function checkTokenStream(
  name: string,
  ids: unknown,
  model: RecurrentModel,
  B: number,
  T: number,
): Int32Array {
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(
      `${name}: expected an Int32Array of token ids, got ${describeValue(ids)}`,
    );
  }
  const { inputSize: I, outputSize: K } = model;
  const limit = Math.min(I, K);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (v < 0 || v >= limit) {
      const sizes =
        I === K
          ? `the model's vocabulary of ${K}`
          : `inputSize ${I} and outputSize ${K}: each token is read and predicted`;
      throw new RangeError(
        `${name}[${i}]: expected a token id in [0, ${limit}) (${sizes}), ` +
          `got ${v}`,
      );
    }
  }
  if (ids.length < B * (T + 1)) {
    throw new RangeError(
      `${name}: expected at least options.batchSize * (options.seqLength ` +
        `+ 1) = ${B} * ${T + 1} = ${B * (T + 1)} tokens for one chunk, ` +
        `got ${ids.length}`,
    );
  }
  return ids;
}
