/**
 * The benchmark's RNN rows (issue 5): training throughput of the
 * character-level Elman network in tokens per second, ours against
 * PyTorch's `nn.RNN` and brain.js's `recurrent.RNN` on Tiny Shakespeare in
 * the same run. Targets (targets.ts): our float32 row at least 0.3 x
 * PyTorch's single-thread figure and at least 20 x brain.js's.
 *
 * One run of ours or PyTorch's is one training step on a fresh window of
 * B (T + 1) characters cut into B streams: forward over B T tokens from a
 * zero state, backpropagation through time of the mean cross-entropy,
 * clipping by global norm 5, one Adam step. Each run takes the next window
 * of the text. brain.js trains one sequence at a time with its own
 * optimizer (see `brainRnn`).
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
  RNN,
  trainRNN,
  Vocabulary,
  type DType,
} from "memnets";

import { PeerUnavailable, peerInfo } from "./js-peers.js";
import type { PythonRow, Row, RowInfo, Unit } from "./types.js";

const require = createRequire(import.meta.url);

export const KTOKENS: Unit = { label: "ktokens/s", kind: "rate", scale: 1e3 };

/** Shape of an RNN case. */
export interface RnnCase {
  hidden: number;
  steps: number;
  batch: number;
  vocabulary: 65;
}

/** Hidden sizes of the full run; the quick run keeps the first. */
export const RNN_HIDDEN = [128, 256] as const;

export const rnnCase = (hidden: number): RnnCase => ({
  hidden,
  steps: 64,
  batch: 32,
  vocabulary: 65,
});

const LEARNING_RATE = 2e-3;
const CLIP_NORM = 5;

/**
 * brain.js's RMSProp without bias correction makes a first step of about
 * 30 x the learning rate on every weight; with its ReLU cell and H >= 128
 * its default 0.01 (and 1e-4 at H = 128) blows the loss up to Infinity
 * within a few sequences. 3e-5 trained finitely at both sizes.
 */
const BRAIN_LEARNING_RATE = 3e-5;

/** The gzipped text both sides read (lib/data, next to lib/dist). */
export function tinyShakespearePath(): string {
  const lib = path.dirname(path.dirname(require.resolve("memnets")));
  return path.join(lib, "data", "tinyshakespeare.txt.gz");
}

let textIds: Int32Array | undefined;

/** Tiny Shakespeare as ids of its 65 sorted characters (loaded once). */
function shakespeareIds(vocabulary: number): Int32Array {
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

function rnnInfo(c: RnnCase, dtype: DType, implementation: string): RowInfo {
  return {
    group: `RNN ${dtype}`,
    name: `train step H=${c.hidden}, T=${c.steps}, batch ${c.batch}, K=${c.vocabulary}`,
    implementation,
    threads: 1,
    unit: KTOKENS,
    work: c.batch * c.steps,
    ours: implementation === "memnets",
  };
}

function ourRnn(c: RnnCase, dtype: DType): Row {
  const { batch: B, steps: T, hidden: H, vocabulary: K } = c;
  return {
    ...rnnInfo(c, dtype, "memnets"),
    kind: "js",
    note:
      `trainRNN one step (maxSteps 1): token input, BPTT of the mean ` +
      `cross-entropy, clipByGlobalNorm ${CLIP_NORM}, Adam`,
    setup: () => {
      const ids = shakespeareIds(K);
      const model = new RNN(K, H, K, { dtype, random: new Random(0) });
      const optimizer = new Adam(model.params, {
        learningRate: LEARNING_RATE,
      });
      const window = B * (T + 1);
      const windows = Math.floor(ids.length / window);
      let k = 0;
      return {
        run: () => {
          const start = (k++ % windows) * window;
          trainRNN(model, ids.subarray(start, start + window), {
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

function torchRnn(c: RnnCase, dtype: DType): PythonRow {
  return {
    ...rnnInfo(c, dtype, "torch"),
    kind: "python",
    task: {
      kind: "rnn_train",
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

/** The part of brain.js 1.x's recurrent RNN the benchmark calls. */
interface BrainRnn {
  initialize(): void;
  /** One sequence: forward, BPTT, RMSProp; returns perplexity / 100. */
  trainPattern(input: number[], logErrorRate: boolean): number;
}

interface BrainJs {
  recurrent: { RNN: new (options: Record<string, unknown>) => BrainRnn };
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
 * brain.js `recurrent.RNN` with hiddenLayers [H]: one run is
 * `trainPattern` on the next T - 1 characters of the text, which with its
 * START and END markers is T steps and T predictions (the work of one of
 * our B streams).
 */
function brainRnn(c: RnnCase): Row {
  const { steps: T, hidden: H, vocabulary: K } = c;
  return {
    ...rnnInfo(c, "float32", "brain.js"),
    work: T,
    kind: "js",
    note:
      `recurrent.RNN trainPattern, one sequence of ${T} steps per run ` +
      `(no batching); ReLU cell, learned ${K}-wide input embedding, ` +
      `${K + 1} outputs (END marker), RMSProp lr ${BRAIN_LEARNING_RATE} ` +
      `with per-entry clipping at ${CLIP_NORM}; Float32Array storage`,
    setup: () => {
      const brain = loadBrain();
      const ids = shakespeareIds(K);
      const net = new brain.recurrent.RNN({
        inputSize: K,
        inputRange: K,
        outputSize: K,
        hiddenLayers: [H],
        learningRate: BRAIN_LEARNING_RATE,
      });
      net.initialize();
      const length = T - 1;
      const sequences = Math.floor(ids.length / length);
      let k = 0;
      return {
        run: () => {
          const start = (k++ % sequences) * length;
          const input = Array.from(ids.subarray(start, start + length));
          const error = net.trainPattern(input, true);
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

/** The RNN rows: ours, PyTorch's and brain.js's, float32, one thread. */
export function rnnRows(quick: boolean): Row[] {
  const sizes = quick ? RNN_HIDDEN.slice(0, 1) : RNN_HIDDEN;
  return sizes.flatMap((hidden) => {
    const c = rnnCase(hidden);
    return [ourRnn(c, "float32"), torchRnn(c, "float32"), brainRnn(c)];
  });
}
