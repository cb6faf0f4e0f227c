import { describe, expect, it } from "vitest";

import { assertGradients } from "../../lib/src/gradcheck.js";
import { Random } from "../../lib/src/random.js";
import { RNN } from "../../lib/src/rnn.js";
import type { SequenceInput } from "../../lib/src/rnn-input.js";
import { Matrix } from "../../lib/src/tensor.js";

// Sizes: B sequences, I inputs (= K outputs for tokens), H hidden units.
const [B, I, H, K] = [2, 4, 3, 5];
// Softmax cross-entropy has tiny gradient entries; the gradcheck module
// header recommends this step and floor (measured errors ~1e-8).
const CHECK = { eps: 1e-5, floor: 1e-3, tolerance: 1e-6 };

function setup(T: number, dense: boolean, seed: number) {
  const random = new Random(seed);
  const model = new RNN(dense ? I : K, H, K, { random, initScale: 0.8 });
  const h0 = Matrix.zeros(B, H);
  for (let i = 0; i < h0.data.length; i++) h0.data[i] = random.normal(0, 0.5);
  const targets = Int32Array.from({ length: B * T }, () => random.int(K));
  let input: SequenceInput;
  if (dense) {
    const x = Matrix.zeros(B * T, I);
    for (let i = 0; i < x.data.length; i++) x.data[i] = random.normal();
    input = { x, batch: B, steps: T };
  } else {
    const tokens = Int32Array.from({ length: B * T }, () => random.int(K));
    input = { tokens, batch: B, steps: T };
  }
  const loss = () => model.loss(model.forward(input, h0), targets);
  return { model, h0, targets, input, loss };
}

describe("RNN backward (BPTT) against central differences", () => {
  for (const dense of [false, true]) {
    for (const T of [1, 2, 3]) {
      const kind = dense ? "dense" : "one-hot";
      it(`matches for ${kind} input, T = ${T}, nonzero initial state`, () => {
        const { model, h0, targets, input, loss } = setup(T, dense, 10 + T);
        model.zeroGrad();
        const result = model.backward(model.forward(input, h0), targets);
        expect(result.loss).toBeCloseTo(loss(), 12);
        for (const p of model.params) {
          const analytic = p.grad.slice();
          assertGradients(loss, p.value as Float64Array, analytic, CHECK);
        }
        const dh0 = result.dInitialState.data.slice();
        assertGradients(loss, h0.data as Float64Array, dh0, CHECK);
        if (dense) {
          const x = (input as { x: Matrix }).x;
          const dx = (result.dInput as Matrix).data.slice();
          assertGradients(loss, x.data as Float64Array, dx, CHECK);
        }
      });
    }
  }

  it("gives the mean-reduced gradient as the summed one over B T", () => {
    const T = 3;
    const { model, h0, targets, input } = setup(T, false, 3);
    model.zeroGrad();
    const sum = model.backward(model.forward(input, h0), targets);
    const summed = model.params.map((p) => p.grad.slice());
    model.zeroGrad();
    const mean = model.backward(model.forward(input, h0), targets, {
      reduction: "mean",
    });
    expect(mean.loss).toBeCloseTo(sum.loss / (B * T), 14);
    model.params.forEach((p, k) => {
      p.grad.forEach((g, i) => {
        expect(g).toBeCloseTo(summed[k][i] / (B * T), 14);
      });
    });
  });

  it("accumulates into the gradients until they are zeroed", () => {
    const { model, h0, targets, input } = setup(2, false, 4);
    model.zeroGrad();
    model.backward(model.forward(input, h0), targets);
    const once = model.params.map((p) => p.grad.slice());
    model.backward(model.forward(input, h0), targets);
    model.params.forEach((p, k) => {
      p.grad.forEach((g, i) => expect(g).toBeCloseTo(2 * once[k][i], 13));
    });
  });

  it("returns dL/dA_t of every step, tied to dL/dA_{-1} by the chain rule", () => {
    const T = 3;
    const { model, h0, targets, input } = setup(T, false, 5);
    const cache = model.forward(input, h0);
    const r = model.backward(cache, targets, { stateGradients: true });
    const dA = r.stateGradients as Matrix;
    expect(dA.shape).toEqual([T * B, H]);
    // dL/dA_{-1} (checked numerically above) = (dA_0 * (1 - A_0^2)) W^T.
    const A0 = cache.states.data.slice(B * H, 2 * B * H);
    const dh0 = new Float64Array(B * H);
    const W = model.recurrentWeights;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < H; i++) {
        let s = 0;
        for (let j = 0; j < H; j++) {
          const dz = dA.data[b * H + j] * (1 - A0[b * H + j] ** 2);
          s += dz * W.data[i * H + j];
        }
        dh0[b * H + i] = s;
      }
    }
    dh0.forEach((v, k) => {
      expect(r.dInitialState.data[k]).toBeCloseTo(v, 13);
    });
  });
});

describe("truncated BPTT with the hidden state carried between chunks", () => {
  const T = 6;
  const random = new Random(21);
  const model = new RNN(K, H, K, { random, initScale: 0.8 });
  const tokens = Int32Array.from({ length: B * T }, () => random.int(K));
  const targets = Int32Array.from({ length: B * T }, () => random.int(K));
  const h0 = Matrix.zeros(B, H);
  h0.data.forEach((_, i) => (h0.data[i] = random.normal(0, 0.5)));

  /** Steps [from, from + n) of each row of a [B, T] id array. */
  const part = (ids: Int32Array, from: number, n: number) =>
    Int32Array.from({ length: B * n }, (_, k) => {
      const [b, t] = [Math.floor(k / n), k % n];
      return ids[b * T + from + t];
    });

  it("two chunks from the carried state equal one pass over the whole", () => {
    const whole = model.forward({ tokens, batch: B, steps: T }, h0);
    const wholeLogits = whole.logits.data.slice();
    const wholeLoss = model.loss(whole, targets);

    const first = model.forward(
      { tokens: part(tokens, 0, 3), batch: B, steps: 3 },
      h0,
    );
    const loss1 = model.loss(first, part(targets, 0, 3));
    const logits1 = first.logits.data.slice();
    const carried = first.finalState.clone();
    const second = model.forward(
      { tokens: part(tokens, 3, 3), batch: B, steps: 3 },
      carried,
    );
    const loss2 = model.loss(second, part(targets, 3, 3));
    // Time-major: the first 3 B rows of the whole are chunk 1's rows.
    const joined = [...logits1, ...second.logits.data];
    joined.forEach((v, i) => expect(v).toBeCloseTo(wholeLogits[i], 14));
    expect(loss1 + loss2).toBeCloseTo(wholeLoss, 12);
  });

  it("differentiates chunk 2 from the carried state, not from zero", () => {
    const first = model.forward(
      { tokens: part(tokens, 0, 3), batch: B, steps: 3 },
      h0,
    );
    const carried = first.finalState.clone();
    const input2 = { tokens: part(tokens, 3, 3), batch: B, steps: 3 };
    const targets2 = part(targets, 3, 3);
    // The truncated objective: chunk 2's loss with the carried state held
    // fixed (it is not differentiated back into chunk 1).
    const loss2 = () => model.loss(model.forward(input2, carried), targets2);

    model.zeroGrad();
    const r = model.backward(model.forward(input2, carried), targets2);
    const fromCarried = model.params.map((p) => p.grad.slice());
    for (const [k, p] of model.params.entries()) {
      assertGradients(loss2, p.value as Float64Array, fromCarried[k], CHECK);
    }
    const dCarried = r.dInitialState.data.slice();
    assertGradients(loss2, carried.data as Float64Array, dCarried, CHECK);

    // From a zero state the step-0 gradient differs: W's gradient at t = 0
    // is A_{-1}^T dZ_0, which vanishes for A_{-1} = 0.
    model.zeroGrad();
    model.backward(model.forward(input2), targets2);
    const W = model.params.find((p) => p.name === "recurrentWeights");
    const wIndex = model.params.indexOf(W as (typeof model.params)[0]);
    const diff = (W as { grad: Float64Array }).grad.reduce(
      (m, g, i) => Math.max(m, Math.abs(g - fromCarried[wIndex][i])),
      0,
    );
    expect(diff).toBeGreaterThan(1e-3);
  });
});
