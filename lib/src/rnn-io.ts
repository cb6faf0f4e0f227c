/**
 * Save and load of a trained `RNN` (issue 5), optionally with its
 * character vocabulary, as JSON:
 *   { "format": "memnets-rnn", "version": 1, "dtype": "float32",
 *     "inputSize": I, "hiddenSize": H, "outputSize": K,
 *     "inputWeights": [I H numbers], "recurrentWeights": [H H],
 *     "bias": [H], "outputWeights": [H K], "outputBias": [K],
 *     "vocabulary": ["a", "b", ...] or null }
 * Matrices are row-major in the `RNN`'s layout (U `[I, H]`, W `[H, H]`,
 * V `[H, K]`). Every number is written exactly, so a round trip restores
 * the same values (bit for bit, except that JSON writes -0 as 0).
 * Loading checks every field and throws naming what is wrong; the
 * arrays' lengths are compared with the header's sizes before the model
 * is allocated, so a damaged header cannot claim gigabytes. Files are
 * written atomically (a flushed temporary file renamed over the target),
 * as rbm-io.ts does.
 */

import {
  checkArrayLength,
  checkHeader,
  checkPath,
  checkVocabulary,
  finiteList,
  MAX_SAVED_SIZE,
  parseJSONObject,
  readModelFile,
  readNumberArray,
  readSize,
  readVocabulary,
  writeFileAtomicSync,
} from "./model-files";

import { RNN, RNN_WEIGHT_NAMES } from "./rnn";
import { checkDType, describeValue } from "./tensor";
import type { Vocabulary } from "./text";

const FORMAT_TAG = "memnets-rnn";
const VERSION = 1;
const WEIGHTS = RNN_WEIGHT_NAMES;
const FIELDS = [
  ...["format", "version", "dtype", "inputSize", "hiddenSize"],
  ...["outputSize", ...WEIGHTS, "vocabulary"],
];

/** A loaded model and the vocabulary saved with it (or null). */
export interface SavedRNN {
  model: RNN;
  vocabulary: Vocabulary | null;
}

/**
 * JSON text of `model` (and `vocabulary`, whose size must equal the
 * model's outputs). JSON cannot hold NaN or Infinity: such a weight throws
 * a RangeError naming it.
 */
export function saveRNN(model: RNN, vocabulary?: Vocabulary): string {
  if (!(model instanceof RNN)) {
    throw new TypeError(`model: expected an RNN, got ${describeValue(model)}`);
  }
  checkVocabulary(vocabulary, model.outputSize);
  const doc: Record<string, unknown> = {
    format: FORMAT_TAG,
    version: VERSION,
    dtype: model.dtype,
    inputSize: model.inputSize,
    hiddenSize: model.hiddenSize,
    outputSize: model.outputSize,
  };
  for (const name of WEIGHTS) {
    const value = model[name];
    doc[name] = finiteList(name, "data" in value ? value.data : value);
  }
  doc.vocabulary = vocabulary ? vocabulary.chars.slice() : null;
  return JSON.stringify(doc);
}

/** The model (and vocabulary) in JSON `text` written by `saveRNN`. */
export function loadRNN(text: string): SavedRNN {
  const doc = parseJSONObject(text);
  checkHeader(doc, FORMAT_TAG, VERSION, FIELDS);
  const dtype = checkDType("dtype", doc.dtype);
  const [I, H, K] = ["inputSize", "hiddenSize", "outputSize"].map((key) =>
    readSize(key, doc[key], MAX_SAVED_SIZE),
  );
  const lengths = [I * H, H * H, H, H * K, K];
  WEIGHTS.forEach((name, k) => checkArrayLength(name, doc[name], lengths[k]));
  const model = new RNN(I, H, K, { dtype, initScale: 0 });
  for (const name of WEIGHTS) {
    const value = model[name];
    readNumberArray(name, doc[name], "data" in value ? value.data : value);
  }
  const vocabulary = readVocabulary(doc.vocabulary, model.outputSize);
  return { model, vocabulary };
}

/** Writes `saveRNN(model, vocabulary)` to `file` atomically. */
export function saveRNNFile(
  file: string,
  model: RNN,
  vocabulary?: Vocabulary,
): void {
  checkPath(file);
  writeFileAtomicSync(file, saveRNN(model, vocabulary));
}

/** Reads a model saved by `saveRNNFile`; errors name the file. */
export function loadRNNFile(file: string): SavedRNN {
  return readModelFile(file, (bytes) =>
    loadRNN(new TextDecoder().decode(bytes)),
  );
}
