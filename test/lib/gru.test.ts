import { describe, expect, it } from "vitest";

import { assertGradients } from "../../lib/src/gradcheck.js";
import { GRU } from "../../lib/src/gru.js";
import { Random } from "../../lib/src/random.js";
import {
  gruFromPyTorch,
  gruToPyTorch,
} from "../../lib/src/recurrent-pytorch.js";
import { reorderRows, toBatchMajor } from "../../lib/src/rnn-input.js";
import { Matrix } from "../../lib/src/tensor.js";
import {
  dot,
  expectClose,
  randomMatrix,
  readFixture,
} from "./recurrent-fixtures.js";

interface Reference {
  shapes: Record<string, number[]>;
  weight_ih: number[][];
  weight_hh: number[][];
  bias_ih: number[];
  bias_hh: number[];
  x: number[][][];
  h0: number[][];
  R: number[][][];
  h: number[][][];
  loss: number;
  d_weight_ih: number[][];
  d_weight_hh: number[][];
  d_bias_ih: number[];
  d_bias_hh: number[];
  d_x: number[][][];
  d_h0: number[][];
}

const ref = readFixture<Reference>("gru.json");
const [B, T] = ref.shapes.x;
const H = ref.shapes.h0[1];

function referenceModel(): GRU {
  const layer = {
    weight_ih: ref.weight_ih,
    weight_hh: ref.weight_hh,
    bias_ih: ref.bias_ih,
    bias_hh: ref.bias_hh,
  };
  return gruFromPyTorch([layer]);
}

describe("GRU against PyTorch (fixtures/gru.json)", () => {
  it("matches h_t, the loss and every gradient", () => {
    const model = referenceModel();
    const x = Matrix.fromRows(ref.x.flat());
    const cache = model.forward(
      { x, batch: B, steps: T },
      Matrix.fromRows(ref.h0),
    );
    const outputs = toBatchMajor(cache.outputs, B, T);
    expectClose(outputs.data, ref.h);
    // The final state is h_{T-1} of every sequence.
    const last = ref.h.map((seq) => seq[T - 1]);
    expectClose(cache.finalState.data, last);
    const R = Matrix.fromRows(ref.R.flat());
    const loss = dot(outputs.data, R.data);
    expect(Math.abs(loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-12);

    model.zeroGrad();
    const dOutputs = reorderRows(R, Matrix.zeros(T * B, H), B, T);
    const result = model.backwardFromOutputs(cache, dOutputs);
    const d = gruToPyTorch(model, "gradients").layers[0];
    expectClose(d.weight_ih.flat(), ref.d_weight_ih);
    expectClose(d.weight_hh.flat(), ref.d_weight_hh);
    expectClose(d.bias_ih, ref.d_bias_ih);
    expectClose(d.bias_hh, ref.d_bias_hh);
    expectClose((result.dInput as Matrix).data, ref.d_x);
    expectClose(result.dInitialState.data, ref.d_h0);
  });

  it("computes the float64 result to float32 precision", () => {
    const layer = {
      weight_ih: ref.weight_ih,
      weight_hh: ref.weight_hh,
      bias_ih: ref.bias_ih,
      bias_hh: ref.bias_hh,
    };
    const model = gruFromPyTorch([layer], undefined, { dtype: "float32" });
    const x = Matrix.fromRows(ref.x.flat()).toDType("float32");
    const h0 = Matrix.fromRows(ref.h0).toDType("float32");
    const cache = model.forward({ x, batch: B, steps: T }, h0);
    const h = ref.h.flat(2);
    toBatchMajor(cache.outputs, B, T).data.forEach((v, i) =>
      expect(Math.abs(v - h[i])).toBeLessThan(1e-6),
    );
    const R = Matrix.fromRows(ref.R.flat());
    const dOutputs = reorderRows(R, Matrix.zeros(T * B, H), B, T);
    model.backwardFromOutputs(cache, dOutputs.toDType("float32"));
    const d = gruToPyTorch(model, "gradients").layers[0];
    const want = ref.d_weight_hh.flat();
    d.weight_hh.flat().forEach((v, i) => {
      expect(Math.abs(v - want[i])).toBeLessThan(
        1e-5 * (1 + Math.abs(want[i])),
      );
    });
  });

  it("maps its fields to PyTorch's layout and back, both biases kept", () => {
    const model = new GRU(3, 4, 5, { random: new Random(2), layers: 2 });
    const { layers, readout } = gruToPyTorch(model);
    expect(layers[1].weight_ih.length).toBe(12);
    expect(layers[0].bias_hh).toEqual(Array.from(model.cells[0].recurrentBias));
    const back = gruFromPyTorch(layers, readout);
    model.params.forEach((p, k) => {
      expect(back.params[k].name).toBe(p.name);
      expect(back.params[k].value).toEqual(p.value);
    });
  });
});

describe("GRU backward against central differences", () => {
  for (const layers of [1, 2]) {
    it(`matches for ${layers} layer(s): weights, readout, x, h0`, () => {
      const random = new Random(30 + layers);
      const [Bc, Tc, I, Hc, K] = [2, 3, 3, 4, 5];
      const model = new GRU(I, Hc, K, { random, initScale: 0.7, layers });
      const x = randomMatrix(random, Bc * Tc, I);
      const h0 = randomMatrix(random, Bc, model.stateSize, 0.5);
      const targets = Int32Array.from({ length: Bc * Tc }, () => random.int(K));
      const input = { x, batch: Bc, steps: Tc };
      const loss = () => model.loss(model.forward(input, h0), targets);
      model.zeroGrad();
      const r = model.backward(model.forward(input, h0), targets);
      expect(r.loss).toBeCloseTo(loss(), 12);
      const check = { eps: 1e-5, floor: 1e-3, tolerance: 1e-6 };
      for (const p of model.params) {
        const analytic = p.grad.slice();
        assertGradients(loss, p.value as Float64Array, analytic, check);
      }
      const dh0 = r.dInitialState.data.slice();
      assertGradients(loss, h0.data as Float64Array, dh0, check);
      const dx = (r.dInput as Matrix).data.slice();
      assertGradients(loss, x.data as Float64Array, dx, check);
    });
  }
});

describe("GRU state gradients", () => {
  // A loss on every h_t (dOutputs nonzero at every step, the split step
  // t1 - 1 included) against the part after t1 - 1 run alone from the
  // state there: the total dL/dh_{t1-1} is that part's dInitialState plus
  // the step's own dOut_{t1-1} (top layer; with two layers the bottom
  // layer's h also reaches the top layer at step t1 - 1, which the split
  // cuts).
  for (const layers of [1, 2]) {
    it(`are total dL/dh_t, checked at a split (L = ${layers})`, () => {
      const random = new Random(60 + layers);
      const [Bc, Tc, t1, I, Hc, K] = [2, 4, 2, 3, 4, 5];
      const model = new GRU(I, Hc, K, { random, initScale: 0.7, layers });
      const x = randomMatrix(random, Bc * Tc, I);
      const h0 = randomMatrix(random, Bc, model.stateSize, 0.5);
      const dOut = randomMatrix(random, Tc * Bc, Hc);
      const whole = model.forward({ x, batch: Bc, steps: Tc }, h0);
      const dStates = model.backwardFromOutputs(whole, dOut, {
        stateGradients: true,
      }).stateGradients as Matrix;
      expect(dStates.shape).toEqual([Tc * Bc, model.stateSize]);

      // x is batch-major [B T, I]: the steps of each sequence.
      const steps = (from: number, n: number) => {
        const out = Matrix.zeros(Bc * n, I);
        for (let b = 0; b < Bc; b++) {
          const at = (b * Tc + from) * I;
          out.data.set(x.data.subarray(at, at + n * I), b * n * I);
        }
        return { x: out, batch: Bc, steps: n };
      };
      const mid = model.forward(steps(0, t1), h0).finalState.clone();
      const second = model.forward(steps(t1, Tc - t1), mid);
      const dOutSecond = new Matrix(
        (Tc - t1) * Bc,
        Hc,
        dOut.data.slice(t1 * Bc * Hc),
      );
      const d = model.backwardFromOutputs(second, dOutSecond).dInitialState;
      const top = (layers - 1) * Hc;
      for (let b = 0; b < Bc; b++) {
        const row = (t1 - 1) * Bc + b;
        for (let j = 0; j < Hc; j++) {
          const total = d.get(b, top + j) + dOut.get(row, j);
          expect(dStates.get(row, top + j)).toBeCloseTo(total, 12);
        }
      }
      // Every step's block is filled: at the last step it is dOut_{T-1}.
      for (let b = 0; b < Bc; b++) {
        const row = (Tc - 1) * Bc + b;
        for (let j = 0; j < Hc; j++) {
          expect(dStates.get(row, top + j)).toBeCloseTo(dOut.get(row, j), 14);
        }
      }
    });
  }
});
