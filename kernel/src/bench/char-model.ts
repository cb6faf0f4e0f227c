/**
 * What the benchmark's character-model rows share (the RNN rows of issue 5
 * and the LSTM rows of issue 6): the cases, the unit, Tiny Shakespeare as
 * ids, the windows the runs train on, and the three row builders that
 * differ between the two models only in the model: ours through
 * `trainRNN`, PyTorch's through a bench.py task, brain.js's `recurrent`
 * classes.
 *
 * One run of ours or PyTorch's is one training step on a fresh window of
 * B (T + 1) characters cut into B streams: forward over B T tokens from a
 * zero state, backpropagation through time of the mean cross-entropy,
 * clipping by global norm 5, one Adam step. Each run takes the next window
 * of the text, so both sides see the same windows in the same order.
 * brain.js trains one sequence at a time with its own optimizer (see
 * `brainCharRow`).
 *
 * Dimension letters: B streams (batch), T steps, H hidden units, K the
 * vocabulary (65 characters, one-hot input).
 */
import { createRequire } from "node:module";
import path from "node:path";

import {
  Adam,
  loadText,
  Random,
  trainRNN,
  Vocabulary,
  type DType,
} from "memnets";

import { PeerUnavailable, peerInfo } from "./js-peers.js";
import type { PythonRow, Row, RowInfo, Unit } from "./types.js";

const require = createRequire(import.meta.url);

export const KTOKENS: Unit = { label: "ktokens/s", kind: "rate", scale: 1e3 };

/** Shape of a character-model case. */
export interface CharCase {
  hidden: number;
  steps: number;
  batch: number;
  vocabulary: 65;
}

/** Hidden sizes of the full run; the quick run keeps the first. */
export const CHAR_HIDDEN = [128, 256] as const;

export const charCase = (hidden: number): CharCase => ({
  hidden,
  steps: 64,
  batch: 32,
  vocabulary: 65,
});

/** The cases of a run: H = 128 only when quick. */
export const charCases = (quick: boolean): CharCase[] =>
  (quick ? CHAR_HIDDEN.slice(0, 1) : CHAR_HIDDEN).map(charCase);

export const LEARNING_RATE = 2e-3;
export const CLIP_NORM = 5;

/** The gzipped text both sides read (lib/data, next to lib/dist). */
export function tinyShakespearePath(): string {
  const lib = path.dirname(path.dirname(require.resolve("memnets")));
  return path.join(lib, "data", "tinyshakespeare.txt.gz");
}

let textIds: Int32Array | undefined;

/** Tiny Shakespeare as ids of its 65 sorted characters (loaded once). */
export function shakespeareIds(vocabulary: number): Int32Array {
  if (!textIds) {
    const text = loadText("tinyshakespeare");
    const vocab = Vocabulary.fromText(text);
    if (vocab.size !== vocabulary) {
      throw new RangeError(
        `tinyshakespeare: expected ${vocabulary} characters, got ${vocab.size}`,
      );
    }
    textIds = vocab.encode(text);
  }
  return textIds;
}

/**
 * The consecutive windows of `length` ids of the text, cycling: the k-th
 * call returns window k mod (number of whole windows), a view.
 */
export function textWindows(ids: Int32Array, length: number): () => Int32Array {
  const count = Math.floor(ids.length / length);
  let k = 0;
  return () => {
    const start = (k++ % count) * length;
    return ids.subarray(start, start + length);
  };
}

/** "RNN" or "LSTM": the group's first word. */
export type CharModel = "RNN" | "LSTM";

export function charInfo(
  model: CharModel,
  c: CharCase,
  dtype: DType,
  implementation: string,
): RowInfo {
  return {
    group: `${model} ${dtype}`,
    name: `train step H=${c.hidden}, T=${c.steps}, batch ${c.batch}, K=${c.vocabulary}`,
    implementation,
    threads: 1,
    unit: KTOKENS,
    work: c.batch * c.steps,
    ours: implementation === "memnets",
  };
}

/** A model `trainRNN` trains (an RNN, an LSTM). */
export type Trainable = Parameters<typeof trainRNN>[0];

/** Our row: `trainRNN` one step on the model `make` builds (K in, H, K out). */
export function ourCharRow(
  model: CharModel,
  c: CharCase,
  dtype: DType,
  make: (K: number, H: number, random: Random) => Trainable,
): Row {
  const { batch: B, steps: T, hidden: H, vocabulary: K } = c;
  return {
    ...charInfo(model, c, dtype, "memnets"),
    kind: "js",
    note:
      `trainRNN one step (maxSteps 1): token input, BPTT of the mean ` +
      `cross-entropy, clipByGlobalNorm ${CLIP_NORM}, Adam`,
    setup: () => {
      const net = make(K, H, new Random(0));
      const optimizer = new Adam(net.params, { learningRate: LEARNING_RATE });
      const next = textWindows(shakespeareIds(K), B * (T + 1));
      return {
        run: () => {
          trainRNN(net, next(), {
            batchSize: B,
            seqLength: T,
            maxSteps: 1,
            optimizer,
            clipNorm: CLIP_NORM,
          });
        },
      };
    },
  };
}

/** PyTorch's row: bench.py task `kind` ("rnn_train", "lstm_train"). */
export function torchCharRow(
  model: CharModel,
  c: CharCase,
  dtype: DType,
  kind: string,
): PythonRow {
  return {
    ...charInfo(model, c, dtype, "torch"),
    kind: "python",
    task: {
      kind,
      lib: "torch",
      dtype,
      hidden: c.hidden,
      steps: c.steps,
      batch: c.batch,
      vocabulary: c.vocabulary,
      learningRate: LEARNING_RATE,
      clipNorm: CLIP_NORM,
      textPath: tinyShakespearePath(),
    },
  };
}

/** The part of brain.js 1.x's recurrent networks the benchmark calls. */
interface BrainRecurrent {
  initialize(): void;
  /** One sequence: forward, BPTT, RMSProp; returns perplexity / 100. */
  trainPattern(input: number[], logErrorRate: boolean): number;
}

type BrainClass = new (options: Record<string, unknown>) => BrainRecurrent;

interface BrainJs {
  recurrent: Record<CharModel, BrainClass>;
}

function loadBrain(): BrainJs {
  try {
    const brain = require("brain.js") as BrainJs;
    const { version } = require("brain.js/package.json") as {
      version: string;
    };
    peerInfo["brain.js"] = { version };
    return brain;
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : err;
    throw new PeerUnavailable(`brain.js not loadable: ${String(message)}`);
  }
}

/**
 * brain.js `recurrent[model]` with hiddenLayers [H]: one run is
 * `trainPattern` on the next T - 1 characters of the text, which with its
 * START and END markers is T steps and T predictions (the work of one of
 * our B streams). It throws once brain.js's error turns Infinity or NaN.
 */
export function brainCharRow(
  model: CharModel,
  c: CharCase,
  learningRate: number,
  note: string,
): Row {
  const { steps: T, hidden: H, vocabulary: K } = c;
  return {
    ...charInfo(model, c, "float32", "brain.js"),
    work: T,
    kind: "js",
    note,
    setup: () => {
      const brain = loadBrain();
      const net = new brain.recurrent[model]({
        inputSize: K,
        inputRange: K,
        outputSize: K,
        hiddenLayers: [H],
        learningRate,
      });
      net.initialize();
      const next = textWindows(shakespeareIds(K), T - 1);
      let k = 0;
      return {
        run: () => {
          k++;
          const error = net.trainPattern(Array.from(next()), true);
          if (!Number.isFinite(error)) {
            throw new Error(
              `brain.js training diverged (error ${error}) at sequence ${k}`,
            );
          }
        },
      };
    },
  };
}
