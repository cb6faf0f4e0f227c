/**
 * Elementwise and vector kernels over typed arrays (issue 3): activations
 * with their backward passes, vector arithmetic, reductions and seeded
 * sampling. Row-wise kernels over matrices (softmax, log-sum-exp, row and
 * column sums) are in `ops-rows.ts` and re-exported here.
 *
 * Conventions: every kernel takes an optional `out` so that a training loop
 * can reuse its buffers; `out` may be the input itself (in place). `out`
 * must have the input's length and dtype; a float32 array is never mixed
 * with a float64 one (TypeError). Sums are accumulated in float64 (a JS
 * number) whatever the storage type.
 *
 * Stability: sigmoid, softplus and log-sigmoid never evaluate `exp` of a
 * positive argument, so they stay finite and accurate for inputs of +-1000
 * and beyond.
 */

import type { Random } from "./random";
import {
  checkFloatArray,
  dtypeOf,
  describeValue,
  outLike,
  type FloatArray,
} from "./tensor";

export * from "./ops-rows";

/** Throws unless `x` is a float array; returns `out` checked or new. */
function unaryOut(x: unknown, out: unknown): FloatArray {
  return outLike("out", out, checkFloatArray("x", x));
}

/** Throws unless `a` and `b` are float arrays of equal length and dtype. */
function checkPair(a: unknown, b: unknown, nameA: string, nameB: string) {
  const first = checkFloatArray(nameA, a);
  checkFloatArray(nameB, b, first.length, dtypeOf(first));
}

// ---------------------------------------------------------------------------
// Activations, forward and backward side by side. Each backward takes the
// forward output `y` (not the input) and the upstream gradient `dy`, which
// is what an RNN cell keeps in its cache.

/**
 * Logistic sigmoid 1 / (1 + exp(-x)), elementwise; `x`, `out` `[n]`.
 * For x < 0 it is computed as exp(x) / (1 + exp(x)) so exp never overflows.
 */
export function sigmoid(x: FloatArray, out?: FloatArray): FloatArray {
  const y = unaryOut(x, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) {
      y[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
  return y;
}

/** dx = dy * y * (1 - y), with y = sigmoid(x); all `[n]`. */
export function sigmoidBackward(
  y: FloatArray,
  dy: FloatArray,
  out?: FloatArray,
): FloatArray {
  checkPair(y, dy, "y", "dy");
  const dx = outLike("out", out, y);
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  return dx;
}

/** Hyperbolic tangent, elementwise; `x`, `out` `[n]`. */
export function tanh(x: FloatArray, out?: FloatArray): FloatArray {
  const y = unaryOut(x, out);
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
  return y;
}

/** dx = dy * (1 - y^2), with y = tanh(x); all `[n]`. */
export function tanhBackward(
  y: FloatArray,
  dy: FloatArray,
  out?: FloatArray,
): FloatArray {
  checkPair(y, dy, "y", "dy");
  const dx = outLike("out", out, y);
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  return dx;
}

/**
 * softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)),
 * elementwise; `x`, `out` `[n]`. Its derivative is sigmoid(x).
 */
export function softplus(x: FloatArray, out?: FloatArray): FloatArray {
  const y = unaryOut(x, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return y;
}

/**
 * log(sigmoid(x)) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|)),
 * elementwise; `x`, `out` `[n]`. Exact to rounding at x = -1000 (gives
 * -1000, where log(sigmoid(x)) computed naively gives -Infinity).
 */
export function logSigmoid(x: FloatArray, out?: FloatArray): FloatArray {
  const y = unaryOut(x, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = (v < 0 ? v : 0) - Math.log1p(Math.exp(-Math.abs(v)));
  }
  return y;
}

/**
 * ReLU max(x, 0), elementwise; `x`, `out` `[n]`. NaN stays NaN (as in
 * NumPy and PyTorch), so a diverging model reaches the loss check.
 */
export function relu(x: FloatArray, out?: FloatArray): FloatArray {
  const y = unaryOut(x, out);
  for (let i = 0; i < x.length; i++) y[i] = x[i] < 0 ? 0 : x[i];
  return y;
}

/** dx = dy where y > 0, else 0, with y = relu(x); all `[n]`. */
export function reluBackward(
  y: FloatArray,
  dy: FloatArray,
  out?: FloatArray,
): FloatArray {
  checkPair(y, dy, "y", "dy");
  const dx = outLike("out", out, y);
  for (let i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
  return dx;
}

/**
 * out[i] = f(x[i], i), elementwise; `x`, `out` `[n]`. A closure per element
 * is slower than the dedicated kernels: use it outside hot loops.
 */
export function map(
  x: FloatArray,
  f: (value: number, index: number) => number,
  out?: FloatArray,
): FloatArray {
  const y = unaryOut(x, out);
  if (typeof f !== "function") {
    throw new TypeError(`f: expected a function, got ${describeValue(f)}`);
  }
  for (let i = 0; i < x.length; i++) y[i] = f(x[i], i);
  return y;
}

// ---------------------------------------------------------------------------
// Vector arithmetic (BLAS level 1 style).

/** out = a + b, elementwise; all `[n]`, one dtype. */
export function add(a: FloatArray, b: FloatArray, out?: FloatArray) {
  checkPair(a, b, "a", "b");
  const y = outLike("out", out, a);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

/** out = a - b, elementwise; all `[n]`, one dtype. */
export function sub(a: FloatArray, b: FloatArray, out?: FloatArray) {
  checkPair(a, b, "a", "b");
  const y = outLike("out", out, a);
  for (let i = 0; i < a.length; i++) y[i] = a[i] - b[i];
  return y;
}

/** out = a * b (Hadamard product), elementwise; all `[n]`, one dtype. */
export function mul(a: FloatArray, b: FloatArray, out?: FloatArray) {
  checkPair(a, b, "a", "b");
  const y = outLike("out", out, a);
  for (let i = 0; i < a.length; i++) y[i] = a[i] * b[i];
  return y;
}

/** out = alpha * x; `x`, `out` `[n]`. */
export function scale(
  x: FloatArray,
  alpha: number,
  out?: FloatArray,
): FloatArray {
  const y = unaryOut(x, out);
  checkNumber("alpha", alpha);
  for (let i = 0; i < x.length; i++) y[i] = alpha * x[i];
  return y;
}

/** y += alpha * x, in place; returns y. `x`, `y` `[n]`, one dtype. */
export function axpy(alpha: number, x: FloatArray, y: FloatArray): FloatArray {
  checkNumber("alpha", alpha);
  checkPair(x, y, "x", "y");
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
  return y;
}

// ---------------------------------------------------------------------------
// Reductions over a whole array (accumulated in float64).

/** Sum of the elements of `x` `[n]`; 0 for an empty array. */
export function sum(x: FloatArray): number {
  checkFloatArray("x", x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Inner product of `a` and `b`, both `[n]`, one dtype. */
export function dot(a: FloatArray, b: FloatArray): number {
  checkPair(a, b, "a", "b");
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Largest element of `x` `[n]`; NaN if any element is NaN. */
export function max(x: FloatArray): number {
  checkNonEmpty(x);
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Mean of the elements of `x` `[n]`, n >= 1. */
export function mean(x: FloatArray): number {
  checkNonEmpty(x);
  return sum(x) / x.length;
}

// ---------------------------------------------------------------------------
// Seeded sampling and initialisation.

/**
 * Bernoulli samples: out[i] = 1 with probability p[i], else 0 (one
 * `random.uniform()` per element, in index order, so a seed fixes the
 * result). `p`, `out` `[n]`; every p[i] must lie in [0, 1].
 */
export function bernoulli(
  p: FloatArray,
  random: Random,
  out?: FloatArray,
): FloatArray {
  const y = unaryOut(p, out);
  checkRandom(random);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    // The negated test also rejects NaN.
    if (!(pi >= 0 && pi <= 1)) {
      throw new RangeError(
        `p[${i}]: expected a probability in [0, 1], got ${pi}`,
      );
    }
    y[i] = random.uniform() < pi ? 1 : 0;
  }
  return y;
}

/** Fills `out` `[n]` with normal deviates N(mean, std^2); returns it. */
export function fillNormal(
  out: FloatArray,
  random: Random,
  mean = 0,
  std = 1,
): FloatArray {
  checkFloatArray("out", out);
  checkRandom(random);
  for (let i = 0; i < out.length; i++) out[i] = random.normal(mean, std);
  return out;
}

/** Fills `out` `[n]` with uniform numbers in [low, high); returns it. */
export function fillUniform(
  out: FloatArray,
  random: Random,
  low = 0,
  high = 1,
): FloatArray {
  checkFloatArray("out", out);
  checkRandom(random);
  checkNumber("low", low);
  checkNumber("high", high);
  if (!(high >= low)) {
    throw new RangeError(`high: expected >= low (${low}), got ${high}`);
  }
  const width = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + width * random.uniform();
  return out;
}

function checkNumber(name: string, value: unknown): void {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected a number, got ${describeValue(value)}`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name}: expected a finite number, got ${value}`);
  }
}

function checkNonEmpty(x: unknown): void {
  const array = checkFloatArray("x", x);
  if (array.length === 0) {
    throw new RangeError("x: expected at least one element, got length 0");
  }
}

function checkRandom(random: unknown): void {
  const uniform = (random as { uniform?: unknown } | null)?.uniform;
  if (typeof uniform !== "function") {
    throw new TypeError(
      `random: expected a Random (seeded source), got ${describeValue(random)}`,
    );
  }
}
