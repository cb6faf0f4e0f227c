import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { RNN } from "../../lib/src/rnn.js";
import { toBatchMajor, type SequenceInput } from "../../lib/src/rnn-input.js";
import { rnnFromPyTorch, rnnToPyTorch } from "../../lib/src/rnn-pytorch.js";
import { Matrix } from "../../lib/src/tensor.js";
import { Random } from "../../lib/src/random.js";
import { tanhFloat32 } from "../../lib/src/rnn-bptt.js";

interface Reference {
  shapes: Record<string, number[]>;
  weight_ih: number[][];
  weight_hh: number[][];
  bias_ih: number[];
  bias_hh: number[];
  V: number[][];
  c: number[];
  x: number[][][];
  h0: number[][];
  targets: number[][];
  h: number[][][];
  logits: number[][][];
  loss: number;
  d_weight_ih: number[][];
  d_weight_hh: number[][];
  d_bias_ih: number[];
  d_bias_hh: number[];
  d_V: number[][];
  d_c: number[];
  d_x: number[][][];
  d_h0: number[][];
}

const ref = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "rnn.json"), "utf8"),
) as Reference;

/**
 * Largest |a - e| / |e| over entries with |e| > 1e-3, and largest |a - e|
 * elsewhere: the golden values must match to 1e-9 relative and 1e-12
 * absolute near zero.
 */
function expectClose(actual: ArrayLike<number>, expected: unknown): void {
  const e = (expected as unknown[]).flat(3) as number[];
  expect(actual.length).toBe(e.length);
  let worstRel = 0;
  let worstAbs = 0;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(actual[i] - e[i]);
    if (Math.abs(e[i]) > 1e-3) {
      worstRel = Math.max(worstRel, diff / Math.abs(e[i]));
    } else worstAbs = Math.max(worstAbs, diff);
  }
  expect(worstRel).toBeLessThanOrEqual(1e-9);
  expect(worstAbs).toBeLessThanOrEqual(1e-12);
}

function referenceModel(): RNN {
  return rnnFromPyTorch({
    weight_ih: ref.weight_ih,
    weight_hh: ref.weight_hh,
    bias_ih: ref.bias_ih,
    bias_hh: ref.bias_hh,
    readout_weight: ref.V,
    readout_bias: ref.c,
  });
}

const [B, T, I] = ref.shapes.x;
const H = ref.shapes.h0[1];
const K = ref.shapes.V[0];

function referenceInput(): SequenceInput {
  return { x: Matrix.fromRows(ref.x.flat()), batch: B, steps: T };
}

describe("RNN against PyTorch (fixtures/rnn.json)", () => {
  it("matches the hidden states, logits and summed loss", () => {
    const model = referenceModel();
    const cache = model.forward(referenceInput(), Matrix.fromRows(ref.h0));
    expectClose(toBatchMajor(cache.outputs, B, T).data, ref.h);
    expectClose(toBatchMajor(cache.logits, B, T).data, ref.logits);
    const targets = Int32Array.from(ref.targets.flat());
    const loss = model.loss(cache, targets);
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-12);
  });

  it("matches every gradient, the input's and the initial state's", () => {
    const model = referenceModel();
    const cache = model.forward(referenceInput(), Matrix.fromRows(ref.h0));
    const targets = Int32Array.from(ref.targets.flat());
    const result = model.backward(cache, targets);
    expect(Math.abs(result.loss - ref.loss) / ref.loss).toBeLessThan(1e-12);
    const d = rnnToPyTorch(model, "gradients");
    expectClose(d.weight_ih.flat(), ref.d_weight_ih);
    expectClose(d.weight_hh.flat(), ref.d_weight_hh);
    // PyTorch's two biases get the same gradient, that of their sum b.
    expectClose(d.bias, ref.d_bias_ih);
    expectClose(d.bias, ref.d_bias_hh);
    expectClose(d.readout_weight.flat(), ref.d_V);
    expectClose(d.readout_bias, ref.d_c);
    expectClose((result.dInput as Matrix).data, ref.d_x);
    expectClose(result.dInitialState.data, ref.d_h0);
  });

  it("gives the same result through token ids as through one-hot rows", () => {
    // One-hot dense input and token ids must be the same computation.
    const model = rnnFromPyTorch({
      weight_ih: ref.V.map((row) => row.slice(0, H)).slice(0, H),
      weight_hh: ref.weight_hh,
      bias_ih: ref.bias_ih,
      bias_hh: ref.bias_hh,
      readout_weight: ref.V,
      readout_bias: ref.c,
    });
    // weight_ih above is [H, H]: a model with I = H = 5 inputs.
    const tokens = Int32Array.from([0, 4, 2, 2, 1, 3, 0, 4]);
    const x = Matrix.zeros(tokens.length, H);
    tokens.forEach((id, r) => x.set(r, id, 1));
    const targets = Int32Array.from(ref.targets.flat());
    const h0 = Matrix.fromRows(ref.h0);

    const dense = model.forward({ x, batch: B, steps: T }, h0);
    const denseLogits = dense.logits.clone();
    const fromDense = model.backward(dense, targets);
    const gradDense = model.params.map((p) => p.grad.slice());
    model.zeroGrad();
    const sparse = model.forward({ tokens, batch: B, steps: T }, h0);
    expectClose(sparse.logits.data, [Array.from(denseLogits.data)]);
    const fromTokens = model.backward(sparse, targets);
    model.params.forEach((p, k) =>
      expectClose(p.grad, [Array.from(gradDense[k])]),
    );
    expect(fromTokens.dInput).toBeNull();
    expectClose(fromTokens.dInitialState.data, [
      Array.from(fromDense.dInitialState.data),
    ]);
  });

  it("maps its fields to PyTorch's layout and back", () => {
    const model = new RNN(3, 4, 6, { random: new Random(1) });
    const back = rnnFromPyTorch({
      ...(({ bias, ...rest }) => ({
        ...rest,
        bias_ih: bias,
        bias_hh: bias.map(() => 0),
      }))(rnnToPyTorch(model)),
    });
    model.params.forEach((p, k) =>
      expect(back.params[k].value).toEqual(p.value),
    );
    expect(K).toBe(6);
    expect(I).toBe(3);
  });
});

describe("float32 models", () => {
  it("tanhFloat32 is within 1.3e-9 relative of tanh on [-9, 9]", () => {
    let worst = 0;
    for (let i = -900000; i <= 900000; i++) {
      const x = i * 1e-5;
      if (x === 0) continue;
      const t = Math.tanh(x);
      worst = Math.max(worst, Math.abs(tanhFloat32(x) - t) / Math.abs(t));
    }
    for (let k = -300; k < 0; k++) {
      const x = 10 ** k;
      const t = Math.tanh(x);
      worst = Math.max(worst, Math.abs(tanhFloat32(x) - t) / t);
    }
    expect(worst).toBeLessThan(1.3e-9);
    expect(tanhFloat32(9.5)).toBe(1);
    expect(tanhFloat32(-Infinity)).toBe(-1);
    expect(tanhFloat32(NaN)).toBeNaN();
  });

  it("compute the float64 result to float32 precision", () => {
    const m64 = referenceModel();
    const m32 = rnnFromPyTorch(
      {
        weight_ih: ref.weight_ih,
        weight_hh: ref.weight_hh,
        bias_ih: ref.bias_ih,
        bias_hh: ref.bias_hh,
        readout_weight: ref.V,
        readout_bias: ref.c,
      },
      "float32",
    );
    const targets = Int32Array.from(ref.targets.flat());
    const x64 = Matrix.fromRows(ref.x.flat());
    const h64 = Matrix.fromRows(ref.h0);
    const r64 = m64.backward(
      m64.forward({ x: x64, batch: B, steps: T }, h64),
      targets,
    );
    const c32 = m32.forward(
      { x: x64.toDType("float32"), batch: B, steps: T },
      h64.toDType("float32"),
    );
    const r32 = m32.backward(c32, targets);
    expect(Math.abs(r32.loss - r64.loss) / r64.loss).toBeLessThan(1e-6);
    m32.params.forEach((p, k) => {
      p.grad.forEach((g, i) => {
        expect(Math.abs(g - m64.params[k].grad[i])).toBeLessThan(2e-6);
      });
    });
  });
});
