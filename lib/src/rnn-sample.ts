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
import { checkModel, numberOption, requireOptions } from "./recurrent-checks";
import { checkTokens } from "./rnn-input";
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
  checkModel(model);
  const { length, temperature, random } = checkSampleOptions(options);
  if (model.inputSize !== model.outputSize) {
    throw new RangeError(
      `model: expected as many inputs as outputs (token in, token out), ` +
        `got ${model.inputSize} and ${model.outputSize}`,
    );
  }
  if (!(prime instanceof Int32Array)) {
    throw new TypeError(
      `prime: expected an Int32Array of token ids, got ${describeValue(prime)}`,
    );
  }
  if (prime.length < 1) {
    throw new RangeError(
      `prime: expected an Int32Array of at least one token id, got an ` +
        `empty one`,
    );
  }
  checkTokens("prime", prime, prime.length, model.inputSize);

  // Read the prime in one pass; its last logits give the first draw.
  const T = prime.length;
  let cache = model.forward({ tokens: prime, batch: 1, steps: T });
  let logits = cache.logits.data.subarray((T - 1) * model.outputSize);
  const state = Matrix.zeros(1, model.stateSize, model.dtype);
  const token = new Int32Array(1);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const j = firstNonFinite(logits);
    if (j >= 0) {
      throw new RangeError(
        `model: produced non-finite logits at step ${i} of the sample ` +
          `(logit ${j} is ${logits[j]}); are its weights finite?`,
      );
    }
    out[i] = draw(logits, temperature, random);
    if (i + 1 === length) break;
    state.data.set(cache.finalState.data);
    token[0] = out[i];
    cache = model.forward({ tokens: token, batch: 1, steps: 1 }, state);
    logits = cache.logits.data;
  }
  return out;
}

/** The checked options of `sampleRNN`, with the default temperature. */
function checkSampleOptions(options: SampleOptions) {
  requireOptions(options, "{ length, random, temperature? }");
  checkOptionKeys("options", options, ["length", "random", "temperature"]);
  const length = checkSize("options.length", options.length);
  const temperature = checkTemperature(
    "options.temperature",
    options.temperature ?? 1,
  );
  const random = checkRandom("options.random", options.random);
  return { length, temperature, random };
}

function checkTemperature(name: string, value: unknown): number {
  return numberOption(name, value, (x) => x >= 0, ">= 0");
}

function checkRandom(name: string, random: unknown): Random {
  if (typeof (random as Random | null)?.uniform !== "function") {
    throw new TypeError(
      `${name}: expected a Random, got ${describeValue(random)}`,
    );
  }
  return random as Random;
}

/** Index of the first NaN or infinite entry of `z`, or -1. */
function firstNonFinite(z: ArrayLike<number>): number {
  for (let j = 0; j < z.length; j++) if (!Number.isFinite(z[j])) return j;
  return -1;
}

/**
 * Index drawn from softmax(z / temperature) over `z` `[K]` (K >= 1
 * finite logits) with one uniform draw; temperature 0 gives the first
 * largest entry.
 */
export function drawToken(
  z: ArrayLike<number>,
  temperature: number,
  random: Random,
): number {
  const K = (z as { length?: unknown } | null)?.length;
  if (typeof z !== "object" || z === null || typeof K !== "number") {
    throw new TypeError(
      `z: expected an array of logits, got ${describeValue(z)}`,
    );
  }
  if (K < 1) {
    throw new RangeError(`z: expected at least one logit, got none`);
  }
  const j = firstNonFinite(z);
  if (j >= 0) {
    throw new RangeError(`z[${j}]: expected a finite logit, got ${z[j]}`);
  }
  checkTemperature("temperature", temperature);
  return draw(z, temperature, checkRandom("random", random));
}

/** `drawToken` on checked arguments. */
function draw(z: ArrayLike<number>, temperature: number, random: Random) {
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
  checkModel(model);
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
  const ids = sampleRNN(model, vocabulary.encode(prime, "prime"), options);
  return vocabulary.decode(ids);
}
