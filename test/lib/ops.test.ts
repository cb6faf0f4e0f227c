import { describe, expect, it } from "vitest";

import {
  meanSquaredError,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from "../../lib/src/losses.js";
import {
  add,
  addRowVector,
  argmaxRows,
  axpy,
  bernoulli,
  dot,
  fillNormal,
  fillUniform,
  logSigmoid,
  logSumExpRows,
  map,
  max,
  mean,
  mul,
  relu,
  scale,
  sigmoid,
  softmaxRows,
  softplus,
  sub,
  sum,
  sumCols,
  sumRows,
  tanh,
} from "../../lib/src/ops.js";
import { Random } from "../../lib/src/random.js";
import { Matrix } from "../../lib/src/tensor.js";

const f64 = (...v: number[]) => Float64Array.from(v);
const f32 = (...v: number[]) => Float32Array.from(v);

/** |actual - expected| <= rel * |expected| (exact match when both are 0). */
function expectRelClose(actual: number, expected: number, rel: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    rel * Math.abs(expected),
  );
}

// Expected values near 0 and in the tails come from Taylor series of the
// exact functions (independent of the code's formulas):
// sigmoid(x) = 1/2 + x/4 - x^3/48 + O(x^5);
// log(1 + u) = u - u^2/2 + O(u^3) with u = exp(-30) for the tails.
const U = Math.exp(-30);
const LOG1P_U = U - (U * U) / 2;

describe("sigmoid", () => {
  it("is finite and saturates exactly at +-1000", () => {
    const y = sigmoid(f64(1000, -1000));
    expect(y[0]).toBe(1);
    expect(y[1]).toBe(0); // exp(-1000) ~ 5e-435 underflows to 0
  });

  it("matches its series near 0 and in the left tail", () => {
    const x = 1e-4;
    const y = sigmoid(f64(x, -30));
    expectRelClose(y[0], 0.5 + x / 4 - x ** 3 / 48, 1e-15);
    // sigmoid(-30) = u / (1 + u) = u - u^2 + ...; relative accuracy kept
    expectRelClose(y[1], U - U * U, 1e-14);
  });

  it("satisfies sigmoid(x) + sigmoid(-x) = 1", () => {
    const xs = f64(-1000, -40, -5, -0.3, 0, 1e-9, 2, 17, 1000);
    const plus = sigmoid(xs);
    const minus = sigmoid(scale(xs, -1));
    // each value carries about one rounding of 2^-53 relative, the sum one
    // more: a bound of two machine epsilons (2^-52 each)
    for (let i = 0; i < xs.length; i++) {
      const gap = Math.abs(plus[i] + minus[i] - 1);
      expect(gap).toBeLessThanOrEqual(2 * Number.EPSILON);
    }
  });

  it("gives float32 results within float32 rounding of float64", () => {
    const xs = [-1000, -20, -1, 0, 0.5, 3, 1000];
    const y32 = sigmoid(Float32Array.from(xs));
    const y64 = sigmoid(Float64Array.from(xs.map(Math.fround)));
    expect(y32).toBeInstanceOf(Float32Array);
    for (let i = 0; i < xs.length; i++) {
      expect(Number.isFinite(y32[i])).toBe(true);
      expect(y32[i]).toBe(Math.fround(y64[i]));
    }
  });
});

describe("softplus", () => {
  it("is x at 1000 and 0 at -1000, not Infinity", () => {
    const y = softplus(f64(1000, -1000));
    expect(y[0]).toBe(1000);
    expect(y[1]).toBe(0);
  });

  it("is ln 2 at 0 and keeps relative accuracy in the left tail", () => {
    const y = softplus(f64(0, -30, 30));
    expect(y[0]).toBe(Math.LN2);
    expectRelClose(y[1], LOG1P_U, 1e-14);
    expectRelClose(y[2], 30 + LOG1P_U, 1e-15);
  });

  it("satisfies softplus(x) - softplus(-x) = x", () => {
    const xs = f64(-1000, -50, -3, -1e-8, 0, 0.7, 9, 1000);
    const plus = softplus(xs);
    const minus = softplus(scale(xs, -1));
    for (let i = 0; i < xs.length; i++) {
      const tol = 4e-16 * Math.max(1, Math.abs(xs[i]));
      expect(Math.abs(plus[i] - minus[i] - xs[i])).toBeLessThanOrEqual(tol);
    }
  });

  it("stays finite in float32 at +-1000", () => {
    const y = softplus(f32(1000, -1000, 0));
    expect(Array.from(y)).toEqual([1000, 0, Math.fround(Math.LN2)]);
  });
});

describe("logSigmoid", () => {
  it("is exactly -1000 at -1000 and 0 at 1000", () => {
    const y = logSigmoid(f64(-1000, 1000));
    expect(y[0]).toBe(-1000);
    expect(y[1]).toBe(0);
  });

  it("keeps relative accuracy where log(sigmoid(x)) would not", () => {
    // log(sigmoid(30)) = -log1p(exp(-30)); the naive log of 1 - 9e-14 has
    // a relative error near 1e-3 from rounding 1 - u.
    const y = logSigmoid(f64(30, 0));
    expectRelClose(y[0], -LOG1P_U, 1e-14);
    expect(y[1]).toBe(-Math.LN2);
  });

  it("equals -softplus(-x)", () => {
    const xs = f64(-1000, -12, -1, 0, 0.25, 8, 1000);
    const a = logSigmoid(xs);
    const b = softplus(scale(xs, -1));
    // === rather than toBe: +0 and -0 are the same value here
    for (let i = 0; i < xs.length; i++) expect(a[i] === -b[i]).toBe(true);
  });

  it("is finite in float32 at +-1000", () => {
    expect(Array.from(logSigmoid(f32(-1000, 1000)))).toEqual([-1000, 0]);
  });
});

describe("elementwise kernels", () => {
  it("relu keeps NaN so a diverging model reaches the loss check", () => {
    expect(Array.from(relu(f64(NaN, -2, 3)))).toEqual([NaN, 0, 3]);
  });

  it("write into out, which may be the input itself", () => {
    const x = f64(-1, 0, 2);
    const out = new Float64Array(3);
    expect(relu(x, out)).toBe(out);
    expect(Array.from(out)).toEqual([0, 0, 2]);
    tanh(x, x);
    expect(Array.from(x)).toEqual([Math.tanh(-1), 0, Math.tanh(2)]);
  });

  it("compute add, sub, mul, scale, axpy and map", () => {
    const a = f64(1, 2, 3);
    const b = f64(4, 5, 6);
    expect(Array.from(add(a, b))).toEqual([5, 7, 9]);
    expect(Array.from(sub(a, b))).toEqual([-3, -3, -3]);
    expect(Array.from(mul(a, b))).toEqual([4, 10, 18]);
    expect(Array.from(scale(a, 2))).toEqual([2, 4, 6]);
    expect(Array.from(axpy(-2, a, b))).toEqual([2, 1, 0]);
    expect(Array.from(map(a, (v, i) => v * 10 + i))).toEqual([10, 21, 32]);
  });

  it("refuse to mix float32 and float64 (TypeError)", () => {
    expect(() => sigmoid(f64(1), new Float32Array(1))).toThrow(TypeError);
    expect(() => sigmoid(f64(1), new Float32Array(1))).toThrow(
      "out: expected float64 data, got float32",
    );
    expect(() => add(f32(1), f64(1))).toThrow("b: expected float32 data");
  });

  it("reject a wrong output length and a non-array input", () => {
    expect(() => tanh(f64(1, 2), new Float64Array(3))).toThrow(
      "out: expected length 2, got 3",
    );
    expect(() => sigmoid([1, 2] as unknown as Float64Array)).toThrow(TypeError);
  });
});

describe("reductions", () => {
  it("sum, dot, max and mean of a vector", () => {
    const x = f64(3, -1, 4, 1.5);
    expect(sum(x)).toBe(7.5);
    expect(dot(x, f64(1, 2, 0, 2))).toBe(4);
    expect(max(x)).toBe(4);
    expect(mean(x)).toBe(1.875);
    expect(sum(f64())).toBe(0);
    expect(max(f64(1, NaN, 2))).toBeNaN();
    expect(() => mean(f64())).toThrow(RangeError);
  });

  it("sum each row, each column, and add a row vector", () => {
    const X = Matrix.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(sumRows(X))).toEqual([6, 15]);
    expect(Array.from(sumCols(X))).toEqual([5, 7, 9]);
    addRowVector(X, f64(10, 20, 30));
    expect(X.toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(() => addRowVector(X, f64(1, 2))).toThrow(
      "v: expected length 3, got 2",
    );
  });

  it("find the first largest column of each row", () => {
    const X = Matrix.fromRows([
      [1, 5, 5],
      [-2, -3, -1],
    ]);
    expect(Array.from(argmaxRows(X))).toEqual([1, 2]);
  });
});

describe("softmaxRows and logSumExpRows", () => {
  it("make every row sum to 1", () => {
    const X = Matrix.fromRows([
      [0.3, -2, 5, 1],
      [1000, 999, -1000, 0],
      [-1000, -1000, -1000, -1000],
    ]);
    const P = softmaxRows(X);
    for (let i = 0; i < X.rows; i++) {
      expect(Math.abs(sum(P.row(i)) - 1)).toBeLessThan(1e-15);
    }
    expect(Array.from(P.row(2))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("are unchanged by shifting a row, even by 1000", () => {
    const small = Matrix.fromRows([[0, 1, 2]]);
    const huge = Matrix.fromRows([[1000, 1001, 1002]]);
    const p = softmaxRows(small).data;
    const q = softmaxRows(huge).data;
    for (let j = 0; j < 3; j++)
      expect(Math.abs(p[j] - q[j])).toBeLessThan(1e-16);
    const l = logSumExpRows(small)[0];
    const m = logSumExpRows(huge)[0];
    expect(m - 1000).toBeCloseTo(l, 12);
  });

  it("give logsumexp([1000, 1000]) = 1000 + ln 2", () => {
    const X = Matrix.fromRows([
      [1000, 1000],
      [-1000, -1000],
    ]);
    const lse = logSumExpRows(X);
    expect(lse[0]).toBe(1000 + Math.LN2);
    expect(lse[1]).toBe(-1000 + Math.LN2);
  });

  it("give -Infinity for a row of -Infinity", () => {
    const X = Matrix.fromRows([[-Infinity, -Infinity]]);
    expect(logSumExpRows(X)[0]).toBe(-Infinity);
  });

  it("work in float32 with huge logits", () => {
    const X = Matrix.fromRows([[1000, 1000, -1000]], "float32");
    const P = softmaxRows(X);
    expect(P.dtype).toBe("float32");
    expect(Array.from(P.data)).toEqual([0.5, 0.5, 0]);
    const lse = logSumExpRows(X);
    expect(lse).toBeInstanceOf(Float32Array);
    expect(lse[0]).toBe(Math.fround(1000 + Math.LN2));
  });

  it("reject an output of another shape or dtype", () => {
    const X = Matrix.zeros(2, 3);
    expect(() => softmaxRows(X, Matrix.zeros(3, 2))).toThrow(
      "out: expected shape [2, 3], got [3, 2]",
    );
    expect(() => logSumExpRows(X, new Float32Array(2))).toThrow(TypeError);
  });
});

describe("bernoulli", () => {
  it("draws ones with frequency p within 5 standard errors", () => {
    const probs = [0.02, 0.1, 0.5, 0.9];
    const n = 20000;
    const p = new Float64Array(probs.length * n);
    for (let k = 0; k < p.length; k++) p[k] = probs[k % probs.length];
    const x = bernoulli(p, new Random(11));
    probs.forEach((pk, k) => {
      let ones = 0;
      for (let s = 0; s < n; s++) ones += x[s * probs.length + k];
      const se = Math.sqrt((pk * (1 - pk)) / n);
      expect(Math.abs(ones / n - pk)).toBeLessThan(5 * se);
    });
  });

  it("always draws 0 for p = 0 and 1 for p = 1", () => {
    const x = bernoulli(f32(0, 1, 0, 1), new Random(3));
    expect(Array.from(x)).toEqual([0, 1, 0, 1]);
    expect(x).toBeInstanceOf(Float32Array);
  });

  it("repeats its samples for the same seed", () => {
    const p = new Float64Array(500).fill(0.37);
    const a = bernoulli(p, new Random(99));
    const b = bernoulli(p, new Random(99));
    const c = bernoulli(p, new Random(100));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("rejects probabilities outside [0, 1] and a missing random source", () => {
    expect(() => bernoulli(f64(0.5, 1.5), new Random(1))).toThrow(
      "p[1]: expected a probability in [0, 1], got 1.5",
    );
    expect(() => bernoulli(f64(NaN), new Random(1))).toThrow(RangeError);
    expect(() => bernoulli(f64(0.5), undefined as unknown as Random)).toThrow(
      TypeError,
    );
  });
});

describe("fillNormal and fillUniform", () => {
  it("fill with the requested moments and range, reproducibly", () => {
    const x = fillNormal(new Float64Array(40000), new Random(5), 2, 3);
    const m = mean(x);
    const variance = mean(map(x, (v) => (v - m) ** 2));
    expect(Math.abs(m - 2)).toBeLessThan((5 * 3) / 200);
    expect(Math.abs(variance - 9)).toBeLessThan(0.35);
    const u = fillUniform(new Float32Array(1000), new Random(5), -1, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
    const again = fillUniform(new Float32Array(1000), new Random(5), -1, 1);
    expect(again).toEqual(u);
  });
});

describe("losses", () => {
  it("softmaxCrossEntropy is ln K for equal logits and finite for huge ones", () => {
    const even = softmaxCrossEntropy(Matrix.zeros(2, 4), [0, 3]);
    expect(even.loss).toBeCloseTo(Math.log(4), 15);
    const huge = Matrix.fromRows([
      [1000, -1000],
      [1000, -1000],
    ]);
    const r = softmaxCrossEntropy(huge, [1, 0], undefined, {
      reduction: "sum",
    });
    // row 0: logsumexp = 1000, minus z[1] = -1000 gives 2000; row 1 gives 0
    expect(r.loss).toBe(2000);
    expect(r.grad.toArray()).toEqual([
      [1, -1],
      [0, 0],
    ]);
  });

  it("softmaxCrossEntropy rejects bad targets and options", () => {
    const Z = Matrix.zeros(2, 3);
    expect(() => softmaxCrossEntropy(Z, [0, 3])).toThrow(
      "targets[1]: expected an integer in [0, 3), got 3",
    );
    expect(() => softmaxCrossEntropy(Z, [0])).toThrow(
      "targets: expected length 2, got 1",
    );
    expect(() =>
      softmaxCrossEntropy(Z, [0, 1], undefined, {
        reduction: "max" as "sum",
      }),
    ).toThrow(RangeError);
  });

  it("sigmoidCrossEntropy is finite at +-1000", () => {
    const r = sigmoidCrossEntropy(
      f64(-1000, 1000, 0),
      f64(1, 1, 0.5),
      undefined,
      {
        reduction: "sum",
      },
    );
    // -log sigmoid(-1000) = 1000; -log sigmoid(1000) = 0; at 0: ln 2
    expect(r.loss).toBe(1000 + Math.LN2);
    expect(Array.from(r.grad)).toEqual([-1, 0, 0]);
  });

  it("meanSquaredError averages the squared residuals", () => {
    const r = meanSquaredError(f64(1, 2), f64(0, 4));
    expect(r.loss).toBe(2.5);
    expect(Array.from(r.grad)).toEqual([1, -2]);
  });
});
