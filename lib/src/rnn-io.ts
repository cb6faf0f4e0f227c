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
 * the same bits. Loading checks every field and throws naming what is
 * wrong. Files are written atomically (a flushed temporary file renamed
 * over the target), as rbm-io.ts does.
 */

import {
  checkPath,
  readModelFile,
  readNumberArray,
  writeFileAtomicSync,
} from "./model-files";

import { RNN } from "./rnn";
import { checkDType, describeValue, type FloatArray } from "./tensor";
import { Vocabulary } from "./text";

const FORMAT_TAG = "memnets-rnn";
const VERSION = 1;
const WEIGHTS = [
  "inputWeights",
  "recurrentWeights",
  "bias",
  "outputWeights",
  "outputBias",
] as const;
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
  if (vocabulary !== undefined) {
    if (!(vocabulary instanceof Vocabulary)) {
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
  }
  const list = (name: string, x: FloatArray) => {
    const i = x.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new RangeError(
        `model.${name}[${i}]: JSON cannot hold ${x[i]} (the model diverged)`,
      );
    }
    return Array.from(x);
  };
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
    doc[name] = list(name, "data" in value ? value.data : value);
  }
  doc.vocabulary = vocabulary ? vocabulary.chars.slice() : null;
  return JSON.stringify(doc);
}

/** The model (and vocabulary) in JSON `text` written by `saveRNN`. */
export function loadRNN(text: string): SavedRNN {
  if (typeof text !== "string") {
    throw new TypeError(`text: expected a string, got ${describeValue(text)}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (err) {
    throw new SyntaxError(
      `text: not JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new TypeError(
      `text: expected a JSON object, got ${describeValue(doc)}`,
    );
  }
  if (doc.format !== FORMAT_TAG) {
    throw new RangeError(
      `format: expected "${FORMAT_TAG}", got ${JSON.stringify(doc.format)}`,
    );
  }
  if (doc.version !== VERSION) {
    throw new RangeError(
      `version: expected ${VERSION}, got ${JSON.stringify(doc.version)}`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!FIELDS.includes(key)) {
      throw new RangeError(
        `${key}: unknown field (known: ${FIELDS.join(", ")})`,
      );
    }
  }
  const dtype = checkDType("dtype", doc.dtype);
  const sizes = ["inputSize", "hiddenSize", "outputSize"].map((key) => {
    const n = doc[key];
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(
        `${key}: expected an integer >= 1, got ${JSON.stringify(n)}`,
      );
    }
    return n;
  });
  const model = new RNN(sizes[0], sizes[1], sizes[2], { dtype, initScale: 0 });
  for (const name of WEIGHTS) {
    const value = model[name];
    readNumberArray(name, doc[name], "data" in value ? value.data : value);
  }
  const chars = doc.vocabulary;
  let vocabulary: Vocabulary | null = null;
  if (chars !== null && chars !== undefined) {
    vocabulary = new Vocabulary(chars as string[]);
    if (vocabulary.size !== model.outputSize) {
      throw new RangeError(
        `vocabulary: expected ${model.outputSize} characters, got ${vocabulary.size}`,
      );
    }
  }
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
