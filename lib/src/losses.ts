/**
 * Loss functions with their gradients, computed in one pass (issue 3):
 * softmax cross-entropy over classes (character models), sigmoid (binary)
 * cross-entropy on logits, mean squared error.
 *
 * Each returns `{ loss, grad }`: `loss` is the mean over examples (or
 * their sum with `reduction: "sum"`), `grad` the gradient of that loss
 * with respect to the first argument, written into `out` if given. Logits
 * go in rather than probabilities, so the log of a probability is never
 * taken: the losses stay finite for logits of +-1000.
 *
 * Dimension letters: B examples, K classes.
 */

import { logSumExpRows, softmaxRows } from "./ops-rows";
import {
  checkFloatArray,
  checkMatrix,
  checkOptionKeys,
  describeValue,
  dtypeOf,
  outLike,
  type FloatArray,
  Matrix,
} from "./tensor";

/** How the per-example losses are combined. */
export interface LossOptions {
  /** "mean" over examples (default) or "sum". */
  reduction?: "mean" | "sum";
}

/** A loss value and its gradient with respect to the input. */
export interface LossResult<G> {
  loss: number;
  grad: G;
}

function reductionScale(options: LossOptions | undefined, n: number) {
  checkOptionKeys("options", options, ["reduction"]);
  const reduction = options?.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum") {
    throw new RangeError(
      `options.reduction: expected "mean" or "sum", got ${describeValue(reduction)}`,
    );
  }
  return reduction === "mean" && n > 0 ? 1 / n : 1;
}

/**
 * Softmax cross-entropy: loss_b = logsumexp(z_b) - z_b[t_b], with z the
 * logits `[B, K]` (row-major) and t the target class of each row `[B]`,
 * integers in [0, K). Gradient: dz_b = softmax(z_b) - onehot(t_b), times
 * 1/B for the mean. `out` `[B, K]` receives the gradient (may be `logits`).
 */
export function softmaxCrossEntropy(
  logits: Matrix,
  targets: ArrayLike<number>,
  out?: Matrix,
  options?: LossOptions,
): LossResult<Matrix> {
  checkMatrix("logits", logits);
  const { rows: B, cols: K } = logits;
  checkTargets(targets, B, K);
  if (out !== undefined) checkMatrix("out", out, B, K, logits.dtype);
  const scale = reductionScale(options, B);

  // Forward: the loss from each row's log-sum-exp (before `out` is written,
  // since `out` may alias `logits`).
  const lse = logSumExpRows(logits, new Float64Array(B));
  let loss = 0;
  for (let b = 0; b < B; b++) loss += lse[b] - logits.data[b * K + targets[b]];

  // Backward: softmax minus the one-hot target, scaled by the reduction.
  const grad = softmaxRows(logits, out);
  for (let b = 0; b < B; b++) grad.data[b * K + targets[b]] -= 1;
  if (scale !== 1) {
    for (let i = 0; i < grad.data.length; i++) grad.data[i] *= scale;
  }
  return { loss: loss * scale, grad };
}

/**
 * Binary cross-entropy on logits: loss_i = softplus(z_i) - t_i z_i, equal
 * to -t log sigmoid(z) - (1 - t) log(1 - sigmoid(z)). `logits`, `targets`,
 * `out` `[n]`, one dtype, targets in [0, 1]. Gradient: sigmoid(z) - t.
 */
export function sigmoidCrossEntropy(
  logits: FloatArray,
  targets: FloatArray,
  out?: FloatArray,
  options?: LossOptions,
): LossResult<FloatArray> {
  checkFloatArray("logits", logits);
  const n = logits.length;
  checkFloatArray("targets", targets, n, dtypeOf(logits));
  const grad = outLike("out", out, logits);
  const scale = reductionScale(options, n);

  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i];
    const t = targets[i];
    if (!(t >= 0 && t <= 1)) {
      throw new RangeError(
        `targets[${i}]: expected a value in [0, 1], got ${t}`,
      );
    }
    // Forward, softplus(z) - t z, written so exp never overflows.
    const e = Math.exp(-Math.abs(z));
    loss += (z > 0 ? z : 0) + Math.log1p(e) - t * z;
    // Backward, sigmoid(z) - t, from the same exp(-|z|).
    const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    grad[i] = (p - t) * scale;
  }
  return { loss: loss * scale, grad };
}

/**
 * Mean squared error: loss = mean_i (y_i - t_i)^2, gradient
 * 2 (y_i - t_i) / n. `predictions`, `targets`, `out` `[n]`, one dtype.
 */
export function meanSquaredError(
  predictions: FloatArray,
  targets: FloatArray,
  out?: FloatArray,
  options?: LossOptions,
): LossResult<FloatArray> {
  checkFloatArray("predictions", predictions);
  const n = predictions.length;
  checkFloatArray("targets", targets, n, dtypeOf(predictions));
  const grad = outLike("out", out, predictions);
  const scale = reductionScale(options, n);

  let loss = 0;
  for (let i = 0; i < n; i++) {
    const r = predictions[i] - targets[i];
    loss += r * r;
    grad[i] = 2 * r * scale;
  }
  return { loss: loss * scale, grad };
}

function checkTargets(targets: unknown, B: number, K: number): void {
  const length = (targets as { length?: unknown } | null)?.length;
  if (typeof targets !== "object" || targets === null) {
    throw new TypeError(
      `targets: expected an array of class indices, got ${describeValue(targets)}`,
    );
  }
  if (length !== B) {
    throw new RangeError(`targets: expected length ${B}, got ${length}`);
  }
  const t = targets as ArrayLike<number>;
  for (let b = 0; b < B; b++) {
    if (!Number.isInteger(t[b]) || t[b] < 0 || t[b] >= K) {
      throw new RangeError(
        `targets[${b}]: expected an integer in [0, ${K}), got ${t[b]}`,
      );
    }
  }
}
