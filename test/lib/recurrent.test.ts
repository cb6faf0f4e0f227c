/**
 * Any recurrent model through the shared interface: training, evaluation
 * and sampling of the LSTM and GRU with the RNN lesson's functions; save
 * and load of all three kinds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { GRU } from "../../lib/src/gru.js";
import { LSTM, LSTM_VARIANTS } from "../../lib/src/lstm.js";
import { Random } from "../../lib/src/random.js";
import type { RecurrentModel } from "../../lib/src/recurrent.js";
import {
  gruFromPyTorch,
  lstmFromPyTorch,
} from "../../lib/src/recurrent-pytorch.js";
import {
  loadRecurrent,
  loadRecurrentFile,
  saveRecurrent,
  saveRecurrentFile,
} from "../../lib/src/recurrent-io.js";
import { RNN } from "../../lib/src/rnn.js";
import { saveRNN } from "../../lib/src/rnn-io.js";
import { sampleRNN, sampleText } from "../../lib/src/rnn-sample.js";
import { evaluateRNN, trainRNN } from "../../lib/src/rnn-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { Vocabulary } from "../../lib/src/text.js";

const text = "the cat sat on the mat. ".repeat(40);
const vocab = Vocabulary.fromText(text);
const ids = vocab.encode(text);
const K = vocab.size;

const makers: Record<string, (seed: number) => RecurrentModel> = {
  LSTM: (seed) => new LSTM(K, 16, K, { random: new Random(seed) }),
  "LSTM, 2 layers, CIFG": (seed) =>
    new LSTM(K, 12, K, {
      random: new Random(seed),
      layers: 2,
      variant: "CIFG",
    }),
  "LSTM float32": (seed) =>
    new LSTM(K, 16, K, { random: new Random(seed), dtype: "float32" }),
  GRU: (seed) => new GRU(K, 16, K, { random: new Random(seed) }),
  "GRU, 2 layers": (seed) =>
    new GRU(K, 12, K, { random: new Random(seed), layers: 2 }),
};

describe("trainRNN, evaluateRNN and sampleText on LSTM and GRU", () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`trains the ${name} on a small text, lowering the loss`, () => {
      const model = make(1);
      const before = evaluateRNN(model, ids, { seqLength: 16 }).loss;
      expect(before).toBeGreaterThan(0.8 * Math.log(K));
      const result = trainRNN(model, ids, {
        batchSize: 4,
        seqLength: 16,
        epochs: 6,
        maxSteps: 80,
        learningRate: 0.01,
      });
      expect(result.losses.length).toBe(80);
      const after = evaluateRNN(model, ids, { seqLength: 16 }).loss;
      // Measured: from about ln 11 = 2.4 to 0.2-0.4 nats, 1.4 for the
      // two-layer CIFG (slower to start).
      expect(after).toBeLessThan(0.7 * before);
      const last = result.losses.slice(-5).reduce((a, v) => a + v) / 5;
      expect(last).toBeLessThan(0.7 * result.losses[0]);
    });
  }

  it("scores chunks with the carried (h, C) as one pass over the text", () => {
    const model = new LSTM(K, 8, K, { random: new Random(4), layers: 2 });
    const stream = ids.subarray(0, 3 * 10 + 1);
    const chunked = evaluateRNN(model, stream, { seqLength: 3 });
    const whole = model.forward({
      tokens: stream.subarray(0, 30),
      batch: 1,
      steps: 30,
    });
    const total = model.loss(whole, stream.subarray(1, 31));
    expect(chunked.tokens).toBe(30);
    expect(chunked.loss * 30).toBeCloseTo(total, 11);
  });

  it("samples from the whole carried state, deterministically", () => {
    for (const make of [makers.LSTM, makers["GRU, 2 layers"]]) {
      const model = make(5);
      trainRNN(model, ids, { batchSize: 4, seqLength: 16, maxSteps: 10 });
      const draw = (seed: number) =>
        sampleText(model, vocab, "the ", {
          length: 40,
          random: new Random(seed),
        });
      expect(draw(1)).toBe(draw(1));
      expect(draw(1)).not.toBe(draw(2));
      expect(Array.from(draw(1)).length).toBe(40);

      // Greedy sampling is the argmax loop fed the carried state.
      const prime = vocab.encode("the m");
      const greedy = sampleRNN(model, prime, {
        length: 12,
        temperature: 0,
        random: new Random(1),
      });
      let cache = model.forward({ tokens: prime, batch: 1, steps: 5 });
      let logits = Array.from(cache.logits.row(4));
      for (let n = 0; n < 12; n++) {
        const next = logits.indexOf(Math.max(...logits));
        expect(greedy[n]).toBe(next);
        const state = cache.finalState.clone();
        expect(state.cols).toBe(model.stateSize);
        const token = Int32Array.of(next);
        cache = model.forward({ tokens: token, batch: 1, steps: 1 }, state);
        logits = Array.from(cache.logits.row(0));
      }
    }
  });

  it("keeps the RNN's state width: stateSize = H", () => {
    const rnn = new RNN(K, 7, K, { random: new Random(1) });
    expect(rnn.stateSize).toBe(7);
    expect(
      new LSTM(K, 7, K, { random: new Random(1), layers: 3 }).stateSize,
    ).toBe(42);
    expect(
      new GRU(K, 7, K, { random: new Random(1), layers: 3 }).stateSize,
    ).toBe(21);
  });
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memnets-recurrent-io-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Same kind, options and every bit of every parameter. */
function expectSameModel(a: RecurrentModel, b: RecurrentModel) {
  expect(b.constructor).toBe(a.constructor);
  expect([b.inputSize, b.hiddenSize, b.outputSize, b.stateSize]).toEqual([
    a.inputSize,
    a.hiddenSize,
    a.outputSize,
    a.stateSize,
  ]);
  expect(b.dtype).toBe(a.dtype);
  expect(b.params.map((p) => p.name)).toEqual(a.params.map((p) => p.name));
  b.params.forEach((p, k) => expect(p.value).toEqual(a.params[k].value));
}

describe("saveRecurrent / loadRecurrent", () => {
  const random = new Random(3);
  const models: [string, RNN | LSTM | GRU][] = [
    ...LSTM_VARIANTS.map((variant): [string, LSTM] => [
      `LSTM ${variant}`,
      new LSTM(K, 5, K, { random, variant, layers: 2 }),
    ]),
    ["LSTM float32", new LSTM(K, 5, K, { random, dtype: "float32" })],
    ["GRU float32", new GRU(K, 5, K, { random, dtype: "float32", layers: 2 })],
    ["GRU", new GRU(4, 5, K, { random })],
    ["RNN", new RNN(K, 5, K, { random })],
  ];
  for (const [name, model] of models) {
    it(`restores every bit, the options and the vocabulary (${name})`, () => {
      model.params[0].value[0] = model.dtype === "float32" ? 5e-40 : 1e-310;
      const file = path.join(dir, `${name}.json`);
      saveRecurrentFile(file, model, vocab);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const { model: back, vocabulary } = loadRecurrentFile(file);
      expectSameModel(model, back);
      expect(vocabulary?.chars).toEqual(vocab.chars);
      if (model instanceof LSTM) {
        expect((back as LSTM).variant).toBe(model.variant);
        expect((back as LSTM).layers).toBe(model.layers);
      }
      expect(loadRecurrent(saveRecurrent(model)).vocabulary).toBeNull();
    });
  }

  it("loads files written by saveRNN", () => {
    const rnn = new RNN(K, 6, K, { random: new Random(8) });
    const { model, vocabulary } = loadRecurrent(saveRNN(rnn, vocab));
    expectSameModel(rnn, model);
    expect(vocabulary?.size).toBe(K);
  });

  it("rejects damaged files, naming the field and the file", () => {
    const model = new LSTM(K, 4, K, { random: new Random(9), variant: "PH" });
    const doc = JSON.parse(saveRecurrent(model));
    const edit = (change: Record<string, unknown>) =>
      JSON.stringify({ ...doc, ...change });
    const weights = (change: Record<string, unknown>) =>
      edit({ weights: { ...doc.weights, ...change } });
    expect(() => loadRecurrent("{")).toThrow(SyntaxError);
    expect(() => loadRecurrent("[1]")).toThrow(/text: expected a JSON object/);
    expect(() => loadRecurrent(edit({ format: "x" }))).toThrow(/format/);
    expect(() => loadRecurrent(edit({ version: 2 }))).toThrow(/version/);
    expect(() => loadRecurrent(edit({ kind: "hopfield" }))).toThrow(
      /kind: expected "rnn", "lstm" or "gru"/,
    );
    expect(() => loadRecurrent(edit({ extra: 1 }))).toThrow(
      /extra: unknown field/,
    );
    expect(() => loadRecurrent(edit({ kind: "gru" }))).toThrow(
      /variant: unknown field/,
    );
    expect(() => loadRecurrent(edit({ variant: "XL" }))).toThrow(
      /^variant: expected one of vanilla/,
    );
    expect(() => loadRecurrent(edit({ variant: "vanilla" }))).toThrow(
      /weights.cells.0.peepholes: not a parameter/,
    );
    expect(() => loadRecurrent(edit({ layers: 0 }))).toThrow(/layers/);
    expect(() => loadRecurrent(edit({ layers: 2 }))).toThrow(
      /weights.cells.1.inputWeights: missing/,
    );
    expect(() => loadRecurrent(edit({ hiddenSize: 3 }))).toThrow(
      `weights.cells.0.inputWeights: expected ${K * 4 * 3} numbers`,
    );
    expect(() => loadRecurrent(edit({ weights: [] }))).toThrow(/weights/);
    expect(() => loadRecurrent(weights({ outputBias: [1] }))).toThrow(
      `weights.outputBias: expected ${K} numbers`,
    );
    const bad = doc.weights["cells.0.bias"].slice();
    bad[3] = null;
    expect(() => loadRecurrent(weights({ "cells.0.bias": bad }))).toThrow(
      /weights.cells.0.bias\[3\]: expected a finite number/,
    );
    expect(() => loadRecurrent(edit({ vocabulary: ["a", "b"] }))).toThrow(
      `vocabulary: expected ${K} characters`,
    );
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, edit({ dtype: "int8" }));
    expect(() => loadRecurrentFile(file)).toThrow(new RegExp(`${file}: dtype`));
    model.cells[0].peepholes![2] = NaN;
    expect(() => saveRecurrent(model)).toThrow(/cells.0.peepholes\[2\]/);
    expect(() => saveRecurrent({} as LSTM)).toThrow(/model: expected an RNN/);
    expect(() =>
      saveRecurrent(makers.GRU(1) as GRU, Vocabulary.fromText("ab")),
    ).toThrow(`vocabulary: expected ${K} characters`);
  });
});

describe("LSTM and GRU bad input", () => {
  const random = new Random(1);
  const lstm = new LSTM(3, 4, 5, { random, layers: 2 });
  const gru = new GRU(3, 4, 5, { random });
  const x = Matrix.zeros(2 * 3, 3);
  const input = { x, batch: 2, steps: 3 };

  it("names wrong options", () => {
    expect(() => new LSTM(3, 4, 5, { variant: "XYZ" as never })).toThrow(
      /options.variant: expected one of vanilla, NIG, NFG, NOG, NOAF, PH, CIFG, got "XYZ"/,
    );
    expect(() => new LSTM(3, 4, 5, { variant: 3 as never })).toThrow(TypeError);
    expect(() => new LSTM(3, 4, 5, { layers: 0 })).toThrow(
      /options.layers: expected an integer >= 1, got 0/,
    );
    expect(() => new GRU(3, 4, 5, { layers: 1.5 })).toThrow(/options.layers/);
    expect(() => new LSTM(3, 4, 5, { variant: "NFG", forgetBias: 1 })).toThrow(
      /options.forgetBias: the NFG variant has no forget gate/,
    );
    expect(() => new LSTM(3, 4, 5, { forgetBias: "1" as never })).toThrow(
      TypeError,
    );
    expect(() => new LSTM(3, 4, 5, { forgetBias: NaN })).toThrow(RangeError);
    expect(() => new GRU(3, 4, 5, { forgetBias: 1 } as never)).toThrow(
      /options.forgetBias: unsupported option/,
    );
    expect(() => new LSTM(0, 4, 5)).toThrow(/inputSize/);
    expect(() => new LSTM(3, 4, 5, { dtype: "int8" as never })).toThrow(
      /options.dtype/,
    );
    expect(() => new LSTM(3, 4, 5)).toThrow(
      /options.random: expected a Random/,
    );
  });

  it("names a wrong state, input, targets or cache", () => {
    expect(() => lstm.forward(input, Matrix.zeros(2, 8))).toThrow(
      /initialState: expected shape \[2, 16\], got \[2, 8\]/,
    );
    expect(() => gru.forward(input, Matrix.zeros(2, 4, "float32"))).toThrow(
      /initialState: expected float64 data, got float32/,
    );
    expect(() =>
      lstm.forward({ x: x.toDType("float32"), batch: 2, steps: 3 }),
    ).toThrow(/input.x: expected float64 data/);
    expect(() =>
      lstm.forward({
        tokens: Int32Array.of(0, 1, 2, 3, 4, 3),
        batch: 2,
        steps: 3,
      }),
    ).toThrow(/input.tokens\[3\]: expected an integer in \[0, 3\), got 3/);
    const cache = lstm.forward(input);
    expect(() => lstm.backward(cache, new Int32Array(5))).toThrow(
      /targets: expected length 6/,
    );
    expect(() => gru.backward(cache, new Int32Array(6))).toThrow(
      /cache: expected the result of this model's forward/,
    );
    expect(() =>
      lstm.backward(cache, new Int32Array(6), {
        stateGradients: "yes" as never,
      }),
    ).toThrow(/options.stateGradients: expected a boolean/);
    expect(() =>
      lstm.backward(cache, new Int32Array(6), { reduction: "max" as never }),
    ).toThrow(/options.reduction/);
    expect(() => lstm.backwardFromLogits(cache, Matrix.zeros(6, 4))).toThrow(
      /dLogits: expected shape \[6, 5\]/,
    );
    expect(() => lstm.backwardFromOutputs(cache, Matrix.zeros(6, 5))).toThrow(
      /dOutputs: expected shape \[6, 4\]/,
    );
    expect(() =>
      lstm.backwardFromOutputs(cache, Matrix.zeros(6, 4), {
        dFinalState: Matrix.zeros(2, 8),
      }),
    ).toThrow(/options.dFinalState: expected shape \[2, 16\]/);
    expect(() =>
      lstm.backwardFromOutputs(cache, Matrix.zeros(6, 4), {
        reduction: "sum",
      } as never),
    ).toThrow(/options.reduction: unsupported option/);
  });

  it("names a wrong gate or layer, and a variant PyTorch lacks", () => {
    expect(() => lstm.gateWeights(2, "input")).toThrow(
      /layer: expected an integer in \[0, 2\), got 2/,
    );
    expect(() => lstm.gateWeights(0, "count" as never)).toThrow(
      /gate: expected one of input, forget, candidate, output/,
    );
    const nig = new LSTM(3, 4, 5, { random, variant: "NIG" });
    expect(() => nig.gateWeights(0, "input")).toThrow(
      /the NIG variant has no input gate/,
    );
  });
});

describe("LSTM weights and the lecture's equations", () => {
  it("sets b_f to forgetBias in every layer (CIFG: b_i = -forgetBias)", () => {
    const vanilla = new LSTM(3, 4, 5, {
      initScale: 0,
      layers: 2,
      forgetBias: 2.5,
    });
    for (const c of vanilla.cells) {
      expect(Array.from(c.bias)).toEqual([
        ...[0, 0, 0, 0, 2.5, 2.5, 2.5, 2.5],
        ...[0, 0, 0, 0, 0, 0, 0, 0],
      ]);
    }
    const cifg = new LSTM(3, 4, 5, { initScale: 0, variant: "CIFG" });
    expect(Array.from(cifg.cells[0].bias.subarray(0, 4))).toEqual([
      -1, -1, -1, -1,
    ]);
    const nfg = new LSTM(3, 4, 5, { initScale: 0, variant: "NFG" });
    expect(nfg.cells[0].bias.every((v) => v === 0)).toBe(true);
    // The uniform draw fills the other gates; b_f stays as set.
    const drawn = new LSTM(3, 4, 5, { random: new Random(1) });
    expect(Array.from(drawn.gateWeights(0, "forget").bias)).toEqual([
      1, 1, 1, 1,
    ]);
    expect(drawn.gateWeights(0, "input").bias.every((v) => v !== 0)).toBe(true);
  });

  it("gateWeights gives W_gate on [h_{t-1}, x_t]: one step by hand", () => {
    const random = new Random(12);
    const [B, I, H] = [2, 3, 4];
    const model = new LSTM(I, H, 5, { random, layers: 2 });
    const x = Matrix.zeros(B, I);
    x.data.forEach((_, i) => (x.data[i] = random.normal()));
    const state = Matrix.zeros(B, model.stateSize);
    state.data.forEach((_, i) => (state.data[i] = random.normal(0, 0.5)));
    const cache = model.forward({ x, batch: B, steps: 1 }, state);
    const sigma = (v: number) => 1 / (1 + Math.exp(-v));
    for (let b = 0; b < B; b++) {
      // Layer 0 reads x; its h_0 is layer 1's input.
      let input = Array.from(x.row(b));
      for (let l = 0; l < 2; l++) {
        const h = Array.from(state.row(b).subarray(l * 2 * H, l * 2 * H + H));
        const c = Array.from(
          state.row(b).subarray(l * 2 * H + H, (l + 1) * 2 * H),
        );
        const hx = [...h, ...input];
        const gate = (name: "input" | "forget" | "candidate" | "output") => {
          const { weights: W, bias } = model.gateWeights(l, name);
          expect(W.shape).toEqual([H, H + hx.length - H]);
          return Array.from(bias, (bj, j) =>
            hx.reduce((s, v, k) => s + W.get(j, k) * v, bj),
          );
        };
        const f = gate("forget").map(sigma);
        const i = gate("input").map(sigma);
        const cTilde = gate("candidate").map(Math.tanh);
        const o = gate("output").map(sigma);
        const cNew = c.map((cj, j) => f[j] * cj + i[j] * cTilde[j]);
        const hNew = cNew.map((cj, j) => o[j] * Math.tanh(cj));
        const final = cache.finalState.row(b);
        hNew.forEach((v, j) => expect(final[l * 2 * H + j]).toBeCloseTo(v, 14));
        cNew.forEach((v, j) =>
          expect(final[l * 2 * H + H + j]).toBeCloseTo(v, 14),
        );
        input = hNew;
      }
    }
  });
});

describe("upstream gradients, null options, sizes and files", () => {
  const random = new Random(4);
  const [B, T, I, H, Kc] = [2, 3, 3, 4, 5];
  const input = { x: Matrix.zeros(B * T, I), batch: B, steps: T };
  const lstm = new LSTM(I, H, Kc, { random, layers: 2 });
  const gru = new GRU(I, H, Kc, { random });
  const models: Record<string, RecurrentModel> = {
    LSTM: lstm,
    GRU: gru,
    RNN: new RNN(I, H, Kc, { random }),
  };
  /** A finite matrix with `bad` at [1, 2]. */
  const withBad = (rows: number, cols: number, bad: number) => {
    const M = Matrix.zeros(rows, cols);
    M.set(1, 2, bad);
    return M;
  };

  for (const [name, model] of Object.entries(models)) {
    it(`refuses NaN or Infinity in dLogits, naming [row, col] (${name})`, () => {
      const cache = model.forward(input);
      for (const bad of [NaN, Infinity, -Infinity]) {
        expect(() =>
          model.backwardFromLogits(cache, withBad(T * B, Kc, bad)),
        ).toThrow(
          new RangeError(
            `dLogits: expected finite numbers, got ${bad} at [1, 2]`,
          ),
        );
      }
    });

    it(`refuses options.reduction in backwardFromLogits (${name})`, () => {
      const cache = model.forward(input);
      for (const reduction of ["mean", "sum"] as const) {
        expect(() =>
          model.backwardFromLogits(cache, Matrix.zeros(T * B, Kc), {
            reduction,
          }),
        ).toThrow(/^options.reduction: unsupported by backwardFromLogits/);
      }
      // Without it the pass runs.
      expect(
        model.backwardFromLogits(cache, Matrix.zeros(T * B, Kc), {
          stateGradients: true,
        }).stateGradients,
      ).not.toBeNull();
    });

    it(`says which size is too large (${name})`, () => {
      const make = (i: number, h: number, k: number) =>
        name === "LSTM"
          ? new LSTM(i, h, k, { initScale: 0 })
          : name === "GRU"
            ? new GRU(i, h, k, { initScale: 0 })
            : new RNN(i, h, k, { initScale: 0 });
      expect(() => make(2, 1e9, 2)).toThrow(
        new RangeError(
          "hiddenSize: expected an integer in [1, 16777216], got 1000000000",
        ),
      );
      expect(() => make(2 ** 25, 2, 2)).toThrow(/^inputSize: expected/);
      expect(() => make(2, 2, 2 ** 25)).toThrow(/^outputSize: expected/);
      // Each size allowed, together too many weights for a typed array.
      expect(() => make(2 ** 20, 2 ** 12, 2)).toThrow(
        new RegExp(
          `^inputSize, hiddenSize, outputSize.*: the ${name} would hold up to ` +
            `\\d+ weights, expected at most 2147483647`,
        ),
      );
    });
  }

  it("refuses NaN or Infinity in dOutputs and options.dFinalState", () => {
    for (const model of [lstm, gru]) {
      const cache = model.forward(input);
      const S = model.stateSize;
      expect(() =>
        model.backwardFromOutputs(cache, withBad(T * B, H, NaN)),
      ).toThrow(
        new RangeError("dOutputs: expected finite numbers, got NaN at [1, 2]"),
      );
      expect(() =>
        model.backwardFromOutputs(cache, Matrix.zeros(T * B, H), {
          dFinalState: withBad(B, S, -Infinity),
        }),
      ).toThrow(
        new RangeError(
          "options.dFinalState: expected finite numbers, got -Infinity at [1, 2]",
        ),
      );
    }
  });

  it("gives a TypeError for null variant and forgetBias, and layer '0'", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error("did not throw");
    };
    const variant = err(() => new LSTM(2, 3, 4, { variant: null as never }));
    expect(variant).toBeInstanceOf(TypeError);
    expect(variant.message).toBe(
      "options.variant: expected a string, got null",
    );
    const bias = err(() => new LSTM(2, 3, 4, { forgetBias: null as never }));
    expect(bias).toBeInstanceOf(TypeError);
    expect(bias.message).toBe(
      "options.forgetBias: expected a number, got null",
    );
    const layer = err(() => lstm.gateWeights("0" as never, "input"));
    expect(layer).toBeInstanceOf(TypeError);
    expect(layer.message).toMatch(/^layer: expected an integer in \[0, 2\)/);
    const gate = err(() => lstm.gateWeights(0, 1 as never));
    expect(gate).toBeInstanceOf(TypeError);
    expect(gate.message).toMatch(/^gate: expected one of input, forget/);
    expect(() => new LSTM(2, 3, 4, { layers: 1e9 })).toThrow(
      /^options.layers: expected an integer in \[1, 16777216\]/,
    );
  });

  it("requires an LSTM file's variant", () => {
    const noaf = new LSTM(I, H, Kc, { random, variant: "NOAF" });
    const doc = JSON.parse(saveRecurrent(noaf)) as Record<string, unknown>;
    expect(doc.variant).toBe("NOAF");
    delete doc.variant;
    expect(() => loadRecurrent(JSON.stringify(doc))).toThrow(
      /^variant: missing \(required for kind "lstm"/,
    );
    expect(() =>
      loadRecurrent(JSON.stringify({ ...doc, variant: null })),
    ).toThrow(new TypeError("variant: expected a string, got null"));
    // The GRU's files have no variant and still load.
    const loaded = loadRecurrent(saveRecurrent(gru)).model;
    expect(loaded).toBeInstanceOf(GRU);
  });

  it("lstmFromPyTorch and gruFromPyTorch say I >= 1 and H >= 1", () => {
    const h = 2;
    const rows = (n: number, m: number) =>
      Array.from({ length: n }, () => new Array<number>(m).fill(0.1));
    const layer = (G: number, ih: number[][], hh: number[][]) => ({
      weight_ih: ih,
      weight_hh: hh,
      bias_ih: new Array<number>(G * h).fill(0),
      bias_hh: new Array<number>(G * h).fill(0),
    });
    expect(() => lstmFromPyTorch([layer(4, [[]], rows(4 * h, h))])).toThrow(
      new RangeError(
        "layers[0].weight_ih: expected I >= 1 columns (I = inputs), got 0",
      ),
    );
    expect(() => gruFromPyTorch([layer(3, rows(3 * h, 2), [[], []])])).toThrow(
      new RangeError(
        "layers[0].weight_hh: expected H >= 1 columns (H = hidden units), got 0",
      ),
    );
  });
});
