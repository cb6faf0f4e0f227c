import { describe, expect, it } from "vitest";

import { LSTM } from "../../lib/src/lstm.js";
import { Random } from "../../lib/src/random.js";
import {
  lstmFromPyTorch,
  lstmToPyTorch,
} from "../../lib/src/recurrent-pytorch.js";
import { reorderRows, toBatchMajor } from "../../lib/src/rnn-input.js";
import { Matrix } from "../../lib/src/tensor.js";
import {
  columns,
  dot,
  expectClose,
  readFixture,
  sideBySide,
} from "./recurrent-fixtures.js";

interface Reference {
  shapes: Record<string, number[]>;
  weight_ih: number[][];
  weight_hh: number[][];
  bias_ih: number[];
  bias_hh: number[];
  x: number[][][];
  h0: number[][];
  c0: number[][];
  R: number[][][];
  S: number[][];
  h: number[][][];
  hT: number[][];
  cT: number[][];
  loss: number;
  d_weight_ih: number[][];
  d_weight_hh: number[][];
  d_bias_ih: number[];
  d_bias_hh: number[];
  d_x: number[][][];
  d_h0: number[][];
  d_c0: number[][];
}

const ref = readFixture<Reference>("lstm.json");
const [B, T, I] = ref.shapes.x;
const H = ref.shapes.h0[1];

function referenceModel(dtype: "float32" | "float64" = "float64"): LSTM {
  const layer = {
    weight_ih: ref.weight_ih,
    weight_hh: ref.weight_hh,
    bias_ih: ref.bias_ih,
    bias_hh: ref.bias_hh,
  };
  return lstmFromPyTorch([layer], undefined, { dtype });
}

/** The reference run: forward from [h0 | c0], then the loss's backward. */
function referenceRun(model: LSTM) {
  const x = Matrix.fromRows(ref.x.flat()).toDType(model.dtype);
  const state = sideBySide(Matrix.fromRows(ref.h0), Matrix.fromRows(ref.c0));
  const cache = model.forward(
    { x, batch: B, steps: T },
    state.toDType(model.dtype),
  );
  const outputs = toBatchMajor(cache.outputs, B, T);
  const finalState = cache.finalState.clone();
  // loss = sum(h * R) + sum(C_T * S): dL/dh_t = R, dL/dC_T = S.
  const R = Matrix.fromRows(ref.R.flat()).toDType(model.dtype);
  const cT = columns(finalState, H, H);
  const loss = dot(outputs.data, R.data) + dot(cT.data, ref.S.flat());
  const dOutputs = reorderRows(R, Matrix.zeros(T * B, H, model.dtype), B, T);
  const dFinalState = sideBySide(
    Matrix.zeros(B, H),
    Matrix.fromRows(ref.S),
  ).toDType(model.dtype);
  model.zeroGrad();
  const result = model.backwardFromOutputs(cache, dOutputs, { dFinalState });
  return { outputs, finalState, loss, result };
}

describe("LSTM against PyTorch (fixtures/lstm.json)", () => {
  it("matches h_t, the final h_T and C_T, and the loss", () => {
    const { outputs, finalState, loss } = referenceRun(referenceModel());
    expectClose(outputs.data, ref.h);
    expectClose(columns(finalState, 0, H).data, ref.hT);
    expectClose(columns(finalState, H, H).data, ref.cT);
    expect(Math.abs(loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-12);
  });

  it("matches every gradient, the input's and both initial states'", () => {
    const model = referenceModel();
    const { result } = referenceRun(model);
    expect(result.loss).toBeNaN();
    const d = lstmToPyTorch(model, "gradients").layers[0];
    expectClose(d.weight_ih.flat(), ref.d_weight_ih);
    expectClose(d.weight_hh.flat(), ref.d_weight_hh);
    // PyTorch's two biases get the same gradient, that of their sum b.
    expectClose(d.bias_ih, ref.d_bias_ih);
    expectClose(d.bias_hh, ref.d_bias_hh);
    expectClose((result.dInput as Matrix).data, ref.d_x);
    expectClose(columns(result.dInitialState, 0, H).data, ref.d_h0);
    expectClose(columns(result.dInitialState, H, H).data, ref.d_c0);
    // The readout has no part in this loss.
    expect(model.gradients.outputWeights.data.every((v) => v === 0)).toBe(true);
  });

  it("needs the gradient through C_T: without it d_c0 is off", () => {
    // The same run without dL/dC_T = S must miss the reference.
    const model = referenceModel();
    const x = Matrix.fromRows(ref.x.flat());
    const state = sideBySide(Matrix.fromRows(ref.h0), Matrix.fromRows(ref.c0));
    const cache = model.forward({ x, batch: B, steps: T }, state);
    const R = Matrix.fromRows(ref.R.flat());
    const dOutputs = reorderRows(R, Matrix.zeros(T * B, H), B, T);
    const r = model.backwardFromOutputs(cache, dOutputs);
    const dc0 = columns(r.dInitialState, H, H).data;
    const want = ref.d_c0.flat();
    const worst = Math.max(...want.map((v, i) => Math.abs(dc0[i] - v)));
    expect(worst).toBeGreaterThan(1e-2);
  });

  it("computes the float64 result to float32 precision", () => {
    const r64 = referenceRun(referenceModel());
    const m32 = referenceModel("float32");
    const r32 = referenceRun(m32);
    r32.outputs.data.forEach((v, i) =>
      expect(Math.abs(v - r64.outputs.data[i])).toBeLessThan(1e-6),
    );
    const g32 = lstmToPyTorch(m32, "gradients").layers[0];
    const want = ref.d_weight_hh.flat();
    expect(g32.weight_hh.flat().length).toBe(4 * H * H);
    g32.weight_hh.flat().forEach((v, i) => {
      expect(Math.abs(v - want[i])).toBeLessThan(
        2e-5 * (1 + Math.abs(want[i])),
      );
    });
    const dx = (r32.result.dInput as Matrix).data;
    const wantX = ref.d_x.flat(2);
    expect(dx.length).toBe(B * T * I);
    dx.forEach((v, i) => expect(Math.abs(v - wantX[i])).toBeLessThan(2e-5));
  });

  it("maps its fields to PyTorch's layout and back", () => {
    const model = new LSTM(3, 4, 5, { random: new Random(1), layers: 2 });
    const { layers, readout } = lstmToPyTorch(model);
    expect(
      layers.map((l) => [l.weight_ih.length, l.weight_ih[0].length]),
    ).toEqual([
      [16, 3],
      [16, 4],
    ]);
    const back = lstmFromPyTorch(layers, readout);
    expect(back.layers).toBe(2);
    model.params.forEach((p, k) => {
      expect(back.params[k].name).toBe(p.name);
      expect(back.params[k].value).toEqual(p.value);
    });
  });
});
