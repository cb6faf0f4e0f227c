/**
 * Save and load of a trained encoder G_W (issue 7) as JSON:
 *
 *   { "format": "memnets-encoder", "version": 1, "dtype": "float32",
 *     "activation": "relu", "sizes": [n_0, .., n_L],
 *     "weights": [[W_1 row-major], ..], "biases": [[b_1], ..] }
 *
 * Numbers are written as JavaScript prints them, which reads back to the
 * same float64 (and, for a float32 model, to the same float32). Loading
 * checks the header and every array's length before it allocates the
 * model, and every number after; errors name the field. Files are written
 * atomically (model-files.ts).
 */

import { Encoder, type EncoderActivation } from "./encoder";
import {
  checkArrayLength,
  checkHeader,
  checkPath,
  finiteList,
  MAX_SAVED_SIZE,
  parseJSONObject,
  readModelFile,
  readNumberArray,
  readSize,
  writeFileAtomicSync,
} from "./model-files";
import { describeValue, type DType } from "./tensor";

const FORMAT_TAG = "memnets-encoder";
const VERSION = 1;
const FIELDS = [
  ...["format", "version", "dtype", "activation", "sizes"],
  ...["weights", "biases"],
] as const;
// Largest number of weights a file may claim (a damaged header must fail
// on its numbers, not by allocating gigabytes).
const MAX_WEIGHTS = 2 ** 27;

/** `encoder` as JSON text (throws naming a NaN or infinite weight). */
export function saveEncoder(encoder: Encoder): string {
  if (!(encoder instanceof Encoder)) {
    throw new TypeError(
      `encoder: expected an Encoder, got ${describeValue(encoder)}`,
    );
  }
  return JSON.stringify({
    format: FORMAT_TAG,
    version: VERSION,
    dtype: encoder.dtype,
    activation: encoder.activation,
    sizes: encoder.sizes,
    weights: encoder.weights.map((W, l) => finiteList(`W${l + 1}`, W.data)),
    biases: encoder.biases.map((b, l) => finiteList(`b${l + 1}`, b)),
  });
}

/** The encoder in JSON `text` written by `saveEncoder`. */
export function loadEncoder(text: string): Encoder {
  const doc = parseJSONObject(text);
  checkHeader(doc, FORMAT_TAG, VERSION, FIELDS);
  const dtype = doc.dtype as DType;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(
      `dtype: expected "float32" or "float64", got ${JSON.stringify(dtype)}`,
    );
  }
  const activation = doc.activation as EncoderActivation;
  if (activation !== "relu" && activation !== "tanh") {
    throw new RangeError(
      `activation: expected "relu" or "tanh", got ${JSON.stringify(activation)}`,
    );
  }
  const sizes = readSizes(doc.sizes);
  const layers = sizes.length - 1;
  const weights = checkArrayLength("weights", doc.weights, layers);
  const biases = checkArrayLength("biases", doc.biases, layers);
  // Every array's length before the model is allocated.
  for (let l = 0; l < layers; l++) {
    checkArrayLength(`weights[${l}]`, weights[l], sizes[l] * sizes[l + 1]);
    checkArrayLength(`biases[${l}]`, biases[l], sizes[l + 1]);
  }
  const encoder = new Encoder({ sizes, activation, dtype, init: "zeros" });
  for (let l = 0; l < layers; l++) {
    readNumberArray(`weights[${l}]`, weights[l], encoder.weights[l].data);
    readNumberArray(`biases[${l}]`, biases[l], encoder.biases[l]);
  }
  return encoder;
}

/** Writes `saveEncoder(encoder)` to `file` atomically. */
export function saveEncoderFile(file: string, encoder: Encoder): void {
  checkPath(file);
  writeFileAtomicSync(file, saveEncoder(encoder));
}

/** The encoder saved in `file`; errors name the file. */
export function loadEncoderFile(file: string): Encoder {
  return readModelFile(file, (bytes) =>
    loadEncoder(new TextDecoder().decode(bytes)),
  );
}

function readSizes(value: unknown): number[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new RangeError(
      `sizes: expected at least two layer widths, got ${JSON.stringify(value)}`,
    );
  }
  const sizes = value.map((n, i) => readSize(`sizes[${i}]`, n, MAX_SAVED_SIZE));
  let total = 0;
  for (let l = 1; l < sizes.length; l++) total += sizes[l - 1] * sizes[l];
  if (total > MAX_WEIGHTS) {
    throw new RangeError(
      `sizes: ${total} weights in all, more than a file may hold (${MAX_WEIGHTS})`,
    );
  }
  return sizes;
}
