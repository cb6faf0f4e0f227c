import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { contrastiveLoss } from "../../lib/src/contrastive.js";
import { Encoder, type EncoderActivation } from "../../lib/src/encoder.js";
import {
  loadEncoder,
  loadEncoderFile,
  saveEncoder,
  saveEncoderFile,
} from "../../lib/src/encoder-io.js";
import { gradCheck } from "../../lib/src/gradcheck.js";
import { Random } from "../../lib/src/random.js";
import { siameseLoss } from "../../lib/src/siamese.js";
import { Matrix } from "../../lib/src/tensor.js";

function randomMatrix(rows: number, cols: number, random: Random): Matrix {
  const M = Matrix.zeros(rows, cols, "float64");
  for (let i = 0; i < M.data.length; i++) M.data[i] = random.normal();
  return M;
}

/** G_W(X) by plain loops over the lecture's formula. */
function forwardByLoops(encoder: Encoder, X: Matrix): number[][] {
  let A = X.toArray();
  encoder.weights.forEach((W, l) => {
    const last = l === encoder.weights.length - 1;
    A = A.map((row) =>
      Array.from({ length: W.cols }, (_, j) => {
        let z = encoder.biases[l][j];
        for (let i = 0; i < W.rows; i++) z += row[i] * W.get(i, j);
        if (last) return z;
        return encoder.activation === "relu" ? Math.max(0, z) : Math.tanh(z);
      }),
    );
  });
  return A;
}

function encoderWithBiases(activation: EncoderActivation, seed: number) {
  const random = new Random(seed);
  const encoder = new Encoder({
    sizes: [5, 7, 6, 3],
    activation,
    dtype: "float64",
    random,
  });
  // Nonzero biases, so that their gradients are exercised too.
  for (const b of encoder.biases) {
    for (let j = 0; j < b.length; j++) b[j] = 0.3 * random.normal();
  }
  return encoder;
}

describe("Encoder", () => {
  it.each(["relu", "tanh"] as const)(
    "computes G_W as the dense layers of the module header (%s)",
    (activation) => {
      const encoder = encoderWithBiases(activation, 1);
      const X = randomMatrix(4, 5, new Random(2));
      const G = encoder.embed(X);
      const expected = forwardByLoops(encoder, X);
      expect(G.rows).toBe(4);
      expect(G.cols).toBe(3);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 3; j++) {
          expect(G.get(i, j)).toBeCloseTo(expected[i][j], 12);
        }
      }
      // The hidden layers are nonlinear: some ReLU units are cut at 0.
      if (activation === "relu") {
        const { cache } = encoder.forward(X);
        expect(cache.activations[1].data.some((v) => v === 0)).toBe(true);
      }
    },
  );

  it.each(["relu", "tanh"] as const)(
    "backward matches central differences for every weight and the input (%s)",
    (activation) => {
      const encoder = encoderWithBiases(activation, 3);
      const X = randomMatrix(4, 5, new Random(4));
      const R = randomMatrix(4, 3, new Random(5)); // loss = sum(R * G_W(X))
      const loss = () => {
        const G = encoder.embed(X);
        let s = 0;
        for (let i = 0; i < G.data.length; i++) s += R.data[i] * G.data[i];
        return s;
      };
      encoder.zeroGrad();
      const { cache } = encoder.forward(X);
      const dX = encoder.backward(cache, R, true)!;
      for (const p of encoder.params) {
        const r = gradCheck(() => loss(), p.value as Float64Array, p.grad);
        expect(r.maxRelError, p.name).toBeLessThan(1e-6);
      }
      const r = gradCheck(() => loss(), X.data as Float64Array, dX.data);
      expect(r.maxRelError).toBeLessThan(1e-6);
    },
  );

  it("adds into the gradients, so two backward calls sum", () => {
    const encoder = encoderWithBiases("tanh", 6);
    const X = randomMatrix(3, 5, new Random(7));
    const R = randomMatrix(3, 3, new Random(8));
    encoder.zeroGrad();
    const { cache } = encoder.forward(X);
    encoder.backward(cache, R);
    const once = encoder.params.map((p) => Array.from(p.grad));
    encoder.backward(cache, R);
    encoder.params.forEach((p, k) => {
      p.grad.forEach((g, i) => expect(g).toBeCloseTo(2 * once[k][i], 12));
    });
    encoder.zeroGrad();
    expect(encoder.params.every((p) => p.grad.every((g) => g === 0))).toBe(
      true,
    );
  });

  it("draws its initial weights from the seed (He for ReLU, LeCun for tanh)", () => {
    const a = new Encoder({ sizes: [400, 300, 2], random: new Random(9) });
    const b = new Encoder({ sizes: [400, 300, 2], random: new Random(9) });
    expect(Array.from(a.weights[0].data)).toEqual(
      Array.from(b.weights[0].data),
    );
    expect(a.dtype).toBe("float32");
    const variance = (x: ArrayLike<number>) =>
      Array.from(x).reduce((s, v) => s + v * v, 0) / x.length;
    // 120,000 draws: the sample variance is within 2% of 2 / 400.
    expect(variance(a.weights[0].data) / (2 / 400)).toBeCloseTo(1, 1);
    expect(variance(a.weights[1].data) / (1 / 300)).toBeGreaterThan(0.8);
    expect(variance(a.weights[1].data) / (1 / 300)).toBeLessThan(1.2);
    const t = new Encoder({
      sizes: [400, 300, 2],
      activation: "tanh",
      random: new Random(9),
    });
    expect(variance(t.weights[0].data) / (1 / 400)).toBeCloseTo(1, 1);
    expect(a.biases.every((b) => b.every((v) => v === 0))).toBe(true);
    expect(a.parameterCount).toBe(400 * 300 + 300 + 300 * 2 + 2);
  });

  it("refuses bad options and inputs, naming them", () => {
    const random = new Random(1);
    expect(() => new Encoder({ sizes: [3], random })).toThrow(/options.sizes/);
    expect(() => new Encoder({ sizes: [3, 0], random })).toThrow(
      /options.sizes\[1\]: expected an integer >= 1/,
    );
    expect(() => new Encoder({ sizes: [3, 2] })).toThrow(/options.random/);
    expect(
      () =>
        new Encoder({
          sizes: [3, 2],
          random,
          activation: "sigmoid" as EncoderActivation,
        }),
    ).toThrow(/options.activation: expected "relu" or "tanh"/);
    expect(
      () => new Encoder({ sizes: [3, 2], random, hidden: 4 } as never),
    ).toThrow(/hidden/);
    const encoder = new Encoder({ sizes: [3, 2], random });
    expect(() => encoder.embed(Matrix.zeros(2, 4, "float32"))).toThrow(
      /X: expected shape \[any, 3\], got \[2, 4\]/,
    );
    expect(() => encoder.embed(Matrix.zeros(2, 3, "float64"))).toThrow(
      /X: expected float32 data/,
    );
    const { cache } = encoder.forward(Matrix.zeros(2, 3, "float32"));
    expect(() => encoder.backward(cache, Matrix.zeros(3, 2))).toThrow(
      /dOutput: expected shape \[2, 2\]/,
    );
    expect(() => encoder.backward({} as never, Matrix.zeros(2, 2))).toThrow(
      /cache: expected what forward\(\) returned/,
    );
    // A cache from an encoder of other widths is named, not gemm's operands.
    const other = new Encoder({ sizes: [4, 2], random });
    const foreign = other.forward(Matrix.zeros(2, 4, "float32")).cache;
    expect(() => encoder.backward(foreign, Matrix.zeros(2, 2))).toThrow(
      /^cache: activation 0 is Matrix \[2, 4\] float32, expected \[2, 3\]/,
    );
    expect(Object.isFrozen(encoder.sizes)).toBe(true);
  });
});

/**
 * Central differences against `p.grad` for a Siamese loss. The last
 * layer's bias b_L cancels in G_W(X1) - G_W(X2), so its gradient is 0:
 * checked as such (a relative error of two roundings of 0 means nothing).
 */
function expectSiameseGradient(
  encoder: Encoder,
  p: { name: string; value: ArrayLike<number>; grad: ArrayLike<number> },
  grad: ArrayLike<number>,
  loss: () => number,
): Float64Array {
  const check = gradCheck(loss, p.value as Float64Array, grad);
  if (p.name === `b${encoder.weights.length}`) {
    for (let i = 0; i < grad.length; i++) {
      expect(Math.abs(grad[i]), p.name).toBeLessThan(1e-12);
      expect(Math.abs(check.numeric[i]), p.name).toBeLessThan(1e-8);
    }
  } else {
    expect(check.maxRelError, p.name).toBeLessThan(1e-6);
  }
  return check.numeric;
}

describe("siameseLoss: both branches share one encoder", () => {
  const setup = (seed: number) => {
    const random = new Random(seed);
    const encoder = encoderWithBiases("tanh", seed);
    const X1 = randomMatrix(6, 5, random);
    const X2 = randomMatrix(6, 5, random);
    const y = [0, 1, 0, 1, 1, 0];
    return { encoder, X1, X2, y };
  };

  it.each([
    ["euclidean", "sum"],
    ["euclidean", "mean"],
    ["l1", "sum"],
  ] as const)(
    "its gradient matches central differences (%s, %s)",
    (distance, reduction) => {
      const { encoder, X1, X2, y } = setup(11);
      const options = { distance, reduction, margin: 2 };
      const loss = () =>
        contrastiveLoss(encoder.embed(X1), encoder.embed(X2), y, options).loss;
      encoder.zeroGrad();
      const r = siameseLoss(encoder, X1, X2, y, options);
      expect(r.loss).toBeCloseTo(loss(), 12);
      // Impostors both inside and beyond the margin, so both cases count.
      const impostors = Array.from(r.energies).filter((_, i) => y[i] === 1);
      expect(impostors.some((e) => e < 2)).toBe(true);
      for (const p of encoder.params) {
        expectSiameseGradient(encoder, p, p.grad, loss);
      }
    },
  );

  it("its gradient is the sum of the two branches' gradients", () => {
    const { encoder, X1, X2, y } = setup(12);
    encoder.zeroGrad();
    siameseLoss(encoder, X1, X2, y);
    const shared = encoder.params.map((p) => Float64Array.from(p.grad));
    // Each branch alone: the other branch's embedding held fixed.
    const G1 = encoder.embed(X1);
    const G2 = encoder.embed(X2);
    const branch1 = () => contrastiveLoss(encoder.embed(X1), G2, y).loss;
    const branch2 = () => contrastiveLoss(G1, encoder.embed(X2), y).loss;
    encoder.params.forEach((p, k) => {
      const x = p.value as Float64Array;
      const zeros = new Float64Array(x.length);
      const one = gradCheck(branch1, x, zeros).numeric;
      const two = gradCheck(branch2, x, zeros).numeric;
      const sum = one.map((v, i) => v + two[i]);
      expectSiameseGradient(
        encoder,
        p,
        shared[k],
        () => contrastiveLoss(encoder.embed(X1), encoder.embed(X2), y).loss,
      );
      for (let i = 0; i < x.length; i++) {
        expect(shared[k][i]).toBeCloseTo(sum[i], 7);
      }
      // Neither branch alone gives it: both contribute.
      const diff = (a: Float64Array) =>
        Math.max(...a.map((v, i) => Math.abs(v - shared[k][i])));
      expect(diff(one), p.name).toBeGreaterThan(1e-4);
      expect(diff(two), p.name).toBeGreaterThan(1e-4);
    });
  });

  it("refuses inputs that do not fit the encoder", () => {
    const { encoder, X1, y } = setup(13);
    expect(() =>
      siameseLoss(encoder, X1, Matrix.zeros(5, 5, "float64"), y.slice(0, 5)),
    ).toThrow(/X2: expected shape \[6, 5\], got \[5, 5\]/);
    expect(() => siameseLoss(encoder, X1, X1, [0, 1])).toThrow(
      /y: expected 6 labels/,
    );
    expect(() => siameseLoss({} as Encoder, X1, X1, y)).toThrow(
      /encoder: expected an Encoder/,
    );
  });
});

describe("saveEncoder / loadEncoder", () => {
  it.each(["float32", "float64"] as const)(
    "round-trips every weight bit for bit (%s)",
    (dtype) => {
      const encoder = new Encoder({
        sizes: [6, 4, 2],
        activation: "tanh",
        dtype,
        random: new Random(5),
      });
      encoder.biases[0][1] = -1e-7;
      const back = loadEncoder(saveEncoder(encoder));
      expect(back.sizes).toEqual([6, 4, 2]);
      expect(back.activation).toBe("tanh");
      expect(back.dtype).toBe(dtype);
      encoder.params.forEach((p, k) => {
        expect(Array.from(back.params[k].value)).toEqual(Array.from(p.value));
      });
      const X = Matrix.zeros(3, 6, dtype);
      X.data.fill(0.5);
      expect(Array.from(back.embed(X).data)).toEqual(
        Array.from(encoder.embed(X).data),
      );
    },
  );

  it("writes files atomically and names the file in errors", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "encoder-io-"));
    try {
      const file = path.join(dir, "sub", "encoder.json");
      const encoder = new Encoder({ sizes: [3, 2], random: new Random(1) });
      saveEncoderFile(file, encoder);
      expect(fs.readdirSync(path.dirname(file))).toEqual(["encoder.json"]);
      expect(Array.from(loadEncoderFile(file).weights[0].data)).toEqual(
        Array.from(encoder.weights[0].data),
      );
      fs.writeFileSync(file, "{not json");
      expect(() => loadEncoderFile(file)).toThrow(
        new RegExp(
          `${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: text: not JSON`,
        ),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses damaged files before allocating, naming the field", () => {
    const encoder = new Encoder({ sizes: [3, 2], random: new Random(1) });
    const good = JSON.parse(saveEncoder(encoder));
    const bad = (patch: object) => () =>
      loadEncoder(JSON.stringify({ ...good, ...patch }));
    expect(bad({ format: "memnets-rnn" })).toThrow(
      /format: expected "memnets-encoder"/,
    );
    expect(bad({ version: 2 })).toThrow(/version: expected 1/);
    expect(bad({ dtype: "int8" })).toThrow(/dtype/);
    expect(bad({ activation: "gelu" })).toThrow(/activation/);
    expect(bad({ sizes: [3] })).toThrow(/sizes: expected at least two/);
    expect(bad({ sizes: [3, 2.5] })).toThrow(/sizes\[1\]: expected an integer/);
    expect(bad({ sizes: [1e7, 1e7] })).toThrow(
      /sizes: .*more than a file may hold/,
    );
    expect(bad({ weights: [[1, 2]] })).toThrow(
      /weights\[0\]: expected 6 numbers, got 2/,
    );
    expect(bad({ biases: [] })).toThrow(/biases: expected 1 numbers, got 0/);
    expect(bad({ weights: [[1, 2, 3, 4, 5, "6"]] })).toThrow(
      /weights\[0\]\[5\]: expected a finite number/,
    );
    expect(bad({ extra: 1 })).toThrow(/extra: unknown field/);
    // A small file claiming 2^27 weights is refused on its array lengths
    // before the 2 GiB model (float64 weights and gradients) is allocated.
    const before = process.memoryUsage().arrayBuffers;
    expect(
      bad({
        dtype: "float64",
        sizes: [2 ** 24, 8],
        weights: [[]],
        biases: [[]],
      }),
    ).toThrow(/^weights\[0\]: expected 134217728 numbers, got 0$/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1e8);
    encoder.weights[0].data[2] = NaN;
    expect(() => saveEncoder(encoder)).toThrow(/W1\[2\]: JSON cannot hold NaN/);
    expect(() => saveEncoder({} as Encoder)).toThrow(
      /encoder: expected an Encoder/,
    );
  });
});
