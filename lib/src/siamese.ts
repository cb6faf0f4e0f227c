/**
 * Siamese networks (issue 7, lecture section 5): one encoder G_W applied
 * to both inputs of each pair (X1, X2), the energy E_W = ||G_W(X1) -
 * G_W(X2)|| and the contrastive loss of contrastive.ts. `siameseLoss`
 * runs both branches and their backward passes into the same gradient
 * buffers (shared weights: dL/dW is the sum of the two branches'
 * gradients); `trainSiamese` trains on fresh seeded pairs every step;
 * `embed` and `pairDistances` evaluate a trained encoder in batches.
 *
 * One consequence of the shared weights worth knowing: the last layer's
 * bias b_L is added to both embeddings and cancels in G_W(X1) - G_W(X2),
 * so its gradient is 0 in exact arithmetic. In floating point the two
 * branches' parts cancel only up to rounding, and Adam, which divides by
 * the gradient's own scale, turns that residue into small steps: b_L may
 * drift in float32, without changing any distance.
 *
 * Dimension letters: N pairs (or examples), n_0 input width, D embedding
 * width. Images are row-major `[count, n_0]` matrices, one per row.
 */

import {
  checkContrastiveOptions,
  type ContrastiveOptions,
  type ContrastiveResult,
  contrastiveLoss,
} from "./contrastive";
import type { Encoder } from "./encoder";
import { optimizerFromOptions, type Stepper } from "./optim";
import { type LabelledPairs, PairSampler } from "./pairs";
import { checkRandom } from "./hopfield-checks";
import { Random } from "./random";
import {
  checkMatrix,
  checkOptionKeys,
  checkSize,
  describeValue,
  Matrix,
} from "./tensor";
import { type TrainCallbacks, trainLoop, type TrainResult } from "./train";

/** What `siameseLoss` returns: the loss and both embeddings. */
export interface SiameseResult extends ContrastiveResult {
  /** G_W(X1) and G_W(X2) `[N, D]`. */
  G1: Matrix;
  G2: Matrix;
}

/**
 * The contrastive loss of the pairs (rows of `X1`, `X2` `[N, n_0]`, labels
 * `y` `[N]`, 0 genuine, 1 impostor) through `encoder`, and its gradient
 * ADDED into `encoder.gradients` from both branches (call
 * `encoder.zeroGrad()` first for the gradient of this batch alone).
 */
export function siameseLoss(
  encoder: Encoder,
  X1: Matrix,
  X2: Matrix,
  y: ArrayLike<number>,
  options: ContrastiveOptions = {},
): SiameseResult {
  checkEncoder(encoder);
  checkMatrix("X1", X1, undefined, encoder.inputSize, encoder.dtype);
  checkMatrix("X2", X2, X1.rows, encoder.inputSize, encoder.dtype);
  const one = encoder.forward(X1);
  const two = encoder.forward(X2);
  const result = contrastiveLoss(one.output, two.output, y, options);
  encoder.backward(one.cache, result.dG1);
  encoder.backward(two.cache, result.dG2);
  return { ...result, G1: one.output, G2: two.output };
}

/** Options of `trainSiamese`. */
export interface TrainSiameseOptions extends TrainCallbacks {
  /** Labelled images `[count, n_0]`, the encoder's dtype. */
  images: Matrix;
  /** Class of each image `[count]` (integers >= 0). */
  labels: ArrayLike<number>;
  /** Number of steps, each on a fresh batch of pairs. */
  steps: number;
  /** Pairs per step; default 64. */
  batchSize?: number;
  /** Seeded source of the pairs. */
  random: Random;
  /** Share of impostor pairs in each batch; default 0.5 (balanced). */
  impostorFraction?: number;
  /**
   * The loss (margin, distance, parts). Its reduction defaults to "mean"
   * here, so that the step size does not depend on the batch size.
   */
  loss?: ContrastiveOptions;
  /** Default: Adam over `encoder.params` with `learningRate`. */
  optimizer?: Stepper;
  /** Rate of the default Adam; default 1e-3. Not with `optimizer`. */
  learningRate?: number;
  /** Steps per epoch (for `onEpoch`); default `steps`. */
  stepsPerEpoch?: number;
}

const TRAIN_OPTIONS = [
  ...["images", "labels", "steps", "batchSize", "random"],
  ...["impostorFraction", "loss", "optimizer", "learningRate"],
  ...["stepsPerEpoch", "onStep", "onEpoch"],
];

/**
 * Trains `encoder` for `steps` steps; each samples `batchSize` pairs
 * (balanced by default, `PairSampler`), clears the gradient, runs
 * `siameseLoss` and steps the optimizer. A NaN loss stops it with a
 * `NonFiniteLossError`; a callback returning false stops it early.
 */
export function trainSiamese(
  encoder: Encoder,
  options: TrainSiameseOptions,
): TrainResult {
  checkEncoder(encoder);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options: expected {images, labels, steps, random, ...}, got ` +
        describeValue(options),
    );
  }
  checkOptionKeys("options", options, TRAIN_OPTIONS);
  const { images, random } = options;
  checkMatrix(
    "options.images",
    images,
    undefined,
    encoder.inputSize,
    encoder.dtype,
  );
  const sampler = new PairSampler(options.labels);
  if (sampler.size !== images.rows) {
    throw new RangeError(
      `options.labels: expected ${images.rows} labels (one per image), ` +
        `got ${sampler.size}`,
    );
  }
  const batchSize = checkSize("options.batchSize", options.batchSize ?? 64);
  if (batchSize < 1) {
    throw new RangeError(`options.batchSize: expected >= 1, got 0`);
  }
  const loss = checkContrastiveOptions(
    { ...options.loss, reduction: options.loss?.reduction ?? "mean" },
    "options.loss",
  );
  const optimizer = optimizerFromOptions(
    encoder.params,
    options.optimizer,
    options.learningRate,
    1e-3,
  );
  const fraction = options.impostorFraction;
  checkRandom("options.random", random);
  // Draw one batch from a throwaway source, so that a bad fraction or a
  // label set without the pairs asked for fails before the first step.
  try {
    sampler.sample(batchSize, new Random(0), { impostorFraction: fraction });
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const Kind = err.constructor as new (message: string) => Error;
    const m = err.message;
    throw new Kind(m.startsWith("options.") ? m : `options.${m}`);
  }
  const X1 = Matrix.zeros(batchSize, encoder.inputSize, encoder.dtype);
  const X2 = Matrix.zeros(batchSize, encoder.inputSize, encoder.dtype);
  return trainLoop({
    steps: options.steps,
    stepsPerEpoch: options.stepsPerEpoch,
    onStep: options.onStep,
    onEpoch: options.onEpoch,
    step: () => {
      const pairs = sampler.sample(batchSize, random, {
        impostorFraction: fraction,
      });
      gatherRows(images, pairs.first, X1);
      gatherRows(images, pairs.second, X2);
      encoder.zeroGrad();
      let result: SiameseResult;
      try {
        result = siameseLoss(encoder, X1, X2, pairs.y, loss);
      } catch (err) {
        // Weights gone NaN or infinite: report it as the loop reports a
        // NaN loss, naming the step (NonFiniteLossError).
        const diverged = encoder.params.some((p) => !p.value.every(isFinite));
        if (err instanceof RangeError && diverged) return NaN;
        throw err;
      }
      optimizer.step();
      return result.loss;
    },
  });
}

/**
 * G_W of every row of `images` `[count, n_0]`, `batchSize` rows at a time
 * (default 1,000); returns `[count, D]` in the encoder's dtype.
 */
export function embed(
  encoder: Encoder,
  images: Matrix,
  batchSize = 1000,
): Matrix {
  checkEncoder(encoder);
  checkMatrix("images", images, undefined, encoder.inputSize, encoder.dtype);
  checkSize("batchSize", batchSize);
  if (batchSize < 1) throw new RangeError(`batchSize: expected >= 1, got 0`);
  const [n0, D] = [encoder.inputSize, encoder.outputSize];
  const out = Matrix.zeros(images.rows, D, encoder.dtype);
  for (let start = 0; start < images.rows; start += batchSize) {
    const rows = Math.min(batchSize, images.rows - start);
    const part = new Matrix(
      rows,
      n0,
      images.data.subarray(start * n0, (start + rows) * n0),
    );
    out.data.set(encoder.embed(part).data, start * D);
  }
  return out;
}

/**
 * E_i = ||e[first_i] - e[second_i]|| for the pairs `pairs` (indices into
 * the rows of `embeddings` `[count, D]`), Euclidean or "l1"; `[N]`.
 */
export function pairDistances(
  embeddings: Matrix,
  pairs: Pick<LabelledPairs, "first" | "second">,
  distance: "euclidean" | "l1" = "euclidean",
): Float64Array {
  checkMatrix("embeddings", embeddings);
  if (distance !== "euclidean" && distance !== "l1") {
    throw new RangeError(
      `distance: expected "euclidean" or "l1", got ${describeValue(distance)}`,
    );
  }
  const { first, second } = pairs ?? ({} as LabelledPairs);
  checkIndices("pairs.first", first, embeddings.rows);
  checkIndices("pairs.second", second, embeddings.rows, first.length);
  const D = embeddings.cols;
  const e = embeddings.data;
  const out = new Float64Array(first.length);
  for (let k = 0; k < first.length; k++) {
    const [a, b] = [first[k] * D, second[k] * D];
    let s = 0;
    for (let j = 0; j < D; j++) {
      const d = e[a + j] - e[b + j];
      s += distance === "l1" ? Math.abs(d) : d * d;
    }
    out[k] = distance === "l1" ? s : Math.sqrt(s);
  }
  return out;
}

/** Copies the rows `index` of `source` into the rows of `out`. */
function gatherRows(source: Matrix, index: Int32Array, out: Matrix): void {
  const n = source.cols;
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    out.data.set(source.data.subarray(i * n, (i + 1) * n), k * n);
  }
}

function checkIndices(
  name: string,
  index: unknown,
  count: number,
  length?: number,
): asserts index is ArrayLike<number> {
  const n = (index as { length?: unknown } | null)?.length;
  if (typeof index !== "object" || index === null || typeof n !== "number") {
    throw new TypeError(
      `${name}: expected an array of row indices, got ${describeValue(index)}`,
    );
  }
  if (length !== undefined && n !== length) {
    throw new RangeError(`${name}: expected ${length} indices, got ${n}`);
  }
  const list = index as ArrayLike<number>;
  for (let k = 0; k < n; k++) {
    const i = list[k];
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new RangeError(
        `${name}[${k}]: expected a row index in [0, ${count}), got ` +
          describeValue(i),
      );
    }
  }
}

function checkEncoder(encoder: Encoder): void {
  if (
    typeof encoder?.forward !== "function" ||
    typeof encoder?.backward !== "function" ||
    !Array.isArray(encoder?.sizes)
  ) {
    throw new TypeError(
      `encoder: expected an Encoder, got ${describeValue(encoder)}`,
    );
  }
}
