import { describe, expect, it } from "vitest";

import {
  GradientCheckError,
  assertGradients,
  gradCheck,
  numericGradient,
} from "../../lib/src/gradcheck.js";
import {
  meanSquaredError,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from "../../lib/src/losses.js";
import {
  dot,
  fillNormal,
  logSumExpRows,
  sigmoid,
  sigmoidBackward,
  softmaxRows,
  softmaxRowsBackward,
  softplus,
  sum,
  tanh,
  tanhBackward,
} from "../../lib/src/ops.js";
import { Random } from "../../lib/src/random.js";
import { Matrix } from "../../lib/src/tensor.js";

const TOLERANCE = 1e-7;

/** Random float64 vector of length n, N(0, std^2). */
function randomVector(n: number, seed: number, std = 1): Float64Array {
  return fillNormal(
    new Float64Array(n),
    new Random(seed),
    0,
    std,
  ) as Float64Array;
}

/** f(x) = sum_j softplus(x_j) + logsumexp(x), and its gradient. */
function softplusPlusLse(x: Float64Array): number {
  const row = new Matrix(1, x.length, x);
  return sum(softplus(x)) + logSumExpRows(row)[0];
}
function softplusPlusLseGrad(x: Float64Array): Float64Array {
  const g = sigmoid(x) as Float64Array;
  const p = softmaxRows(new Matrix(1, x.length, x)).data;
  for (let i = 0; i < x.length; i++) g[i] += p[i];
  return g;
}

describe("gradCheck", () => {
  it("passes a right gradient of a softplus and log-sum-exp composition", () => {
    const x = randomVector(8, 1, 3);
    const result = gradCheck(softplusPlusLse, x, softplusPlusLseGrad(x), {
      tolerance: TOLERANCE,
    });
    expect(result.ok).toBe(true);
    expect(result.maxRelError).toBeLessThan(TOLERANCE);
    expect(result.tolerance).toBe(TOLERANCE);
  });

  it("catches a wrong gradient and reports the worst index and values", () => {
    const x = randomVector(8, 2, 3);
    const wrong = softplusPlusLseGrad(x);
    wrong[5] += 1e-3;
    const result = gradCheck(softplusPlusLse, x, wrong);
    expect(result.ok).toBe(false);
    expect(result.worstIndex).toBe(5);
    expect(result.analyticValue).toBe(wrong[5]);
    expect(result.numericValue).toBeCloseTo(wrong[5] - 1e-3, 8);
    expect(result.maxRelError).toBeGreaterThan(1e-4);
  });

  it("fails on a NaN in the analytic gradient", () => {
    const x = randomVector(3, 3);
    const g = softplusPlusLseGrad(x);
    g[1] = NaN;
    const result = gradCheck(softplusPlusLse, x, g);
    expect(result.ok).toBe(false);
    expect(result.worstIndex).toBe(1);
  });

  it("restores x exactly after perturbing it", () => {
    const x = randomVector(6, 4);
    const copy = x.slice();
    numericGradient(softplusPlusLse, x);
    expect(x).toEqual(copy);
  });

  it("rejects float32 input, a length mismatch and unknown options", () => {
    const x = randomVector(3, 5);
    const f32 = new Float32Array(3) as unknown as Float64Array;
    expect(() => gradCheck(softplusPlusLse, f32, [0, 0, 0])).toThrow(TypeError);
    expect(() => gradCheck(softplusPlusLse, x, [0, 0])).toThrow(
      "analytic: expected length 3 (as x), got 2",
    );
    expect(() =>
      gradCheck(softplusPlusLse, x, [0, 0, 0], { h: 1 } as unknown as {
        eps: number;
      }),
    ).toThrow(RangeError);
  });

  it("names the entry where f is not finite", () => {
    const f = (x: Float64Array) => (x[1] > 1 ? Infinity : x[0] + x[1]);
    expect(() => numericGradient(f, Float64Array.from([0, 1]))).toThrow(
      /f: expected a finite value near x\[1\]/,
    );
  });
});

describe("assertGradients", () => {
  it("throws naming the largest error, its index and both values", () => {
    const x = randomVector(4, 6);
    const wrong = softplusPlusLseGrad(x);
    wrong[2] *= -1;
    let caught: unknown;
    try {
      assertGradients(softplusPlusLse, x, wrong);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GradientCheckError);
    const e = caught as GradientCheckError;
    expect(e.result.worstIndex).toBe(2);
    expect(e.message).toContain("at index 2");
    expect(e.message).toContain(`analytic ${wrong[2]}`);
    expect(e.message).toContain(`numeric ${e.result.numericValue}`);
  });

  it("returns the result when the gradient is right", () => {
    const x = randomVector(4, 7);
    const r = assertGradients(softplusPlusLse, x, softplusPlusLseGrad(x));
    expect(r.ok).toBe(true);
  });
});

// Backward kernels: f(x) = sum(Y(x) * R) for a fixed random R, whose
// gradient is backward(Y, dY = R).
describe("backward kernels pass the gradient check", () => {
  const n = 7;
  const R = randomVector(n, 20);

  it("sigmoidBackward", () => {
    const x = randomVector(n, 21, 4);
    const f = (v: Float64Array) => dot(sigmoid(v), R);
    assertGradients(f, x, sigmoidBackward(sigmoid(x), R), {
      tolerance: TOLERANCE,
    });
  });

  it("tanhBackward", () => {
    const x = randomVector(n, 22, 2);
    const f = (v: Float64Array) => dot(tanh(v), R);
    assertGradients(f, x, tanhBackward(tanh(x), R), { tolerance: TOLERANCE });
  });

  it("softmaxRowsBackward", () => {
    const rows = 3;
    const cols = 4;
    const dY = new Matrix(rows, cols, randomVector(rows * cols, 23));
    const x = randomVector(rows * cols, 24, 3);
    const f = (v: Float64Array) =>
      dot(softmaxRows(new Matrix(rows, cols, v)).data, dY.data);
    const Y = softmaxRows(new Matrix(rows, cols, x));
    const dX = softmaxRowsBackward(Y, dY);
    assertGradients(f, x, dX.data, { tolerance: TOLERANCE });
  });
});

// Losses with large logits have gradient entries near 1e-5 (probabilities
// of unlikely classes). f itself is computed with an error of a few ulps
// of its largest term (a log-sum-exp near 10), about 1e-14, so the central
// difference with eps = 1e-5 carries an absolute error up to ~5e-10. A
// floor of 1e-3 on the denominator bounds that noise at ~5e-7 relative
// (seeds 30 to 43 measured at most 8e-8), under the 1e-6 tolerance, while a
// wrong term of size 1e-5 still gives a relative error near 1e-2.
const LOSS_CHECK = { eps: 1e-5, floor: 1e-3, tolerance: 1e-6 };

describe("losses pass the gradient check", () => {
  it("softmaxCrossEntropy, mean and sum reductions", () => {
    const B = 4;
    const K = 6;
    const targets = Int32Array.from([0, 5, 2, 2]);
    const x = randomVector(B * K, 30, 5);
    for (const reduction of ["mean", "sum"] as const) {
      const f = (v: Float64Array) =>
        softmaxCrossEntropy(new Matrix(B, K, v), targets, undefined, {
          reduction,
        }).loss;
      const { grad } = softmaxCrossEntropy(
        new Matrix(B, K, x.slice()),
        targets,
        undefined,
        { reduction },
      );
      assertGradients(f, x, grad.data, LOSS_CHECK);
    }
  });

  it("catches a wrong softmaxCrossEntropy gradient with these settings", () => {
    const B = 2;
    const K = 5;
    const targets = [1, 3];
    const x = randomVector(B * K, 34, 5);
    const f = (v: Float64Array) =>
      softmaxCrossEntropy(new Matrix(B, K, v), targets).loss;
    const { grad } = softmaxCrossEntropy(new Matrix(B, K, x.slice()), targets);
    // the gradient without the 1/B of the mean, a typical slip
    for (let i = 0; i < grad.data.length; i++) grad.data[i] *= B;
    const result = gradCheck(f, x, grad.data, LOSS_CHECK);
    expect(result.ok).toBe(false);
    expect(result.maxRelError).toBeGreaterThan(0.3);
  });

  it("sigmoidCrossEntropy with soft targets", () => {
    const x = randomVector(9, 31, 4);
    const t = Float64Array.from([0, 1, 0.3, 1, 0, 0.5, 0.9, 1, 0]);
    const f = (v: Float64Array) => sigmoidCrossEntropy(v, t).loss;
    const { grad } = sigmoidCrossEntropy(x, t);
    assertGradients(f, x, grad, LOSS_CHECK);
  });

  it("meanSquaredError", () => {
    const x = randomVector(5, 32);
    const t = randomVector(5, 33);
    const f = (v: Float64Array) => meanSquaredError(v, t).loss;
    assertGradients(f, x, meanSquaredError(x, t).grad, LOSS_CHECK);
  });

  it("softmaxCrossEntropy writes its gradient over the logits when asked", () => {
    const Z = Matrix.fromRows([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const expected = softmaxCrossEntropy(Z.clone(), [2, 0]);
    const inPlace = softmaxCrossEntropy(Z, [2, 0], Z);
    expect(inPlace.grad).toBe(Z);
    expect(inPlace.loss).toBe(expected.loss);
    expect(Z.data).toEqual(expected.grad.data);
  });
});
