import { describe, expect, it } from "vitest";

import {
  Adagrad,
  Adam,
  SGD,
  clipByGlobalNorm,
  clipByValue,
  parameter,
  type Parameter,
} from "../../lib/src/optim.js";
import { Matrix } from "../../lib/src/tensor.js";

/** A float64 parameter with the given values and gradient. */
function param(name: string, value: number[], grad: number[]): Parameter {
  return {
    name,
    value: Float64Array.from(value),
    grad: Float64Array.from(grad),
  };
}

describe("SGD", () => {
  it("takes two momentum steps as derived by hand", () => {
    // lr 0.1, mu 0.9, constant gradient g = [0.5, 1]:
    // step 1: v = g = [0.5, 1], w = [1, -2] - 0.1 v = [0.95, -2.1]
    // step 2: v = 0.9 [0.5, 1] + [0.5, 1] = [0.95, 1.9],
    //         w = [0.95, -2.1] - 0.1 v = [0.855, -2.29]
    const p = param("w", [1, -2], [0.5, 1]);
    const sgd = new SGD([p], { learningRate: 0.1, momentum: 0.9 });
    sgd.step();
    expect(p.value[0]).toBeCloseTo(0.95, 15);
    expect(p.value[1]).toBeCloseTo(-2.1, 15);
    sgd.step();
    expect(p.value[0]).toBeCloseTo(0.855, 15);
    expect(p.value[1]).toBeCloseTo(-2.29, 15);
  });

  it("adds weight decay lambda w to the gradient", () => {
    // lr 0.1, lambda 0.1, g = 0.5, w0 = 1:
    // step 1: g' = 0.5 + 0.1 = 0.6, w = 1 - 0.06 = 0.94
    // step 2: g' = 0.5 + 0.094 = 0.594, w = 0.94 - 0.0594 = 0.8806
    const p = param("w", [1], [0.5]);
    const sgd = new SGD([p], { learningRate: 0.1, weightDecay: 0.1 });
    sgd.step();
    expect(p.value[0]).toBeCloseTo(0.94, 15);
    sgd.step();
    expect(p.value[0]).toBeCloseTo(0.8806, 15);
  });

  it("updates float32 parameters in place", () => {
    const W = Matrix.fromRows([[1, 2]], "float32");
    const p = parameter("W", W);
    expect(p.grad).toBeInstanceOf(Float32Array);
    p.grad.set([1, -1]);
    new SGD([p], { learningRate: 0.5 }).step();
    expect(W.toArray()).toEqual([[0.5, 2.5]]);
  });
});

describe("Adam", () => {
  it("takes two bias-corrected steps as derived by hand", () => {
    // lr 0.1, b1 0.9, b2 0.999, eps 1e-8, w0 = 1; g1 = 0.5, g2 = -1.
    // step 1: m = 0.05, v = 0.00025; m-hat = 0.05 / 0.1 = 0.5,
    //   v-hat = 0.00025 / 0.001 = 0.25; w = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    // step 2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001
    //   = 0.00124975; corrections 1 - 0.81 = 0.19, 1 - 0.998001 = 0.001999
    const p = param("w", [1], [0.5]);
    const adam = new Adam([p], { learningRate: 0.1 });
    adam.step();
    const w1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    expect(p.value[0]).toBeCloseTo(w1, 14);
    expect(p.value[0]).toBeCloseTo(0.900000002, 14);
    p.grad[0] = -1;
    adam.step();
    const mHat = -0.055 / 0.19;
    const vHat = 0.00124975 / 0.001999;
    const w2 = w1 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8);
    expect(p.value[0]).toBeCloseTo(w2, 14);
    expect(p.value[0]).toBeCloseTo(0.9366103542405656, 13);
    expect(adam.stepCount).toBe(2);
  });

  it("shrinks weights by (1 - lr lambda) with decoupled weight decay", () => {
    // zero gradient: the moments stay 0, so only the decay moves w
    const p = param("w", [2], [0]);
    const adamW = new Adam([p], {
      learningRate: 0.1,
      weightDecay: 0.5,
      decoupledWeightDecay: true,
    });
    adamW.step();
    expect(p.value[0]).toBeCloseTo(1.9, 15);
    adamW.step();
    expect(p.value[0]).toBeCloseTo(1.805, 15);
  });

  it("minimises a badly scaled quadratic", () => {
    // f(w) = sum_i c_i (w_i - t_i)^2 with curvatures spanning 1e4
    const c = [100, 1, 0.01];
    const t = [3, -1, 0.5];
    const p = param("w", [0, 0, 0], [0, 0, 0]);
    const adam = new Adam([p], { learningRate: 0.05 });
    const f = () =>
      c.reduce((s, ci, i) => s + ci * (p.value[i] - t[i]) ** 2, 0);
    const start = f();
    for (let step = 0; step < 3000; step++) {
      adam.zeroGrad();
      for (let i = 0; i < 3; i++) p.grad[i] += 2 * c[i] * (p.value[i] - t[i]);
      adam.step();
    }
    expect(f()).toBeLessThan(1e-6 * start);
    for (let i = 0; i < 3; i++) expect(p.value[i]).toBeCloseTo(t[i], 2);
  });
});

describe("Adagrad", () => {
  it("takes two steps as derived by hand", () => {
    // lr 0.1, eps 1e-10, w0 = 1; g1 = 0.5, g2 = -1:
    // step 1: G = 0.25, w = 1 - 0.1 * 0.5 / (0.5 + 1e-10) = 0.90000000002
    // step 2: G = 1.25, w = w1 + 0.1 / (sqrt(1.25) + 1e-10)
    const p = param("w", [1], [0.5]);
    const adagrad = new Adagrad([p], { learningRate: 0.1 });
    adagrad.step();
    expect(p.value[0]).toBeCloseTo(0.90000000002, 15);
    p.grad[0] = -1;
    adagrad.step();
    const w2 = 0.90000000002 + 0.1 / (Math.sqrt(1.25) + 1e-10);
    expect(p.value[0]).toBeCloseTo(w2, 14);
    expect(p.value[0]).toBeCloseTo(0.9894427191119917, 13);
  });
});

describe("gradient buffers", () => {
  it("accumulate until zeroGrad clears them explicitly", () => {
    const p = param("w", [1, 1], [0, 0]);
    const sgd = new SGD([p], { learningRate: 0.1 });
    p.grad[0] += 1;
    p.grad[0] += 2;
    sgd.step();
    expect(p.grad[0]).toBe(3); // step does not clear
    expect(p.value[0]).toBeCloseTo(0.7, 15);
    sgd.zeroGrad();
    expect(Array.from(p.grad)).toEqual([0, 0]);
  });
});

describe("clipping", () => {
  it("scales all gradients to the global norm exactly", () => {
    // norm of [3, 4, 12] = 13; maxNorm 6.5 halves every entry
    const a = param("a", [0, 0], [3, 4]);
    const b = param("b", [0], [12]);
    expect(clipByGlobalNorm([a, b], 6.5)).toBe(13);
    expect(Array.from(a.grad)).toEqual([1.5, 2]);
    expect(Array.from(b.grad)).toEqual([6]);
    expect(clipByGlobalNorm([a, b], 6.5)).toBe(6.5);
  });

  it("leaves gradients under the norm untouched", () => {
    const a = param("a", [0, 0], [3, 4]);
    expect(clipByGlobalNorm([a], 10)).toBe(5);
    expect(Array.from(a.grad)).toEqual([3, 4]);
  });

  it("leaves a non-finite norm for the caller to handle", () => {
    const a = param("a", [0, 0], [Infinity, 1]);
    expect(clipByGlobalNorm([a], 1)).toBe(Infinity);
    expect(Array.from(a.grad)).toEqual([Infinity, 1]);
  });

  it("clamps each entry by value", () => {
    const a = param("a", [0, 0, 0], [-3, 0.2, 7]);
    clipByValue([a], 1);
    expect(Array.from(a.grad)).toEqual([-1, 0.2, 1]);
  });
});

describe("optimizer options", () => {
  it("throw on unsupported, missing or out-of-range options", () => {
    const p = param("w", [1], [0]);
    const bad = { learningRate: 0.1, nesterov: true } as unknown as {
      learningRate: number;
    };
    expect(() => new SGD([p], bad)).toThrow(/options.nesterov: unsupported/);
    expect(() => new SGD([p], {} as { learningRate: number })).toThrow(
      "options.learningRate: expected a number, got undefined",
    );
    expect(() => new Adam([p], { learningRate: -1 })).toThrow(
      "options.learningRate: expected a number > 0, got -1",
    );
    expect(() => new SGD([p], { learningRate: 1, momentum: 1 })).toThrow(
      "options.momentum: expected a number in [0, 1), got 1",
    );
    expect(() => new Adagrad([p], { learningRate: 1, epsilon: 0 })).toThrow(
      RangeError,
    );
  });

  it("throw on mismatched or duplicate parameters", () => {
    const short = param("w", [1, 2], [0]);
    expect(() => new SGD([short], { learningRate: 1 })).toThrow(
      "w.grad: expected length 2, got 1",
    );
    const mixed: Parameter = {
      name: "m",
      value: new Float32Array(1),
      grad: new Float64Array(1),
    };
    expect(() => new Adam([mixed], { learningRate: 1 })).toThrow(TypeError);
    const a = param("w", [1], [0]);
    expect(() => new SGD([a, a], { learningRate: 1 })).toThrow(
      'params[1]: duplicate name "w"',
    );
    expect(() => clipByGlobalNorm([a], 0)).toThrow(RangeError);
  });
});
