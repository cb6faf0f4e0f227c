/**
 * What each LSTM variant's forward pass computes, and the GRU's: the cell
 * run step by step by hand from the equations (lecture section 4 and
 * Greff et al. 2015 for the LSTM, PyTorch's nn.GRU for the GRU), from a
 * nonzero initial state with dense input, for 1 and 2 layers, compared
 * with the library's h_t, logits and final state to 1e-13. The gradient
 * checks cannot see a wrong forward pass (forward and backward would
 * agree on the wrong function); these can.
 */
import { describe, expect, it } from "vitest";

import { GRU } from "../../lib/src/gru.js";
import {
  LSTM,
  LSTM_VARIANTS,
  type LSTMGate,
  type LSTMVariant,
} from "../../lib/src/lstm.js";
import { Random } from "../../lib/src/random.js";
import { gruToPyTorch } from "../../lib/src/recurrent-pytorch.js";
import { Matrix } from "../../lib/src/tensor.js";
import { randomMatrix } from "./recurrent-fixtures.js";

// Sizes: B sequences, T steps, I inputs, H hidden units, K outputs.
const [B, T, I, H, K] = [2, 4, 3, 4, 5];
const TOLERANCE = 1e-13;

const sigma = (v: number) => 1 / (1 + Math.exp(-v));

/** W v + b for W `[n, m]` (a library Matrix), v `[m]`, b `[n]`. */
function affine(W: Matrix, v: number[], b: ArrayLike<number>): number[] {
  return Array.from({ length: W.rows }, (_, j) =>
    v.reduce((s, vk, k) => s + W.get(j, k) * vk, b[j]),
  );
}

/** W v for W nested lists `[n, m]` (PyTorch's layout), v `[m]`. */
function product(W: number[][], v: number[]): number[] {
  return W.map((row) => row.reduce((s, w, k) => s + w * v[k], 0));
}

/** |a - e| <= TOLERANCE everywhere, naming the first place it fails. */
function expectNear(actual: ArrayLike<number>, expected: number[], at: string) {
  expect(actual.length, at).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    const diff = Math.abs(actual[j] - expected[j]);
    expect(diff, `${at}[${j}]`).toBeLessThanOrEqual(TOLERANCE);
  }
}

/** The readout logits = V^T h + c (V `[H, K]`) of one h. */
function logitsOf(model: LSTM | GRU, h: number[]): number[] {
  const V = model.outputWeights;
  return Array.from({ length: K }, (_, k) =>
    h.reduce((s, hj, j) => s + V.get(j, k) * hj, model.outputBias[k]),
  );
}

/**
 * One step of layer l of `model` by hand, column-vector form: the
 * variant's gates from W_gate [h_{t-1}, x_t] + b_gate (gateWeights) and,
 * for "PH", the peepholes (p_i, p_f on C_{t-1}, p_o on C_t).
 */
function lstmStep(
  model: LSTM,
  l: number,
  x: number[],
  h: number[],
  c: number[],
): { h: number[]; c: number[] } {
  const v = model.variant;
  const hx = [...h, ...x];
  const z = (gate: LSTMGate) => {
    const { weights, bias } = model.gateWeights(l, gate);
    return affine(weights, hx, bias);
  };
  const p = model.cells[l].peepholes;
  const peep = (k: number, s: number[]) =>
    s.map((sj, j) => (v === "PH" ? (p as Float64Array)[k * H + j] * sj : 0));
  const add = (a: number[], b: number[]) => a.map((aj, j) => aj + b[j]);
  const ones = new Array<number>(H).fill(1);

  const i = v === "NIG" ? ones : add(z("input"), peep(0, c)).map(sigma);
  let f: number[];
  if (v === "NFG") f = ones;
  else if (v === "CIFG") f = i.map((ij) => 1 - ij);
  else f = add(z("forget"), peep(1, c)).map(sigma);
  const cTilde = z("candidate").map(Math.tanh);
  const cNew = c.map((cj, j) => f[j] * cj + i[j] * cTilde[j]);
  const o = v === "NOG" ? ones : add(z("output"), peep(2, cNew)).map(sigma);
  const act = v === "NOAF" ? cNew : cNew.map(Math.tanh);
  return { h: act.map((aj, j) => o[j] * aj), c: cNew };
}

/** A model's input and initial state, both random and nonzero. */
function data(random: Random, S: number) {
  const x = randomMatrix(random, B * T, I);
  const state0 = randomMatrix(random, B, S, 0.7);
  return { x, state0, input: { x, batch: B, steps: T } };
}

/**
 * Runs `step(l, x, state pieces of layer l)` for every sequence, step and
 * layer from `state0` and compares the top layer's h_t with
 * `cache.outputs`, its logits with `cache.logits` and the state after the
 * last step with `cache.finalState`. `pieces` per layer: LSTM 2, GRU 1.
 */
function compareByHand(
  model: LSTM | GRU,
  pieces: number,
  x: Matrix,
  state0: Matrix,
  step: (l: number, x: number[], state: number[][]) => number[][],
) {
  const cache = model.forward({ x, batch: B, steps: T }, state0);
  const L = model.layers;
  for (let b = 0; b < B; b++) {
    // state[l][k]: piece k (h, then C) of layer l.
    const row = Array.from(state0.row(b));
    const state = Array.from({ length: L }, (_, l) =>
      Array.from({ length: pieces }, (_, k) =>
        row.slice((l * pieces + k) * H, (l * pieces + k + 1) * H),
      ),
    );
    for (let t = 0; t < T; t++) {
      let input = Array.from(x.row(b * T + t));
      for (let l = 0; l < L; l++) {
        state[l] = step(l, input, state[l]);
        input = state[l][0];
      }
      const r = t * B + b;
      expectNear(cache.outputs.row(r), input, `h (b ${b}, t ${t})`);
      expectNear(cache.logits.row(r), logitsOf(model, input), `logits ${r}`);
    }
    expectNear(cache.finalState.row(b), state.flat(2), `final state ${b}`);
  }
}

describe("every LSTM variant's forward pass, by hand", () => {
  for (const variant of LSTM_VARIANTS) {
    for (const layers of [1, 2]) {
      it(`computes ${variant}'s cell (L = ${layers})`, () => {
        const random = new Random(40 + 2 * LSTM_VARIANTS.indexOf(variant));
        const model = new LSTM(I, H, K, {
          random,
          initScale: 0.8,
          variant: variant as LSTMVariant,
          layers,
        });
        // Peepholes ("PH") of order 1, so that their terms show.
        for (const cell of model.cells) {
          cell.peepholes?.forEach((_, j, p) => (p[j] = random.normal(0, 1)));
        }
        const { x, state0 } = data(random, model.stateSize);
        compareByHand(model, 2, x, state0, (l, xt, [h, c]) => {
          const next = lstmStep(model, l, xt, h, c);
          return [next.h, next.c];
        });
      });
    }
  }

  it("gives different h_t for each variant from the same seeds", () => {
    // The variants compute different functions, so the comparisons above
    // are not all of one function: the same input gives different h_t.
    const outputs = LSTM_VARIANTS.map((variant) => {
      const model = new LSTM(I, H, K, {
        random: new Random(5),
        initScale: 0.8,
        variant,
      });
      const { input, state0 } = data(new Random(6), model.stateSize);
      return Array.from(model.forward(input, state0).outputs.data);
    });
    for (let a = 0; a < outputs.length; a++) {
      for (let b = a + 1; b < outputs.length; b++) {
        expect(
          outputs[a],
          `${LSTM_VARIANTS[a]} vs ${LSTM_VARIANTS[b]}`,
        ).not.toEqual(outputs[b]);
      }
    }
  });
});

describe("the GRU's forward pass, by hand from PyTorch's equations", () => {
  for (const layers of [1, 2]) {
    it(`computes r, z, n and h_t (L = ${layers})`, () => {
      const random = new Random(90 + layers);
      const model = new GRU(I, H, K, { random, initScale: 0.8, layers });
      const torch = gruToPyTorch(model).layers;
      const { x, state0 } = data(random, model.stateSize);
      // r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
      // n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
      // h' = (1 - z) ⊙ n + z ⊙ h; gate blocks (r, z, n) along the rows.
      compareByHand(model, 1, x, state0, (l, xt, [h]) => {
        const { weight_ih, weight_hh, bias_ih, bias_hh } = torch[l];
        const gi = product(weight_ih, xt).map((v, k) => v + bias_ih[k]);
        const gh = product(weight_hh, h).map((v, k) => v + bias_hh[k]);
        const hNew = h.map((hj, j) => {
          const r = sigma(gi[j] + gh[j]);
          const z = sigma(gi[H + j] + gh[H + j]);
          const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
          return (1 - z) * n + z * hj;
        });
        return [hNew];
      });
    });
  }
});
