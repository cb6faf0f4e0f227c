/**
 * The tfjs peer of the LSTM rows: a `tf.layers.lstm` character model
 * trained one step per run on tfjs-backend-cpu, as close to ours as tfjs
 * allows (differences: the row's note in rows-lstm.ts). @tensorflow/
 * tfjs-layers is an optional dependency like tfjs-core; without it the row
 * is skipped.
 *
 * One step: the window's B (T + 1) ids as a [B, T + 1] int32 tensor, the
 * first T columns one-hot as input [B, T, K], the last T as targets; LSTM
 * (returnSequences) and a dense readout give logits [B, T, K]; the mean
 * softmax cross-entropy is differentiated by `tf.variableGrads`, clipped
 * by global norm by hand (tfjs optimizers have no clipnorm) and applied by
 * `tf.train.adam`.
 */
import { peerInfo, PeerUnavailable, tfjsWith, type Tfjs } from "./js-peers.js";

/** A tfjs tensor or variable, as far as this file uses one. */
interface Tensor {
  dispose(): void;
  dataSync(): ArrayLike<number>;
}

interface Optimizer {
  applyGradients(grads: Record<string, Tensor>): void;
  dispose(): void;
}

/** The tfjs-core calls of one training step. */
interface TfjsOps extends Tfjs {
  tidy<T>(fn: () => T): T;
  tensor(values: Int32Array, shape: number[], dtype: "int32"): Tensor;
  slice(x: Tensor, begin: number[], size: number[]): Tensor;
  oneHot(x: Tensor, depth: number, on: 1, off: 0, dtype: "float32"): Tensor;
  variableGrads(
    loss: () => Tensor,
    varList: Tensor[],
  ): { value: Tensor; grads: Record<string, Tensor> };
  losses: { softmaxCrossEntropy(labels: Tensor, logits: Tensor): Tensor };
  addN(xs: Tensor[]): Tensor;
  sum(x: Tensor): Tensor;
  square(x: Tensor): Tensor;
  sqrt(x: Tensor): Tensor;
  maximum(a: Tensor, b: number): Tensor;
  div(a: number, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor): Tensor;
  train: { adam(learningRate: number): Optimizer };
}

interface Sequential {
  add(layer: unknown): void;
  apply(x: Tensor, kwargs: { training: boolean }): Tensor;
  readonly trainableWeights: { read(): Tensor }[];
  dispose(): unknown;
}

/** The part of @tensorflow/tfjs-layers used here. */
interface TfjsLayers {
  version_layers: string;
  sequential(): Sequential;
  layers: {
    lstm(args: Record<string, unknown>): unknown;
    dense(args: Record<string, unknown>): unknown;
  };
}

const dynamicImport = (name: string): Promise<unknown> => import(name);

/** tfjs-core on the cpu backend and tfjs-layers, or PeerUnavailable. */
async function loadLayers(): Promise<{ tf: TfjsOps; tfl: TfjsLayers }> {
  const tf = (await tfjsWith("cpu")) as TfjsOps;
  let tfl: TfjsLayers;
  try {
    tfl = (await dynamicImport("@tensorflow/tfjs-layers")) as TfjsLayers;
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : err;
    throw new PeerUnavailable(
      `@tensorflow/tfjs-layers not loadable: ${String(message)}`,
    );
  }
  peerInfo.tfjs = { ...peerInfo.tfjs, layers: tfl.version_layers };
  return { tf, tfl };
}

export interface TfjsLstmOptions {
  batch: number;
  steps: number;
  hidden: number;
  vocabulary: number;
  learningRate: number;
  clipNorm: number;
  /** The next window of batch (steps + 1) ids each call. */
  next: () => Int32Array;
}

/**
 * A runner doing one training step of the tfjs LSTM per run; `run`
 * returns the step's loss (before the update) and throws if it is not
 * finite.
 */
export async function tfjsLstmRunner(o: TfjsLstmOptions) {
  const { tf, tfl } = await loadLayers();
  const { batch: B, steps: T, hidden: H, vocabulary: K } = o;
  const model = tfl.sequential();
  model.add(
    tfl.layers.lstm({
      units: H,
      returnSequences: true,
      inputShape: [T, K],
      recurrentActivation: "sigmoid",
      recurrentInitializer: "glorotUniform",
      unitForgetBias: true,
    }),
  );
  model.add(tfl.layers.dense({ units: K }));
  const variables = model.trainableWeights.map((w) => w.read());
  const optimizer = tf.train.adam(o.learningRate);

  const step = () => {
    const ids = tf.tensor(o.next(), [B, T + 1], "int32");
    const x = tf.oneHot(tf.slice(ids, [0, 0], [B, T]), K, 1, 0, "float32");
    const y = tf.oneHot(tf.slice(ids, [0, 1], [B, T]), K, 1, 0, "float32");
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })),
      variables,
    );
    const names = Object.keys(grads);
    const squares = names.map((n) => tf.sum(tf.square(grads[n])));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.div(o.clipNorm, tf.maximum(norm, o.clipNorm));
    const clipped: Record<string, Tensor> = {};
    for (const n of names) clipped[n] = tf.mul(grads[n], scale);
    optimizer.applyGradients(clipped);
    return value.dataSync()[0];
  };

  let k = 0;
  return {
    run: () => {
      k++;
      const loss = tf.tidy(step);
      if (!Number.isFinite(loss)) {
        throw new Error(`tfjs loss ${loss} at step ${k}`);
      }
      return loss;
    },
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}
