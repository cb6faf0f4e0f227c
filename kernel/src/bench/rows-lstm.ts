/**
 * The benchmark's LSTM rows (issue 6): training throughput of the
 * character-level LSTM in tokens per second, ours (float32) against
 * PyTorch's `nn.LSTM`, tfjs layers on tfjs-backend-cpu and brain.js's
 * `recurrent.LSTM` on Tiny Shakespeare in the same run, on the windows of
 * the RNN rows. Targets (targets.ts): our row at least 0.3 x PyTorch's
 * single-thread figure and at least 20 x brain.js's and tfjs-cpu's. What a
 * run is, and the builders shared with the RNN rows: char-model.ts.
 *
 * Dimension letters: B streams (batch), T steps, H hidden units, K the
 * vocabulary (65 characters, one-hot input).
 */
import { LSTM } from "memnets";

import {
  brainCharRow,
  charCases,
  charInfo,
  CLIP_NORM,
  LEARNING_RATE,
  ourCharRow,
  shakespeareIds,
  textWindows,
  torchCharRow,
  type CharCase,
} from "./char-model.js";
import { tfjsLstmRunner } from "./tfjs-lstm.js";
import type { Row } from "./types.js";

/**
 * brain.js's default learning rate 0.01 sent its LSTM's error to Infinity
 * within five sequences at H = 256 (its RMSProp has no bias correction);
 * 1e-3 trained finitely at both sizes.
 */
const BRAIN_LEARNING_RATE = 1e-3;

/**
 * A tfjs-cpu step takes seconds (its matMul is plain JS), so the row takes
 * one warm-up run and three samples (the quick run's minimum), whatever
 * the mode.
 */
const TFJS_POLICY = { warmupRuns: 1, repeats: 3, minRepeats: 3 };

function tfjsLstm(c: CharCase): Row {
  const { batch: B, steps: T, hidden: H, vocabulary: K } = c;
  return {
    ...charInfo("LSTM", c, "float32", "tfjs-cpu"),
    kind: "js",
    policy: TFJS_POLICY,
    note:
      `tf.layers.lstm (returnSequences; sigmoid gates instead of tfjs's ` +
      `default hardSigmoid, forget bias 1, glorotUniform recurrent init ` +
      `instead of orthogonal) + dense logits, one-hot input; ` +
      `tf.losses.softmaxCrossEntropy (mean), tf.variableGrads, global-norm ` +
      `clip ${CLIP_NORM} by hand (tfjs optimizers have no clipnorm), ` +
      `tf.train.adam (epsilon 1e-7); tfjs-backend-cpu`,
    setup: () =>
      tfjsLstmRunner({
        batch: B,
        steps: T,
        hidden: H,
        vocabulary: K,
        learningRate: LEARNING_RATE,
        clipNorm: CLIP_NORM,
        next: textWindows(shakespeareIds(K), B * (T + 1)),
      }),
  };
}

function brainLstm(c: CharCase): Row {
  const { steps: T, vocabulary: K } = c;
  return brainCharRow(
    "LSTM",
    c,
    BRAIN_LEARNING_RATE,
    `recurrent.LSTM trainPattern, one sequence of ${T} steps per run ` +
      `(no batching); brain.js 1.x's LSTM keeps no separate cell state ` +
      `(its forget gate multiplies h_{t-1}, not C_{t-1}); learned ` +
      `${K}-wide input embedding, ${K + 1} outputs (END marker), RMSProp ` +
      `lr ${BRAIN_LEARNING_RATE} with per-entry clipping at ${CLIP_NORM}; ` +
      `Float32Array storage`,
  );
}

/** The LSTM rows: ours, PyTorch's, tfjs's and brain.js's, one thread. */
export function lstmRows(quick: boolean): Row[] {
  return charCases(quick).flatMap((c) => [
    ourCharRow("LSTM", c, "float32", (K, H, random) => {
      return new LSTM(K, H, K, { dtype: "float32", random });
    }),
    torchCharRow("LSTM", c, "float32", "lstm_train"),
    tfjsLstm(c),
    brainLstm(c),
  ]);
}
