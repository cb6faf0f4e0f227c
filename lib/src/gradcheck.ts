/**
 * Central-difference gradient checks in float64 (issue 3; STYLE habit 13:
 * every `backward` is checked this way, with a tolerance that fails hard).
 *
 * For a scalar function f of x `[n]` the numerical gradient is
 *   n_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps),
 * with a truncation error of O(eps^2). Each entry is compared with the analytic gradient a_i by
 *   relErr_i = |a_i - n_i| / max(|a_i| + |n_i|, floor),
 * and the check passes when max_i relErr_i <= tolerance (defaults: eps
 * 1e-6, floor 1e-8, tolerance 1e-6).
 *
 * Choosing eps and floor: f is computed with an error of a few ulps of its
 * largest intermediate term, so n_i carries an absolute error of about
 * 1e-16 |term| / eps on top of the O(eps^2) truncation error. Entries
 * whose true gradient is tiny (probabilities of unlikely classes, ~1e-5)
 * then show relative errors of 1e-4 or more although the code is right.
 * For such functions use eps 1e-5 (near the best step, cube root of the
 * machine epsilon) and floor 1e-3: relErr then measures small entries by
 * their absolute error, which must stay under tolerance * floor (1e-9).
 * Measured on softmax cross-entropy with N(0, 25) logits: defaults give
 * up to 4e-3, eps 1e-5 with floor 1e-3 at most 8e-8.
 *
 * To check a layer's backward with a matrix output Y, take
 * f(x) = sum(Y(x) * R) for a fixed random R and pass R as the upstream
 * gradient: the analytic gradient is then backward(R).
 */

import { checkOptionKeys, describeValue } from "./tensor";

/** Options of `gradCheck` and `assertGradients`. */
export interface GradCheckOptions {
  /** Step eps > 0 of the central difference; default 1e-6. */
  eps?: number;
  /** Largest relative error that passes; default 1e-6. */
  tolerance?: number;
  /** Smallest denominator of the relative error; default 1e-8. */
  floor?: number;
}

/** Outcome of a gradient check. */
export interface GradCheckResult {
  /** Largest relative error over all entries. */
  maxRelError: number;
  /** Index of the entry with the largest relative error (-1 if n = 0). */
  worstIndex: number;
  /** Analytic gradient at `worstIndex`. */
  analyticValue: number;
  /** Numerical gradient at `worstIndex`. */
  numericValue: number;
  /** true when maxRelError <= tolerance. */
  ok: boolean;
  /** The tolerance the check used. */
  tolerance: number;
  /** Numerical gradient, `[n]`. */
  numeric: Float64Array;
}

/** Thrown by `assertGradients`; carries the full result. */
export class GradientCheckError extends Error {
  constructor(readonly result: GradCheckResult) {
    const r = result;
    super(
      `gradient check failed: largest relative error ${r.maxRelError.toExponential(3)} ` +
        `> tolerance ${r.tolerance} at index ${r.worstIndex} ` +
        `(analytic ${r.analyticValue}, numeric ${r.numericValue})`,
    );
    this.name = "GradientCheckError";
  }
}

function positiveOption(value: unknown, name: string, fallback: number) {
  const v = value ?? fallback;
  if (typeof v !== "number") {
    throw new TypeError(
      `options.${name}: expected a number, got ${describeValue(v)}`,
    );
  }
  if (!(v > 0 && v < Infinity)) {
    throw new RangeError(`options.${name}: expected a number > 0, got ${v}`);
  }
  return v;
}

/**
 * Central-difference gradient of `f` at `x` `[n]` (float64). `x` is
 * perturbed in place and restored exactly after each entry. Throws a
 * RangeError naming the entry if f is not finite there.
 */
export function numericGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  eps = 1e-6,
): Float64Array {
  if (typeof f !== "function") {
    throw new TypeError(`f: expected a function, got ${describeValue(f)}`);
  }
  if (!(x instanceof Float64Array)) {
    throw new TypeError(
      `x: expected a Float64Array (checks run in float64), got ${describeValue(x)}`,
    );
  }
  positiveOption(eps, "eps", 1e-6);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = f(x);
    x[i] = saved - eps;
    const minus = f(x);
    x[i] = saved;
    if (!Number.isFinite(plus) || !Number.isFinite(minus)) {
      throw new RangeError(
        `f: expected a finite value near x[${i}], got ${plus} and ${minus}`,
      );
    }
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}

/**
 * Compares `analytic` `[n]` with the central-difference gradient of `f` at
 * `x` `[n]` and reports the largest relative error (formula in the module
 * header) and where it occurs. Does not throw on a mismatch: see
 * `assertGradients`.
 */
export function gradCheck(
  f: (x: Float64Array) => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  options: GradCheckOptions = {},
): GradCheckResult {
  checkOptionKeys("options", options, ["eps", "tolerance", "floor"]);
  const eps = positiveOption(options.eps, "eps", 1e-6);
  const tolerance = positiveOption(options.tolerance, "tolerance", 1e-6);
  const floor = positiveOption(options.floor, "floor", 1e-8);
  if (!isArrayLike(analytic)) {
    throw new TypeError(
      `analytic: expected an Array or typed array, got ${describeValue(analytic)}`,
    );
  }
  const a = analytic;
  if (a.length !== x.length) {
    throw new RangeError(
      `analytic: expected length ${x.length} (as x), got ${a.length}`,
    );
  }
  const numeric = numericGradient(f, x, eps);

  let maxRelError = 0;
  let worstIndex = x.length > 0 ? 0 : -1;
  for (let i = 0; i < x.length; i++) {
    const diff = Math.abs(a[i] - numeric[i]);
    const scale = Math.max(Math.abs(a[i]) + Math.abs(numeric[i]), floor);
    // A NaN analytic entry must fail, so compare with a negated test.
    const err = diff !== diff ? Infinity : diff / scale;
    if (err > maxRelError) {
      maxRelError = err;
      worstIndex = i;
    }
  }
  return {
    maxRelError,
    worstIndex,
    analyticValue: worstIndex >= 0 ? a[worstIndex] : NaN,
    numericValue: worstIndex >= 0 ? numeric[worstIndex] : NaN,
    ok: maxRelError <= tolerance,
    tolerance,
    numeric,
  };
}

/**
 * `gradCheck`, then throws a `GradientCheckError` naming the largest
 * relative error, its index and both gradient values if it exceeds the
 * tolerance. Returns the result when the check passes.
 */
export function assertGradients(
  f: (x: Float64Array) => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  options?: GradCheckOptions,
): GradCheckResult {
  const result = gradCheck(f, x, analytic, options);
  if (!result.ok) throw new GradientCheckError(result);
  return result;
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return (
    Array.isArray(value) ||
    value instanceof Float64Array ||
    value instanceof Float32Array
  );
}
