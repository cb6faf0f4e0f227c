/**
 * Bad input to the recurrent library (RNN, LSTM and GRU through the shared
 * trainer, evaluation, sampler, PyTorch readers and file loaders) is
 * refused at once, naming the user's argument and what was expected; and
 * the scratch each model keeps per input shape stays bounded. One test
 * per defect a tester found.
 */
import { describe, expect, it } from "vitest";

import { GRU } from "../../lib/src/gru.js";
import * as lib from "../../lib/src/index.js";
import { LSTM, LSTM_VARIANTS } from "../../lib/src/lstm.js";
import { Adam, SGD } from "../../lib/src/optim.js";
import { Random } from "../../lib/src/random.js";
import type {
  RecurrentCache,
  RecurrentModel,
} from "../../lib/src/recurrent.js";
import {
  gruFromPyTorch,
  lstmFromPyTorch,
  type PyTorchRecurrentLayer,
} from "../../lib/src/recurrent-pytorch.js";
import { loadRecurrent, saveRecurrent } from "../../lib/src/recurrent-io.js";
import { RNN } from "../../lib/src/rnn.js";
import { loadRNN, saveRNN } from "../../lib/src/rnn-io.js";
import {
  type PyTorchRNNWeights,
  rnnFromPyTorch,
  rnnToPyTorch,
} from "../../lib/src/rnn-pytorch.js";
import { drawToken, sampleRNN, sampleText } from "../../lib/src/rnn-sample.js";
import { evaluateRNN, trainRNN } from "../../lib/src/rnn-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { Vocabulary } from "../../lib/src/text.js";
import {
  WORKSPACE_SHAPES,
  WorkspaceCache,
} from "../../lib/src/workspace-cache.js";

const text = "the cat sat on the mat. ".repeat(20);
const vocab = Vocabulary.fromText(text);
const ids = vocab.encode(text);
const K = vocab.size;

const makers: Record<string, (seed?: number) => RecurrentModel> = {
  RNN: (seed = 1) => new RNN(K, 8, K, { random: new Random(seed) }),
  LSTM: (seed = 1) => new LSTM(K, 6, K, { random: new Random(seed) }),
  GRU: (seed = 1) => new GRU(K, 6, K, { random: new Random(seed), layers: 2 }),
};

/** Copies of every parameter, to show that nothing was trained. */
function snapshot(model: RecurrentModel): number[][] {
  return model.params.map((p) => Array.from(p.value));
}

/** What `fn` throws (fails the test if it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}

const base = { batchSize: 2, seqLength: 8 };

describe("trainRNN checks its token streams before any step", () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`names options.validation that is too short or out of range (${name})`, () => {
      const model = make();
      const before = snapshot(model);
      let steps = 0;
      const onStep = () => void steps++;
      const short = ids.slice(0, 10);
      const err = thrown(() =>
        trainRNN(model, ids, { ...base, validation: short, onStep }),
      );
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe(
        "options.validation: expected at least options.batchSize * " +
          "(options.seqLength + 1) = 2 * 9 = 18 tokens for one chunk, got 10",
      );
      const wrong = ids.slice(0, 40);
      wrong[33] = K + 3;
      expect(() =>
        trainRNN(model, ids, { ...base, validation: wrong, onStep }),
      ).toThrow(
        `options.validation[33]: expected a token id in [0, ${K}) ` +
          `(the model's vocabulary of ${K}), got ${K + 3}`,
      );
      expect(() =>
        trainRNN(model, ids, {
          ...base,
          validation: Array.from(wrong) as never,
        }),
      ).toThrow(/^options.validation: expected an Int32Array/);
      expect(steps).toBe(0);
      expect(snapshot(model)).toEqual(before);
    });
  }

  it("names ids[i] at its absolute position, against I and K", () => {
    for (const make of Object.values(makers)) {
      const model = make();
      const before = snapshot(model);
      const bad = Int32Array.from(ids);
      bad[397] = -1;
      let steps = 0;
      const err = thrown(() =>
        trainRNN(model, bad, { ...base, onStep: () => void steps++ }),
      );
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe(
        `ids[397]: expected a token id in [0, ${K}) (the model's ` +
          `vocabulary of ${K}), got -1`,
      );
      expect(steps).toBe(0);
      expect(snapshot(model)).toEqual(before);
    }
    // I != K: every token is read and predicted, so both bound it.
    const wide = new RNN(K + 2, 4, K, { random: new Random(2) });
    const bad = Int32Array.from(ids);
    bad[100] = K;
    expect(() => trainRNN(wide, bad, base)).toThrow(
      `ids[100]: expected a token id in [0, ${K}) (inputSize ${K + 2} and ` +
        `outputSize ${K}: each token is read and predicted), got ${K}`,
    );
    expect(() => evaluateRNN(wide, bad)).toThrow(/^ids\[100\]/);
  });
});

describe("trainRNN and evaluateRNN name their own options", () => {
  it("says options.batchSize and options.seqLength, not batch and steps", () => {
    const model = makers.LSTM();
    const noBatch = thrown(() => trainRNN(model, ids, {} as never));
    expect(noBatch).toBeInstanceOf(TypeError);
    expect(noBatch.message).toBe(
      "options.batchSize: expected an integer >= 1, got undefined",
    );
    expect(() => trainRNN(model, ids, { batchSize: 2 } as never)).toThrow(
      "options.seqLength: expected an integer >= 1, got undefined",
    );
    const zero = thrown(() => evaluateRNN(model, ids, { seqLength: 0 }));
    expect(zero).toBeInstanceOf(RangeError);
    expect(zero.message).toBe(
      "options.seqLength: expected an integer >= 1, got 0",
    );
    expect(() => evaluateRNN(model, ids, { batchSize: 1.5 })).toThrow(
      "options.batchSize: expected an integer >= 1, got 1.5",
    );
    expect(() =>
      evaluateRNN(model, ids.slice(0, 50), { batchSize: 1, seqLength: 64 }),
    ).toThrow(
      /^ids: expected at least options.batchSize \* \(options.seqLength \+ 1\) = 1 \* 65 = 65 tokens for one chunk, got 50$/,
    );
  });
});

describe("the model and the options object are checked first", () => {
  const model = makers.RNN();
  const random = new Random(1);

  it("names a missing options object", () => {
    for (const call of [
      () => trainRNN(model, ids, undefined as never),
      () => sampleText(model, vocab, "a", undefined as never),
      () => sampleRNN(model, ids.subarray(0, 1), null as never),
    ]) {
      const err = thrown(call);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/^options: expected an object \{/);
    }
    expect(() => evaluateRNN(model, ids, 5 as never)).toThrow(
      /^options: expected an object \{ batchSize\?, seqLength\? \}, got 5$/,
    );
  });

  it("names a model that is not a recurrent model", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => trainRNN(null as never, ids, base), /got null$/],
      [
        () => evaluateRNN({} as never, ids),
        /got Object without a valid forward$/,
      ],
      [
        () => sampleText(null as never, vocab, "a", { length: 2, random }),
        /got null$/,
      ],
      [
        () =>
          sampleRNN(
            {
              forward: () => null,
              loss: () => 0,
              backward: () => null,
              zeroGrad: () => undefined,
              params: [],
              dtype: "float64",
            } as never,
            ids.subarray(0, 1),
            { length: 2, random },
          ),
        /got Object without a valid inputSize$/,
      ],
    ];
    for (const [call, tail] of cases) {
      const err = thrown(call);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/^model: expected a recurrent model/);
      expect(err.message).toMatch(tail);
    }
  });
});

/** A small RNN in PyTorch's layout (I = 2, H = 2, K = 3). */
function torchRNN(): PyTorchRNNWeights {
  return {
    weight_ih: [
      [0.1, 0.2],
      [0.3, 0.4],
    ],
    weight_hh: [
      [0.5, 0.6],
      [0.7, 0.8],
    ],
    bias_ih: [0.1, 0.2],
    bias_hh: [0.3, 0.4],
    readout_weight: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    readout_bias: [0.5, 0.6, 0.7],
  };
}

/** One GRU or LSTM layer in PyTorch's layout (I = 2, H = 1, G gates). */
function torchLayer(G: number): PyTorchRecurrentLayer {
  const column = (n: number) => Array.from({ length: n }, (_, i) => 0.1 * i);
  return {
    weight_ih: column(G).map((v) => [v, -v]),
    weight_hh: column(G).map((v) => [v]),
    bias_ih: column(G),
    bias_hh: column(G),
  };
}

describe("rnnFromPyTorch, lstmFromPyTorch and gruFromPyTorch", () => {
  it("reads good weights as before", () => {
    const model = rnnFromPyTorch(torchRNN(), "float32");
    const back = rnnToPyTorch(model);
    expect(back.bias).toEqual([0.4, 0.6000000000000001].map(Math.fround));
    expect(back.readout_weight[2]).toEqual([5, 6]);
  });

  it("names a string, null, NaN, a nested list or a float32 overflow", () => {
    const cases: [
      (w: PyTorchRNNWeights) => void,
      typeof TypeError | typeof RangeError,
      string,
    ][] = [
      [
        (w) => ((w.weight_ih[1] as unknown[])[0] = "0.3"),
        TypeError,
        'weights.weight_ih[1][0]: expected a finite number, got "0.3"',
      ],
      [
        (w) => ((w.bias_hh as unknown[])[1] = null),
        TypeError,
        "weights.bias_hh[1]: expected a finite number, got null",
      ],
      [
        (w) => (w.readout_bias[2] = NaN),
        RangeError,
        "weights.readout_bias[2]: expected a finite float32 number, got NaN",
      ],
      [
        (w) => ((w.bias_ih as unknown[])[0] = [1, 2]),
        TypeError,
        "weights.bias_ih[0]: expected a finite number, got an array",
      ],
      [
        (w) => (w.weight_hh[0][1] = 1e39),
        RangeError,
        "weights.weight_hh[0][1]: expected a finite float32 number, got " +
          "1e+39 (Infinity in float32)",
      ],
      [
        (w) => {
          w.bias_ih = [3e38, 1];
          w.bias_hh = [3e38, 1];
        },
        RangeError,
        "weights.bias_ih[0] + weights.bias_hh[0]: expected a sum that " +
          "fits float32, got 6e+38",
      ],
      [
        (w) => (w.readout_weight[1] = [3]),
        RangeError,
        "weights.readout_weight[1]: expected 2 numbers, got 1",
      ],
    ];
    for (const [spoil, Kind, message] of cases) {
      const w = torchRNN();
      spoil(w);
      const err = thrown(() => rnnFromPyTorch(w, "float32"));
      expect(err, message).toBeInstanceOf(Kind);
      expect(err.message).toBe(message);
    }
    // 1e39 is a fine float64.
    const w = torchRNN();
    w.weight_hh[0][1] = 1e39;
    expect(rnnFromPyTorch(w).recurrentWeights.data[2]).toBe(1e39);
    expect(() => rnnFromPyTorch(undefined as never)).toThrow(
      /^weights: expected an object/,
    );
  });

  it("checks the LSTM and GRU layers and readout the same way", () => {
    const lstmLayer = torchLayer(4);
    (lstmLayer.bias_hh as unknown[])[2] = "x";
    expect(() => lstmFromPyTorch([lstmLayer])).toThrow(
      'layers[0].bias_hh[2]: expected a finite number, got "x"',
    );
    const big = torchLayer(4);
    big.weight_ih[3][1] = -1e39;
    expect(() =>
      lstmFromPyTorch([big], undefined, { dtype: "float32" }),
    ).toThrow(
      "layers[0].weight_ih[3][1]: expected a finite float32 number, got " +
        "-1e+39 (-Infinity in float32)",
    );
    const sum = torchLayer(4);
    sum.bias_ih[1] = 1.7e308;
    sum.bias_hh[1] = 1.7e308;
    expect(() => lstmFromPyTorch([sum])).toThrow(
      "layers[0].bias_ih[1] + layers[0].bias_hh[1]: expected a sum that " +
        "fits float64, got Infinity",
    );
    const gruLayer = torchLayer(3);
    (gruLayer.weight_hh as unknown[])[1] = [[0.5]];
    expect(() => gruFromPyTorch([gruLayer])).toThrow(
      "layers[0].weight_hh[1][0]: expected a finite number, got an array",
    );
    const readout = { weight: [[1], [2]], bias: [0, NaN] };
    expect(() => gruFromPyTorch([torchLayer(3)], readout)).toThrow(
      "readout.bias[1]: expected a finite float64 number, got NaN",
    );
    expect(() =>
      gruFromPyTorch(
        [torchLayer(3)],
        { weight: [[1], [2]], bias: [0, 1] },
        {
          outputSize: 3,
        },
      ),
    ).toThrow("options.outputSize: expected 2 (the readout's rows)");
    expect(() => gruFromPyTorch([null as never])).toThrow(
      /^layers\[0\]: expected an object, got null/,
    );
    const good = gruFromPyTorch([torchLayer(3)], {
      weight: [[1], [2]],
      bias: [0, 1],
    });
    expect(Array.from(good.outputBias)).toEqual([0, 1]);
  });
});

describe("drawToken and sampleRNN refuse non-finite or empty logits", () => {
  const random = new Random(3);

  it("drawToken throws for NaN, Infinity and an empty z", () => {
    expect(() => drawToken([0.5, NaN, 1], 1, random)).toThrow(
      "z[1]: expected a finite logit, got NaN",
    );
    expect(() => drawToken(Float64Array.of(Infinity), 0, random)).toThrow(
      "z[0]: expected a finite logit, got Infinity",
    );
    const empty = thrown(() => drawToken([], 1, random));
    expect(empty).toBeInstanceOf(RangeError);
    expect(empty.message).toBe("z: expected at least one logit, got none");
    expect(() => drawToken(null as never, 1, random)).toThrow(TypeError);
    expect(() => drawToken([1, 2], -1, random)).toThrow(
      "temperature: expected a number >= 0, got -1",
    );
    expect(drawToken([1, 5, 2], 0, random)).toBe(1);
  });

  it("sampleRNN names the step whose logits are not finite", () => {
    // Token 2's input row is NaN: the first draw (greedy) picks it, and
    // the step after reading it has NaN logits.
    const model = new RNN(3, 2, 3, { initScale: 0 });
    model.outputBias.set([0, 0, 1]);
    model.inputWeights.data.fill(NaN, 4, 6);
    const err = thrown(() =>
      sampleRNN(model, Int32Array.of(0), {
        length: 4,
        random,
        temperature: 0,
      }),
    );
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe(
      "model: produced non-finite logits at step 1 of the sample " +
        "(logit 0 is NaN); are its weights finite?",
    );
    model.outputBias[1] = NaN;
    expect(() =>
      sampleRNN(model, Int32Array.of(0), { length: 1, random }),
    ).toThrow(/non-finite logits at step 0 of the sample \(logit 1 is NaN\)/);
  });
});

describe("loaders compare array lengths with the header before allocating", () => {
  /** Bytes in ArrayBuffers grown by `fn` (which must throw). */
  function bytesAllocated(fn: () => unknown): number {
    const before = process.memoryUsage().arrayBuffers;
    thrown(fn);
    return process.memoryUsage().arrayBuffers - before;
  }

  it("refuses a damaged RNN file with a huge hiddenSize at once", () => {
    const doc = JSON.parse(saveRNN(makers.RNN() as RNN, vocab));
    for (const hiddenSize of [20000, 1e6]) {
      const text = JSON.stringify({ ...doc, hiddenSize });
      let err: Error | undefined;
      const grown = bytesAllocated(() => {
        try {
          loadRNN(text);
        } catch (e) {
          err = e as Error;
          throw e;
        }
      });
      expect(err).toBeInstanceOf(RangeError);
      expect(err?.message).toBe(
        `inputWeights: expected ${K * hiddenSize} numbers, got ${K * 8}`,
      );
      expect(grown).toBeLessThan(64 * 2 ** 20);
    }
    expect(() =>
      loadRNN(JSON.stringify({ ...doc, hiddenSize: 2 ** 30 })),
    ).toThrow(
      "hiddenSize: expected an integer in [1, 16777216], got 1073741824",
    );
  });

  it("refuses damaged LSTM and GRU files the same way", () => {
    const lstm = new LSTM(K, 4, K, { random: new Random(4), variant: "PH" });
    const doc = JSON.parse(saveRecurrent(lstm));
    const grown = bytesAllocated(() =>
      loadRecurrent(JSON.stringify({ ...doc, hiddenSize: 20000 })),
    );
    expect(grown).toBeLessThan(64 * 2 ** 20);
    expect(() =>
      loadRecurrent(JSON.stringify({ ...doc, hiddenSize: 1e6 })),
    ).toThrow(`weights.cells.0.inputWeights: expected ${K * 4 * 1e6} numbers`);
    expect(() =>
      loadRecurrent(JSON.stringify({ ...doc, layers: 1e6 })),
    ).toThrow("weights.cells.1.inputWeights: missing");
    const gru = JSON.parse(saveRecurrent(makers.GRU() as GRU));
    expect(() =>
      loadRecurrent(JSON.stringify({ ...gru, outputSize: 5e6 })),
    ).toThrow(/^weights.outputWeights: expected 30000000 numbers/);
    expect(() =>
      loadRecurrent(JSON.stringify({ ...gru, layers: 1.5 })),
    ).toThrow("layers: expected an integer in [1, 16777216], got 1.5");
  });

  it("still loads every kind, variant and depth it saves", () => {
    const random = new Random(5);
    const models: RecurrentModel[] = [
      new RNN(3, 2, 4, { random }),
      ...[1, 2].map((layers) => new GRU(3, 2, 4, { random, layers })),
      ...LSTM_VARIANTS.flatMap((variant) =>
        [1, 2].map((layers) => new LSTM(3, 2, 4, { random, layers, variant })),
      ),
    ];
    for (const model of models) {
      const { model: back } = loadRecurrent(
        saveRecurrent(model as RNN | LSTM | GRU),
      );
      expect(back.params.map((p) => p.name)).toEqual(
        model.params.map((p) => p.name),
      );
      back.params.forEach((p, k) =>
        expect(p.value).toEqual(model.params[k].value),
      );
    }
  });

  it("writes -0 as 0, as the module headers say", () => {
    const model = new RNN(2, 2, 2, { initScale: 0 });
    model.bias[1] = -0;
    const back = loadRNN(saveRNN(model)).model;
    expect(Object.is(back.bias[1], 0)).toBe(true);
  });
});

describe("each model keeps the scratch of a few shapes only", () => {
  it("WorkspaceCache keeps the most recently used shapes", () => {
    const cache = new WorkspaceCache<{ batch: number; steps: number }>();
    const made: { batch: number; steps: number }[] = [];
    const get = (T: number) =>
      cache.get(1, T, () => {
        const ws = { batch: 1, steps: T };
        made.push(ws);
        return ws;
      });
    for (let T = 1; T <= 4; T++) get(T);
    get(1); // T = 1 is now the most recent
    get(5); // pushes T = 2 out
    expect(made.length).toBe(5);
    expect(get(1)).toBe(made[0]);
    expect(() => cache.check("c", made[1])).toThrow(/scratch was released/);
    for (const k of [0, 2, 3, 4]) cache.check("c", made[k]);
    expect(WORKSPACE_SHAPES).toBe(4);
  });

  for (const [name, make] of Object.entries(makers)) {
    it(`refuses a cache whose scratch a fifth shape released (${name})`, () => {
      const model = make();
      const caches: RecurrentCache[] = [];
      for (let T = 2; T <= 12; T++) {
        caches.push(
          model.forward({ tokens: ids.subarray(0, T), batch: 1, steps: T }),
        );
      }
      const targets = (T: number) => ids.subarray(1, T + 1);
      // The last four shapes are kept; the older ones were released.
      caches.slice(-WORKSPACE_SHAPES).forEach((cache) => {
        expect(
          model.backward(cache, targets(cache.steps)).loss,
        ).toBeGreaterThan(0);
      });
      const old = caches[0];
      const err = thrown(() => model.backward(old, targets(2)));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe(
        "cache: its scratch was released (the model keeps the 4 most " +
          "recently used shapes, and forward passes of other shapes pushed " +
          "[1, 2] out); run forward() again before backward()",
      );
      expect(() => model.loss(old, targets(2))).toThrow(/released/);
      // A foreign cache is still named as such.
      expect(() => make(2).backward(caches[10], targets(12))).toThrow(
        /^cache: expected the result of this model's forward\(\)/,
      );
      const again = model.forward({
        tokens: ids.subarray(0, 2),
        batch: 1,
        steps: 2,
      });
      expect(model.backward(again, targets(2)).loss).toBeGreaterThan(0);
    });
  }
});

describe("smaller defects", () => {
  const random = new Random(6);
  const model = makers.RNN();

  it("says >= 1 for a size that is not an integer", () => {
    for (const make of [
      () => new RNN(3.5, 4, 5, { initScale: 0 }),
      () => new LSTM(3.5, 4, 5, { initScale: 0 }),
      () => new GRU(3.5, 4, 5, { initScale: 0 }),
    ]) {
      expect(make).toThrow("inputSize: expected an integer >= 1, got 3.5");
    }
    expect(() => new RNN("3" as never, 4, 5)).toThrow(TypeError);
  });

  it("names prime for an unknown character, a wrong id or an empty prime", () => {
    expect(() =>
      sampleText(model, vocab, "thZ", { length: 2, random }),
    ).toThrow(/^prime: character "Z" \(U\+005A\) at position 2/);
    expect(() =>
      sampleRNN(model, Int32Array.of(K), { length: 2, random }),
    ).toThrow(`prime[0]: expected an integer in [0, ${K}), got ${K}`);
    const empty = thrown(() =>
      sampleRNN(model, new Int32Array(0), { length: 2, random }),
    );
    expect(empty).toBeInstanceOf(RangeError);
    expect(empty.message).toBe(
      "prime: expected an Int32Array of at least one token id, got an " +
        "empty one",
    );
    expect(() =>
      sampleRNN(model, [1, 2] as never, { length: 2, random }),
    ).toThrow(/^prime: expected an Int32Array of token ids, got Array\(2\)/);
  });

  it("refuses learningRate with optimizer, and optimizer null", () => {
    const both = thrown(() =>
      trainRNN(model, ids, {
        ...base,
        optimizer: new SGD(model.params, { learningRate: 0.1 }),
        learningRate: 0.5,
      }),
    );
    expect(both).toBeInstanceOf(RangeError);
    expect(both.message).toMatch(/^options.learningRate: .*\(got both\)$/);
    const none = thrown(() =>
      trainRNN(model, ids, { ...base, optimizer: null as never }),
    );
    expect(none).toBeInstanceOf(TypeError);
    expect(none.message).toBe(
      "options.optimizer: expected an optimizer with step(), got null",
    );
    const adam = new Adam(model.params, { learningRate: 1e-3 });
    expect(
      trainRNN(model, ids, { ...base, optimizer: adam, maxSteps: 1 }).losses,
    ).toHaveLength(1);
  });

  it("refuses NaN or Infinity in dense input and initial state", () => {
    for (const [name, make] of Object.entries(makers)) {
      const m = make();
      const x = Matrix.zeros(2 * 3, K);
      x.data[K + 4] = NaN;
      const err = thrown(() => m.forward({ x, batch: 2, steps: 3 }));
      expect(err, name).toBeInstanceOf(RangeError);
      expect(err.message).toBe(
        "input.x: expected finite numbers, got NaN at [1, 4]",
      );
      const state = Matrix.zeros(2, m.stateSize);
      state.data[m.stateSize + 1] = -Infinity;
      expect(() =>
        m.forward({ tokens: ids.subarray(0, 6), batch: 2, steps: 3 }, state),
      ).toThrow(
        "initialState: expected finite numbers, got -Infinity at [1, 1]",
      );
    }
  });

  it("gives a TypeError for option values of the wrong kind", () => {
    const clip = thrown(() =>
      trainRNN(model, ids, { ...base, clipNorm: "5" as never }),
    );
    expect(clip).toBeInstanceOf(TypeError);
    expect(clip.message).toBe(
      'options.clipNorm: expected a number > 0 (Infinity for none), got string "5"',
    );
    expect(() => trainRNN(model, ids, { ...base, clipNorm: -1 })).toThrow(
      RangeError,
    );
    const temperature = thrown(() =>
      sampleRNN(model, ids.subarray(0, 2), {
        length: 2,
        random,
        temperature: "1" as never,
      }),
    );
    expect(temperature).toBeInstanceOf(TypeError);
    expect(temperature.message).toBe(
      'options.temperature: expected a number >= 0, got string "1"',
    );
  });

  it("exports only the public names of rnn-input.ts from the package", () => {
    const exported = lib as Record<string, unknown>;
    for (const internal of [
      "reorderRows",
      "kernelInput",
      "reductionScale",
      "atLeastOne",
      "checkInput",
      "checkTokens",
      "checkState",
      "checkFinite",
    ]) {
      expect(exported[internal], internal).toBeUndefined();
    }
    expect(typeof exported.toBatchMajor).toBe("function");
    expect(typeof exported.trainRNN).toBe("function");
  });
});
