/**
 * Save and load of any trained recurrent model (issue 6): `RNN`, `LSTM`
 * or `GRU`, optionally with its character vocabulary, as JSON:
 *   { "format": "memnets-recurrent", "version": 1, "kind": "lstm",
 *     "dtype": "float32", "inputSize": I, "hiddenSize": H,
 *     "outputSize": K, "layers": L, "variant": "vanilla",
 *     "weights": { "cells.0.inputWeights": [...], ..., "outputBias": [K] },
 *     "vocabulary": ["a", "b", ...] or null }
 * "layers" is written for the LSTM and GRU, "variant" for the LSTM only
 * (and required there);
 * "weights" holds every entry of `model.params` under its name, row-major
 * in the model's layout. Every number is written exactly, so a round trip
 * restores the same values (bit for bit, except that JSON writes -0 as
 * 0). Loading checks every field and throws naming what is wrong; the
 * weights' names and lengths are compared with those the header implies
 * before the model is allocated, so a damaged header cannot claim
 * gigabytes. Files written by `saveRNN` (format "memnets-rnn") load too.
 * Files are written atomically (model-files.ts).
 */

import { GRU } from "./gru";
import { LSTM } from "./lstm";
import {
  checkVariant,
  gateLayout,
  LSTM_VARIANTS,
  type LSTMVariant,
} from "./lstm-layout";
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
import type { RecurrentModel } from "./recurrent";
import { RNN } from "./rnn";
import { loadRNN } from "./rnn-io";
import { checkDType, describeValue, type DType } from "./tensor";
import type { Vocabulary } from "./text";

const FORMAT_TAG = "memnets-recurrent";
const VERSION = 1;
const COMMON = [
  ...["format", "version", "kind", "dtype", "inputSize", "hiddenSize"],
  ...["outputSize", "weights", "vocabulary"],
];
const FIELDS: Record<RecurrentKind, readonly string[]> = {
  rnn: COMMON,
  gru: [...COMMON, "layers"],
  lstm: [...COMMON, "layers", "variant"],
};

/** What a saved file holds: "rnn", "lstm" or "gru". */
export type RecurrentKind = "rnn" | "lstm" | "gru";

/** A loaded model and the vocabulary saved with it (or null). */
export interface SavedRecurrent {
  model: RNN | LSTM | GRU;
  vocabulary: Vocabulary | null;
}

/** The kind of `model`; throws for anything but an RNN, LSTM or GRU. */
export function recurrentKind(model: RecurrentModel): RecurrentKind {
  if (model instanceof RNN) return "rnn";
  if (model instanceof LSTM) return "lstm";
  if (model instanceof GRU) return "gru";
  throw new TypeError(
    `model: expected an RNN, LSTM or GRU, got ${describeValue(model)}`,
  );
}

/**
 * JSON text of `model` (and `vocabulary`, whose size must equal the
 * model's outputs). JSON cannot hold NaN or Infinity: such a weight throws
 * a RangeError naming it.
 */
export function saveRecurrent(
  model: RNN | LSTM | GRU,
  vocabulary?: Vocabulary,
): string {
  const kind = recurrentKind(model);
  checkVocabulary(vocabulary, model.outputSize);
  const doc: Record<string, unknown> = {
    format: FORMAT_TAG,
    version: VERSION,
    kind,
    dtype: model.dtype,
    inputSize: model.inputSize,
    hiddenSize: model.hiddenSize,
    outputSize: model.outputSize,
  };
  if (!(model instanceof RNN)) doc.layers = model.layers;
  if (model instanceof LSTM) doc.variant = model.variant;
  const weights: Record<string, number[]> = {};
  for (const { name, value } of model.params) {
    weights[name] = finiteList(name, value);
  }
  doc.weights = weights;
  doc.vocabulary = vocabulary ? vocabulary.chars.slice() : null;
  return JSON.stringify(doc);
}

/**
 * The model (and vocabulary) in JSON `text` written by `saveRecurrent`
 * or by `saveRNN`.
 */
export function loadRecurrent(text: string): SavedRecurrent {
  const doc = parseJSONObject(text);
  if (doc.format === "memnets-rnn") return loadRNN(text);
  const kind = doc.kind as RecurrentKind;
  if (!Object.hasOwn(FIELDS, kind as string)) {
    throw new RangeError(
      `kind: expected "rnn", "lstm" or "gru", got ${JSON.stringify(kind)}`,
    );
  }
  checkHeader(doc, FORMAT_TAG, VERSION, FIELDS[kind]);
  const header = readHeader(kind, doc);
  const saved = checkSavedWeights(kind, header, doc.weights);
  const model = emptyModel(kind, header);
  for (const { name, value } of model.params) {
    readNumberArray(`weights.${name}`, saved[name], value);
  }
  const vocabulary = readVocabulary(doc.vocabulary, model.outputSize);
  return { model, vocabulary };
}

/** What a file's header says of its model. */
interface SavedHeader {
  dtype: DType;
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  layers: number;
  variant: LSTMVariant;
}

function readHeader(
  kind: RecurrentKind,
  doc: Record<string, unknown>,
): SavedHeader {
  const dtype = checkDType("dtype", doc.dtype);
  const [I, H, K] = ["inputSize", "hiddenSize", "outputSize"].map((key) =>
    readSize(key, doc[key], MAX_SAVED_SIZE),
  );
  const layers =
    kind === "rnn" ? 1 : readSize("layers", doc.layers, MAX_SAVED_SIZE);
  // A missing variant would load an "NOAF" model as vanilla, silently
  // wrong: saveRecurrent always writes it for the LSTM.
  if (kind === "lstm" && !Object.hasOwn(doc, "variant")) {
    throw new RangeError(
      `variant: missing (required for kind "lstm"; one of ` +
        `${LSTM_VARIANTS.join(", ")})`,
    );
  }
  const variant = checkVariant("variant", doc.variant);
  return {
    dtype,
    inputSize: I,
    hiddenSize: H,
    outputSize: K,
    layers,
    variant,
  };
}

/**
 * Name and length of every parameter of the model `header` describes, in
 * the order of its `params`, without allocating it. Mirrors the
 * constructors; the round trip of every kind and variant in the tests
 * keeps the two in step.
 */
function* savedParameters(
  kind: RecurrentKind,
  header: SavedHeader,
): Generator<[string, number]> {
  const { inputSize: I, hiddenSize: H, outputSize: K, layers } = header;
  if (kind === "rnn") {
    yield* [
      ["inputWeights", I * H],
      ["recurrentWeights", H * H],
      ["bias", H],
    ] as [string, number][];
  } else {
    const layout = kind === "lstm" ? gateLayout(header.variant) : null;
    const GH = (layout ? layout.count : 3) * H;
    for (let l = 0; l < layers; l++) {
      const p = `cells.${l}.`;
      yield [`${p}inputWeights`, (l === 0 ? I : H) * GH];
      yield [`${p}recurrentWeights`, H * GH];
      if (!layout) {
        yield [`${p}inputBias`, GH];
        yield [`${p}recurrentBias`, GH];
      } else {
        yield [`${p}bias`, GH];
        if (layout.peepholes) yield [`${p}peepholes`, 3 * H];
      }
    }
  }
  yield ["outputWeights", H * K];
  yield ["outputBias", K];
}

/**
 * The saved `weights`, checked to hold exactly the parameters the header
 * implies, each an array of its length; stops at the first missing one,
 * so a header claiming a million layers costs nothing.
 */
function checkSavedWeights(
  kind: RecurrentKind,
  header: SavedHeader,
  weights: unknown,
): Record<string, unknown> {
  if (
    typeof weights !== "object" ||
    weights === null ||
    Array.isArray(weights)
  ) {
    throw new TypeError(
      `weights: expected an object of named arrays, got ` +
        describeValue(weights),
    );
  }
  const saved = weights as Record<string, unknown>;
  const names: string[] = [];
  for (const [name, length] of savedParameters(kind, header)) {
    if (!Object.hasOwn(saved, name)) {
      throw new RangeError(`weights.${name}: missing`);
    }
    checkArrayLength(`weights.${name}`, saved[name], length);
    names.push(name);
  }
  for (const key of Object.keys(saved)) {
    if (!names.includes(key)) {
      throw new RangeError(
        `weights.${key}: not a parameter of this ${kind} (its parameters: ` +
          `${names.join(", ")})`,
      );
    }
  }
  return saved;
}

/** A zero model of the saved kind, sizes and options. */
function emptyModel(
  kind: RecurrentKind,
  header: SavedHeader,
): RNN | LSTM | GRU {
  const { dtype, inputSize: I, hiddenSize: H, outputSize: K } = header;
  const { layers, variant } = header;
  if (kind === "rnn") return new RNN(I, H, K, { dtype, initScale: 0 });
  if (kind === "gru") return new GRU(I, H, K, { dtype, layers, initScale: 0 });
  return new LSTM(I, H, K, { dtype, layers, variant, initScale: 0 });
}

/** Writes `saveRecurrent(model, vocabulary)` to `file` atomically. */
export function saveRecurrentFile(
  file: string,
  model: RNN | LSTM | GRU,
  vocabulary?: Vocabulary,
): void {
  checkPath(file);
  writeFileAtomicSync(file, saveRecurrent(model, vocabulary));
}

/** Reads a model saved by `saveRecurrentFile` (or `saveRNNFile`); errors
 * name the file. */
export function loadRecurrentFile(file: string): SavedRecurrent {
  return readModelFile(file, (bytes) =>
    loadRecurrent(new TextDecoder().decode(bytes)),
  );
}
