/**
 * The LSTM's hand-written BPTT against central differences (float64):
 * gate by gate, for every variant, through the final cell state, for two
 * stacked layers, and the state gradients it reports.
 */
import { describe, expect, it } from "vitest";

import { assertGradients } from "../../lib/src/gradcheck.js";
import {
  LSTM,
  LSTM_VARIANTS,
  type LSTMGate,
  type LSTMVariant,
} from "../../lib/src/lstm.js";
import type { Parameter } from "../../lib/src/optim.js";
import { Random } from "../../lib/src/random.js";
import { Matrix } from "../../lib/src/tensor.js";
import { dot, randomMatrix } from "./recurrent-fixtures.js";

// Sizes: B sequences, I inputs, H hidden units, K outputs.
const [B, I, H, K] = [2, 3, 4, 5];
// Softmax cross-entropy has tiny gradient entries; the gradcheck module
// header recommends this step and floor (measured errors ~1e-8).
const CHECK = { eps: 1e-5, floor: 1e-3, tolerance: 1e-6 };
/** Distinct nonzero bias levels per gate, so no gate sits at σ(0). */
const GATE_BIAS: Record<LSTMGate, number> = {
  input: 0.4,
  forget: 1.0,
  candidate: -0.3,
  output: 0.2,
};
const GATES = Object.keys(GATE_BIAS) as LSTMGate[];

function setup(
  variant: LSTMVariant,
  seed: number,
  { layers = 1, T = 3 }: { layers?: number; T?: number } = {},
) {
  const random = new Random(seed);
  const model = new LSTM(I, H, K, {
    random,
    initScale: 0.6,
    variant,
    layers,
  });
  // Each gate's bias block: its level plus a little noise per unit.
  for (const cell of model.cells) {
    for (const gate of GATES) {
      const block = model.gateLayout[gate];
      if (block < 0) continue;
      for (let j = 0; j < H; j++) {
        cell.bias[block * H + j] = GATE_BIAS[gate] + random.normal(0, 0.1);
      }
    }
  }
  const x = randomMatrix(random, B * T, I);
  const state0 = randomMatrix(random, B, model.stateSize, 0.5);
  const targets = Int32Array.from({ length: B * T }, () => random.int(K));
  const input = { x, batch: B, steps: T };
  const loss = () => model.loss(model.forward(input, state0), targets);
  return { model, x, state0, targets, input, loss, random };
}

/** Checks every parameter, the initial state and x against `loss`. */
function checkAll(
  params: Parameter[],
  loss: () => number,
  pairs: [Matrix, Float64Array][],
): void {
  for (const p of params) {
    const analytic = p.grad.slice();
    assertGradients(loss, p.value as Float64Array, analytic, CHECK);
  }
  for (const [value, analytic] of pairs) {
    assertGradients(loss, value.data as Float64Array, analytic, CHECK);
  }
}

describe("LSTM backward, gate by gate (lecture's cell)", () => {
  for (const gate of GATES) {
    it(`gives the ${gate} gate's W and b gradients`, () => {
      const { model, input, state0, targets, loss } = setup("vanilla", 3);
      model.zeroGrad();
      model.backward(model.forward(input, state0), targets);
      // The gate's column block of Wx, Wh and b, gathered into one vector.
      const block = model.gateLayout[gate];
      const cell = model.cells[0];
      const grads = model.gradients.cells[0];
      const picks: [Float64Array, Float64Array, number][] = [];
      for (const [W, dW] of [
        [cell.inputWeights, grads.inputWeights],
        [cell.recurrentWeights, grads.recurrentWeights],
      ] as const) {
        for (let r = 0; r < W.rows; r++) {
          for (let j = 0; j < H; j++) {
            const at = r * W.cols + block * H + j;
            picks.push([W.data as Float64Array, dW.data as Float64Array, at]);
          }
        }
      }
      for (let j = 0; j < H; j++) {
        const at = block * H + j;
        picks.push([cell.bias as Float64Array, grads.bias as Float64Array, at]);
      }
      const values = Float64Array.from(picks.map(([v, , at]) => v[at]));
      const analytic = picks.map(([, g, at]) => g[at]);
      const f = (v: Float64Array) => {
        picks.forEach(([w, , at], n) => (w[at] = v[n]));
        return loss();
      };
      const r = assertGradients(f, values, analytic, CHECK);
      expect(r.maxRelError).toBeLessThan(1e-6);
      expect(analytic.some((g) => Math.abs(g) > 1e-3)).toBe(true);
    });
  }
});

describe("LSTM backward, every variant", () => {
  for (const variant of LSTM_VARIANTS) {
    it(`matches central differences for ${variant}`, () => {
      const s = setup(variant, 11 + LSTM_VARIANTS.indexOf(variant));
      const { model, input, state0, targets, x, loss } = s;
      model.zeroGrad();
      const r = model.backward(model.forward(input, state0), targets);
      expect(r.loss).toBeCloseTo(loss(), 12);
      const dState = r.dInitialState.data.slice() as Float64Array;
      const dx = (r.dInput as Matrix).data.slice() as Float64Array;
      checkAll(model.params, loss, [
        [state0, dState],
        [x, dx],
      ]);
      // Only the gates the variant uses have weights.
      const G = ["NIG", "NFG", "NOG", "CIFG"].includes(variant) ? 3 : 4;
      expect(model.cells[0].bias.length).toBe(G * H);
      expect(model.cells[0].peepholes?.length ?? 0).toBe(
        variant === "PH" ? 3 * H : 0,
      );
    });
  }
});

describe("LSTM backward through the final state", () => {
  for (const variant of ["vanilla", "PH", "CIFG", "NOAF"] as const) {
    it(`takes dL/dh_t and dL/d(h_T, C_T) for ${variant}`, () => {
      const s = setup(variant, 40 + variant.length);
      const { model, input, state0, x, random } = s;
      const T = input.steps;
      // loss = sum(h * R) + sum(final state * S), as in the golden file.
      const R = randomMatrix(random, T * B, H);
      const S = randomMatrix(random, B, model.stateSize);
      const loss = () => {
        const cache = model.forward(input, state0);
        return (
          dot(cache.outputs.data, R.data) + dot(cache.finalState.data, S.data)
        );
      };
      model.zeroGrad();
      const cache = model.forward(input, state0);
      const r = model.backwardFromOutputs(cache, R, { dFinalState: S });
      // The readout has no part in this loss.
      const readout = model.params.slice(-2);
      readout.forEach((p) => expect(p.grad.every((g) => g === 0)).toBe(true));
      checkAll(model.params.slice(0, -2), loss, [
        [state0, r.dInitialState.data.slice() as Float64Array],
        [x, (r.dInput as Matrix).data.slice() as Float64Array],
      ]);
    });
  }

  it("sends a gradient on C_T alone back to C_{-1} through f", () => {
    // L = sum(C_0 * S) with T = 1: C_0 = f_0 C_{-1} + i_0 C~_0, so
    // dL/dC_{-1} = S f_0 exactly.
    const { model, input, state0 } = setup("vanilla", 5, { T: 1 });
    const S = Matrix.zeros(B, model.stateSize);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) S.data[b * 2 * H + H + j] = 1 + j;
    }
    const cache = model.forward(input, state0);
    const dOutputs = Matrix.zeros(B, H);
    const r = model.backwardFromOutputs(cache, dOutputs, { dFinalState: S });
    // f_0 from the lecture's equation with gateWeights.
    const { weights: Wf, bias: bf } = model.gateWeights(0, "forget");
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let zf = bf[j];
        for (let k = 0; k < H; k++) {
          zf += Wf.get(j, k) * state0.get(b, k);
        }
        for (let k = 0; k < I; k++) zf += Wf.get(j, H + k) * input.x.get(b, k);
        const f = 1 / (1 + Math.exp(-zf));
        expect(r.dInitialState.get(b, H + j)).toBeCloseTo((1 + j) * f, 14);
      }
    }
    // h_{-1} reaches C_0 through the gates: its gradient is not zero.
    expect(r.dInitialState.data.slice(0, H).some((v) => v !== 0)).toBe(true);
  });
});

describe("stacked LSTM layers", () => {
  for (const variant of ["vanilla", "PH"] as const) {
    it(`matches central differences with 2 layers (${variant})`, () => {
      const s = setup(variant, 60, { layers: 2, T: 3 });
      const { model, input, state0, targets, x, loss } = s;
      expect(model.stateSize).toBe(2 * 2 * H);
      expect(model.cells[1].inputWeights.rows).toBe(H);
      model.zeroGrad();
      const r = model.backward(model.forward(input, state0), targets);
      checkAll(model.params, loss, [
        [state0, r.dInitialState.data.slice() as Float64Array],
        [x, (r.dInput as Matrix).data.slice() as Float64Array],
      ]);
    });
  }

  it("takes layer 1's input from layer 0's h_t", () => {
    const { model, input, state0 } = setup("vanilla", 61, { layers: 2 });
    const cache = model.forward(input, state0);
    const top = cache.outputs.clone();
    const final = cache.finalState.clone();
    // A lone one-layer LSTM with layer 0's weights reproduces layer 0; a
    // second with layer 1's weights, fed those h_t, reproduces the top.
    const lone = (l: number) => {
      const m = new LSTM(l === 0 ? I : H, H, K, { initScale: 0 });
      for (const p of m.params) {
        const name = p.name.replace("cells.0", `cells.${l}`);
        const from = model.params.find((q) => q.name === name);
        p.value.set((from as Parameter).value);
      }
      return m;
    };
    const pieces = (l: number) => {
      const s = Matrix.zeros(B, 2 * H);
      for (let b = 0; b < B; b++) {
        s.data.set(
          state0.data.subarray(
            b * 4 * H + l * 2 * H,
            b * 4 * H + l * 2 * H + 2 * H,
          ),
          b * 2 * H,
        );
      }
      return s;
    };
    const first = lone(0).forward(input, pieces(0));
    const xTop = Matrix.zeros(B * input.steps, H);
    // Layer 1's dense input is batch-major; outputs are time-major.
    for (let t = 0; t < input.steps; t++) {
      for (let b = 0; b < B; b++) {
        xTop.data.set(
          first.outputs.data.subarray((t * B + b) * H, (t * B + b + 1) * H),
          (b * input.steps + t) * H,
        );
      }
    }
    const second = lone(1).forward(
      { x: xTop, batch: B, steps: input.steps },
      pieces(1),
    );
    second.outputs.data.forEach((v, i) =>
      expect(v).toBeCloseTo(top.data[i], 14),
    );
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < 2 * H; j++) {
        expect(first.finalState.get(b, j)).toBeCloseTo(final.get(b, j), 14);
        expect(second.finalState.get(b, j)).toBeCloseTo(
          final.get(b, 2 * H + j),
          14,
        );
      }
    }
  });
});

describe("LSTM state gradients", () => {
  // Whole sequence with the loss on steps t1.. only, against the second
  // part run alone from the state after step t1 - 1. The part's
  // initial-state gradient holds h and C apart; the reported total
  // dL/dC_{t1-1} also counts the path C -> h = o tanh(C), so
  //   total_h = part_h,  total_C = part_C + part_h o (1 - tanh(C)^2),
  // with o = h / tanh(C) from that state. With two layers this holds for
  // the top layer: the bottom layer's state also reaches the loss through
  // the top layer at step t1 - 1, which the split cuts.
  for (const layers of [1, 2]) {
    it(`are total derivatives, checked at a split (L = ${layers})`, () => {
      const [T, t1] = [4, 2];
      const s = setup("vanilla", 70 + layers, { T, layers });
      const { model, input, state0, targets } = s;
      const S = model.stateSize;
      const whole = model.forward(input, state0);
      const dLogits = crossEntropyGradient(whole.logits, targets, T, t1);
      model.zeroGrad();
      const r = model.backwardFromLogits(whole, dLogits, {
        stateGradients: true,
      });
      const dStates = r.stateGradients as Matrix;
      expect(dStates.shape).toEqual([T * B, S]);

      // The second part alone, from the state after step t1 - 1.
      const first = model.forward(
        { x: rowsOfSteps(input.x, T, 0, t1), batch: B, steps: t1 },
        state0,
      );
      const mid = first.finalState.clone();
      const second = model.forward(
        { x: rowsOfSteps(input.x, T, t1, T - t1), batch: B, steps: T - t1 },
        mid,
      );
      const part = Int32Array.from({ length: B * (T - t1) }, (_, n) => {
        const [b, t] = [Math.floor(n / (T - t1)), n % (T - t1)];
        return targets[b * T + t1 + t];
      });
      model.zeroGrad();
      const d = model.backward(second, part).dInitialState;
      const top = (layers - 1) * 2 * H;
      for (let b = 0; b < B; b++) {
        for (let j = top; j < top + H; j++) {
          const row = (t1 - 1) * B + b;
          expect(dStates.get(row, j)).toBeCloseTo(d.get(b, j), 13);
          const tc = Math.tanh(mid.get(b, j + H));
          const o = mid.get(b, j) / tc;
          const viaH = d.get(b, j) * o * (1 - tc * tc);
          expect(dStates.get(row, j + H)).toBeCloseTo(
            d.get(b, j + H) + viaH,
            13,
          );
        }
      }
    });
  }
});

describe("LSTM state gradients with an upstream gradient at the split", () => {
  // A loss on every h_t (dOutputs, nonzero at every step, the split step
  // t1 - 1 included), against the part after the split run alone from the
  // state there, whose dInitialState (dh', dC') treats h and C as two
  // inputs of step t1. The totals the library documents:
  //   dL/dh = dh' + dOut_{t1-1},
  //   dL/dC = dC' + dL/dh o act'(C) [+ "PH": dL/dh tanh(C) o (1 - o) p_o],
  // act = tanh (NOAF: identity, act' = 1), o = h / act(C) (NOG: 1).
  const cases: [LSTMVariant, number][] = [
    ["vanilla", 1],
    ["vanilla", 2],
    ["NOAF", 1],
    ["NOG", 1],
    ["PH", 2],
  ];
  for (const [variant, layers] of cases) {
    it(`count dOut_t and C_t -> h_t at step t (${variant}, L = ${layers})`, () => {
      const [T, t1] = [4, 2];
      const s = setup(variant, 80 + layers, { T, layers });
      const { model, input, state0, random } = s;
      const dOut = randomMatrix(random, T * B, H);
      const whole = model.forward(input, state0);
      model.zeroGrad();
      const dStates = model.backwardFromOutputs(whole, dOut, {
        stateGradients: true,
      }).stateGradients as Matrix;

      const first = model.forward(
        { x: rowsOfSteps(input.x, T, 0, t1), batch: B, steps: t1 },
        state0,
      );
      const mid = first.finalState.clone();
      const second = model.forward(
        { x: rowsOfSteps(input.x, T, t1, T - t1), batch: B, steps: T - t1 },
        mid,
      );
      const dOutSecond = new Matrix(
        (T - t1) * B,
        H,
        dOut.data.slice(t1 * B * H),
      );
      model.zeroGrad();
      const d = model.backwardFromOutputs(second, dOutSecond).dInitialState;

      const top = (layers - 1) * 2 * H;
      const pO = model.cells[layers - 1].peepholes;
      for (let b = 0; b < B; b++) {
        const row = (t1 - 1) * B + b;
        for (let j = 0; j < H; j++) {
          const [h, C] = [mid.get(b, top + j), mid.get(b, top + H + j)];
          const act = variant === "NOAF" ? C : Math.tanh(C);
          const slope = variant === "NOAF" ? 1 : 1 - act * act;
          const o = variant === "NOG" ? 1 : h / act;
          const dh = d.get(b, top + j) + dOut.get(row, j);
          let dC = d.get(b, top + H + j) + dh * o * slope;
          if (pO) dC += dh * act * o * (1 - o) * pO[2 * H + j];
          expect(dStates.get(row, top + j)).toBeCloseTo(dh, 12);
          expect(dStates.get(row, top + H + j)).toBeCloseTo(dC, 12);
          // The step's own dOut matters: the test sees it left out.
          expect(Math.abs(dOut.get(row, j))).toBeGreaterThan(1e-3);
        }
      }
    });
  }
});

/** dL/dlogits `[T B, K]` of the cross-entropy on steps >= t1 only. */
function crossEntropyGradient(
  logits: Matrix,
  targets: Int32Array,
  T: number,
  t1: number,
): Matrix {
  const dLogits = Matrix.zeros(T * B, K);
  for (let t = t1; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * K;
      const z = Array.from(logits.data.subarray(row, row + K));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, v) => a + v, 0);
      e.forEach((v, j) => (dLogits.data[row + j] = v / sum));
      dLogits.data[row + targets[b * T + t]] -= 1;
    }
  }
  return dLogits;
}

/** Rows of steps [from, from + n) of each sequence of a `[B T, I]` x. */
function rowsOfSteps(x: Matrix, T: number, from: number, n: number): Matrix {
  const out = Matrix.zeros(B * n, x.cols);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < n; t++) {
      const src = (b * T + from + t) * x.cols;
      out.data.set(x.data.subarray(src, src + x.cols), (b * n + t) * x.cols);
    }
  }
  return out;
}
