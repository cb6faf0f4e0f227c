/**
 * The benchmark's RNN rows (issue 5): training throughput of the
 * character-level Elman network in tokens per second, ours against
 * PyTorch's `nn.RNN` and brain.js's `recurrent.RNN` on Tiny Shakespeare in
 * the same run. Targets (targets.ts): our float32 row at least 0.3 x
 * PyTorch's single-thread figure and at least 20 x brain.js's. What a run
 * is, and the builders shared with the LSTM rows: char-model.ts.
 *
 * Dimension letters: B streams (batch), T steps, H hidden units, K the
 * vocabulary (65 characters, one-hot input).
 */
import { RNN } from "memnets";

import {
  brainCharRow,
  charCases,
  CLIP_NORM,
  ourCharRow,
  torchCharRow,
  type CharCase,
} from "./char-model.js";
import type { Row } from "./types.js";

export { KTOKENS } from "./char-model.js";

/**
 * brain.js's RMSProp without bias correction makes a first step of about
 * 30 x the learning rate on every weight; with its ReLU cell and H >= 128
 * its default 0.01 (and 1e-4 at H = 128) blows the loss up to Infinity
 * within a few sequences. 3e-5 trained finitely at both sizes.
 */
const BRAIN_LEARNING_RATE = 3e-5;

function brainRnn(c: CharCase): Row {
  const { steps: T, vocabulary: K } = c;
  return brainCharRow(
    "RNN",
    c,
    BRAIN_LEARNING_RATE,
    `recurrent.RNN trainPattern, one sequence of ${T} steps per run ` +
      `(no batching); ReLU cell, learned ${K}-wide input embedding, ` +
      `${K + 1} outputs (END marker), RMSProp lr ${BRAIN_LEARNING_RATE} ` +
      `with per-entry clipping at ${CLIP_NORM}; Float32Array storage`,
  );
}

/** The RNN rows: ours, PyTorch's and brain.js's, float32, one thread. */
export function rnnRows(quick: boolean): Row[] {
  return charCases(quick).flatMap((c) => [
    ourCharRow("RNN", c, "float32", (K, H, random) => {
      return new RNN(K, H, K, { dtype: "float32", random });
    }),
    torchCharRow("RNN", c, "float32", "rnn_train"),
    brainRnn(c),
  ]);
}
