/**
 * Sampling text from a trained character model (issue 5; any
 * `RecurrentModel` since issue 6): the priming text is read to set the
 * carried state, then each next token is drawn from softmax(logits /
 * temperature) and fed back as the next input.
 * Temperature below 1 sharpens the distribution (safer, more repetitive
 * text), above 1 flattens it; 0 takes the most likely token (greedy).
 *
 * Deterministic: one `random.uniform()` per drawn token, so a seed fixes
 * the sample. Dimension letters: S state width, K outputs.
 *
 * Limits: one sequence at a time; the model's inputs must be tokens of
 * the same vocabulary as its outputs (I = K).
 */

import type { Random } from "./random";
import type { RecurrentModel } from "./recurrent";
import { checkOptionKeys, checkSize, describeValue, Matrix } from "./tensor";
import type { Vocabulary } from "./text";

/** Options of `sampleRNN` and `sampleText`. */
export interface SampleOptions {
  /** Tokens to generate, >= 0. */
  length: number;
  /** Seeded source of the draws (required). */
  random: Random;
  /** Temperature >= 0; default 1 (the model's own distribution). */
  temperature?: number;
}

/**
 * `options.length` token ids drawn from `model` after reading `prime`
 * (ids, at least one, from a zero initial state). Returns the generated
 * ids only `[length]`, not the prime.
 */
export function sampleRNN(
  model: RecurrentModel,
  prime: Int32Array,
  options: SampleOptions,
): Int32Array {
  checkOptionKeys("options", options, ["length", "random", "temperature"]);
  const length = checkSize("options.length", options.length);
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== "number" || !(temperature >= 0)) {
    throw new RangeError(
      `options.temperature: expected a number >= 0, got ${String(temperature)}`,
    );
  }
  const random = options.random;
  if (typeof random?.uniform !== "function") {
    throw new TypeError(
      `options.random: expected a Random, got ${describeValue(random)}`,
    );
  }
  if (model.inputSize !== model.outputSize) {
    throw new RangeError(
      `model: expected as many inputs as outputs (token in, token out), ` +
        `got ${model.inputSize} and ${model.outputSize}`,
    );
  }
  if (!(prime instanceof Int32Array) || prime.length < 1) {
    throw new RangeError(
      `prime: expected an Int32Array of at least one token id, got ` +
        describeValue(prime),
    );
  }

  // Read the prime in one pass; its last logits give the first draw.
  const T = prime.length;
  let cache = model.forward({ tokens: prime, batch: 1, steps: T });
  let logits = cache.logits.data.subarray((T - 1) * model.outputSize);
  const state = Matrix.zeros(1, model.stateSize, model.dtype);
  const token = new Int32Array(1);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = drawToken(logits, temperature, random);
    if (i + 1 === length) break;
    state.data.set(cache.finalState.data);
    token[0] = out[i];
    cache = model.forward({ tokens: token, batch: 1, steps: 1 }, state);
    logits = cache.logits.data;
  }
  return out;
}

/**
 * Index drawn from softmax(z / temperature) over `z` `[K]` with one
 * uniform draw; temperature 0 gives the first largest entry.
 */
export function drawToken(
  z: ArrayLike<number>,
  temperature: number,
  random: Random,
): number {
  let best = 0;
  for (let j = 1; j < z.length; j++) if (z[j] > z[best]) best = j;
  if (temperature === 0) return best;
  // Subtract the maximum so exp never overflows, even for small T.
  const m = z[best];
  let total = 0;
  for (let j = 0; j < z.length; j++)
    total += Math.exp((z[j] - m) / temperature);
  let u = random.uniform() * total;
  for (let j = 0; j < z.length; j++) {
    u -= Math.exp((z[j] - m) / temperature);
    if (u < 0) return j;
  }
  // Rounding may leave u a hair above 0: the last likely token.
  return best;
}

/**
 * `sampleRNN` on text: encodes `prime` with `vocabulary`, draws
 * `options.length` characters and returns them decoded (without the
 * prime).
 */
export function sampleText(
  model: RecurrentModel,
  vocabulary: Vocabulary,
  prime: string,
  options: SampleOptions,
): string {
  if (typeof vocabulary?.encode !== "function") {
    throw new TypeError(
      `vocabulary: expected a Vocabulary, got ${describeValue(vocabulary)}`,
    );
  }
  if (vocabulary.size !== model.outputSize) {
    throw new RangeError(
      `vocabulary: expected ${model.outputSize} characters (the model's ` +
        `outputs), got ${vocabulary.size}`,
    );
  }
  const ids = sampleRNN(model, vocabulary.encode(prime), options);
  return vocabulary.decode(ids);
}
