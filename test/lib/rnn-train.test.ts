import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { SGD } from "../../lib/src/optim.js";
import { Random } from "../../lib/src/random.js";
import { RNN } from "../../lib/src/rnn.js";
import {
  loadRNN,
  loadRNNFile,
  saveRNN,
  saveRNNFile,
} from "../../lib/src/rnn-io.js";
import { sampleRNN, sampleText } from "../../lib/src/rnn-sample.js";
import { evaluateRNN, trainRNN } from "../../lib/src/rnn-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { Vocabulary } from "../../lib/src/text.js";
import { NonFiniteLossError } from "../../lib/src/train.js";

const text = "the cat sat on the mat. ".repeat(40);
const vocab = Vocabulary.fromText(text);
const ids = vocab.encode(text);
const K = vocab.size;

function charModel(seed = 1, dtype: "float32" | "float64" = "float64") {
  return new RNN(K, 16, K, { random: new Random(seed), dtype });
}

describe("trainRNN", () => {
  it("learns a repetitive text far below ln K nats per character", () => {
    const model = charModel();
    const before = evaluateRNN(model, ids, { seqLength: 16 }).loss;
    expect(before).toBeGreaterThan(0.8 * Math.log(K));
    const epochs: number[] = [];
    const result = trainRNN(model, ids, {
      batchSize: 4,
      seqLength: 16,
      epochs: 15,
      learningRate: 0.01,
      validation: ids.subarray(0, 300),
      onEpoch: (epoch, train, validation) => {
        epochs.push(epoch);
        expect(Number.isFinite(train) && Number.isFinite(validation)).toBe(
          true,
        );
      },
    });
    expect(epochs.length).toBe(15);
    expect(result.validationLosses.length).toBe(15);
    expect(result.losses.length).toBe(15 * 14);
    const after = evaluateRNN(model, ids, { seqLength: 16 });
    expect(after.loss).toBeLessThan(0.3);
    expect(after.perplexity).toBeCloseTo(Math.exp(after.loss), 12);
  });

  it("trains float32 models too", () => {
    const model = charModel(2, "float32");
    const result = trainRNN(model, ids, {
      batchSize: 4,
      seqLength: 16,
      epochs: 3,
      learningRate: 0.01,
    });
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] - 0.5);
  });

  it("stops when a callback returns false, and after maxSteps", () => {
    const stopped = trainRNN(charModel(), ids, {
      batchSize: 4,
      seqLength: 16,
      onStep: (step) => step < 2,
    });
    expect(stopped.losses.length).toBe(3);
    expect(stopped.stoppedEarly).toBe(true);
    const capped = trainRNN(charModel(), ids, {
      batchSize: 4,
      seqLength: 16,
      epochs: 5,
      maxSteps: 7,
    });
    expect(capped.losses.length).toBe(7);
  });

  it("stops with NonFiniteLossError naming the step of a NaN loss", () => {
    const model = charModel();
    let caught: unknown;
    try {
      trainRNN(model, ids, {
        batchSize: 4,
        seqLength: 16,
        onStep: (step) => {
          // A diverged weight after step 2: step 3's loss is NaN.
          if (step === 2) model.outputBias[0] = NaN;
        },
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NonFiniteLossError);
    expect((caught as NonFiniteLossError).step).toBe(3);
    expect((caught as Error).message).toMatch(/non-finite loss NaN at step 3/);
    // The NaN step made no update: only the bias entry we spoiled is NaN.
    const spoiled = model.params.flatMap((p) =>
      Array.from(p.value).filter((v) => Number.isNaN(v)),
    );
    expect(spoiled.length).toBe(1);
  });

  it("clips the gradient to clipNorm before the update", () => {
    // Plain SGD moves the weights by exactly lr times the clipped gradient.
    const model = charModel(3);
    const before = model.params.map((p) => p.value.slice());
    const lr = 0.1;
    const clipNorm = 0.05;
    const result = trainRNN(model, ids, {
      batchSize: 4,
      seqLength: 16,
      maxSteps: 1,
      clipNorm,
      optimizer: new SGD(model.params, { learningRate: lr }),
    });
    expect(result.gradNorms[0]).toBeGreaterThan(clipNorm);
    let squares = 0;
    model.params.forEach((p, k) => {
      p.value.forEach((v, i) => (squares += (v - before[k][i]) ** 2));
    });
    expect(Math.sqrt(squares)).toBeCloseTo(lr * clipNorm, 12);
  });

  it("rejects unknown options and bad values, naming them", () => {
    const model = charModel();
    const base = { batchSize: 4, seqLength: 16 };
    expect(() => trainRNN(model, ids, { ...base, lr: 1 } as never)).toThrow(
      /options.lr: unsupported option/,
    );
    expect(() => trainRNN(model, ids, { ...base, clipNorm: 0 })).toThrow(
      /options.clipNorm/,
    );
    expect(() => trainRNN(model, ids, { ...base, batchSize: 0 })).toThrow(
      /batch/,
    );
    expect(() => trainRNN(model, ids, { ...base, onStep: 5 as never })).toThrow(
      TypeError,
    );
    const bad = Int32Array.from(ids);
    bad[10] = K;
    // Checked up front, at its absolute position (not mid-training).
    expect(() => trainRNN(model, bad, base)).toThrow(
      `ids[10]: expected a token id in [0, ${K}) (the model's vocabulary ` +
        `of ${K}), got ${K}`,
    );
  });
});

describe("evaluateRNN", () => {
  it("scores chunks with the carried state as one pass over the text", () => {
    const model = charModel(4);
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
});

describe("sampleRNN / sampleText", () => {
  const model = charModel(5);

  it("is deterministic for a seed and differs between seeds", () => {
    const draw = (seed: number) =>
      sampleText(model, vocab, "the ", {
        length: 60,
        random: new Random(seed),
      });
    expect(draw(1)).toBe(draw(1));
    expect(draw(1)).not.toBe(draw(2));
    expect(Array.from(draw(1)).length).toBe(60);
  });

  it("takes the most likely token at temperature 0, whatever the seed", () => {
    const prime = vocab.encode("the c");
    const greedy = sampleRNN(model, prime, {
      length: 20,
      temperature: 0,
      random: new Random(1),
    });
    expect(
      sampleRNN(model, prime, {
        length: 20,
        temperature: 0,
        random: new Random(9),
      }),
    ).toEqual(greedy);
    // Check the first greedy token against the primed logits.
    const cache = model.forward({
      tokens: prime,
      batch: 1,
      steps: prime.length,
    });
    const last = Array.from(cache.logits.row(prime.length - 1));
    expect(greedy[0]).toBe(last.indexOf(Math.max(...last)));
  });

  it("depends on the priming text through the hidden state", () => {
    const a = sampleText(model, vocab, "the m", {
      length: 30,
      temperature: 0,
      random: new Random(1),
    });
    const b = sampleText(model, vocab, "on th", {
      length: 30,
      temperature: 0,
      random: new Random(1),
    });
    expect(a).not.toBe(b);
  });

  it("rejects a bad prime, temperature, options and vocabulary", () => {
    const random = new Random(1);
    expect(() =>
      sampleText(model, vocab, "xyz", { length: 3, random }),
    ).toThrow(/"x" \(U\+0078\) at position 0/);
    expect(() =>
      sampleRNN(model, new Int32Array(0), { length: 3, random }),
    ).toThrow(/prime/);
    expect(() =>
      sampleRNN(model, ids.subarray(0, 2), {
        length: 3,
        random,
        temperature: -1,
      }),
    ).toThrow(/options.temperature/);
    expect(() =>
      sampleRNN(model, ids.subarray(0, 2), {
        length: 3,
        random,
        seed: 1,
      } as never),
    ).toThrow(/options.seed: unsupported option/);
    expect(() =>
      sampleRNN(model, ids.subarray(0, 2), { length: 3 } as never),
    ).toThrow(/options.random/);
    expect(() =>
      sampleText(model, Vocabulary.fromText("ab"), "a", { length: 3, random }),
    ).toThrow(/vocabulary: expected \d+ characters/);
  });
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memnets-rnn-io-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("saveRNN / loadRNN", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`restores every bit and the vocabulary (${dtype})`, () => {
      const ru = Vocabulary.fromText("мой дядя 🙂");
      const model = new RNN(ru.size, 7, ru.size, {
        dtype,
        random: new Random(6),
      });
      model.bias[0] = dtype === "float32" ? 5e-40 : 1e-310; // subnormal
      const file = path.join(dir, `model-${dtype}.json`);
      saveRNNFile(file, model, ru);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const { model: back, vocabulary } = loadRNNFile(file);
      expect(back.dtype).toBe(dtype);
      back.params.forEach((p, k) =>
        expect(p.value).toEqual(model.params[k].value),
      );
      expect(vocabulary?.chars).toEqual(ru.chars);
      const none = loadRNN(saveRNN(model));
      expect(none.vocabulary).toBeNull();
    });
  }

  it("rejects bad files, naming the field and the file", () => {
    const model = charModel();
    const doc = JSON.parse(saveRNN(model));
    const edit = (change: Record<string, unknown>) =>
      JSON.stringify({ ...doc, ...change });
    expect(() => loadRNN("{")).toThrow(SyntaxError);
    expect(() => loadRNN(edit({ format: "x" }))).toThrow(/format/);
    expect(() => loadRNN(edit({ version: 2 }))).toThrow(/version/);
    expect(() => loadRNN(edit({ extra: 1 }))).toThrow(/extra: unknown field/);
    expect(() => loadRNN(edit({ bias: [1] }))).toThrow(/bias: expected 16/);
    expect(() => loadRNN(edit({ hiddenSize: 0 }))).toThrow(/hiddenSize/);
    const bad = doc.outputBias.slice();
    bad[2] = "x";
    expect(() => loadRNN(edit({ outputBias: bad }))).toThrow(
      /outputBias\[2\]: expected a finite number/,
    );
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, edit({ version: 3 }));
    expect(() => loadRNNFile(file)).toThrow(new RegExp(`${file}: version`));
    model.recurrentWeights.data[4] = Infinity;
    expect(() => saveRNN(model)).toThrow(/recurrentWeights\[4\]/);
    expect(() => saveRNN(charModel(), Vocabulary.fromText("ab"))).toThrow(
      /vocabulary/,
    );
  });
});

describe("RNN bad input", () => {
  const model = charModel();
  const tokens = ids.subarray(0, 6);

  it("names a wrong id, a wrong length and a wrong initial state", () => {
    const bad = Int32Array.from(tokens);
    bad[4] = -1;
    expect(() => model.forward({ tokens: bad, batch: 2, steps: 3 })).toThrow(
      /input.tokens\[4\]: expected an integer in \[0, \d+\), got -1/,
    );
    expect(() => model.forward({ tokens, batch: 2, steps: 2 })).toThrow(
      /input.tokens: expected length 4, got 6/,
    );
    expect(() =>
      model.forward({ tokens, batch: 2, steps: 3 }, Matrix.zeros(3, 16)),
    ).toThrow(/initialState: expected shape \[2, 16\], got \[3, 16\]/);
    expect(() =>
      model.forward(
        { tokens, batch: 2, steps: 3 },
        Matrix.zeros(2, 16, "float32"),
      ),
    ).toThrow(TypeError);
    expect(() => model.forward({ tokens, batch: 0, steps: 3 })).toThrow(
      /input.batch/,
    );
  });

  it("names a wrong dense input, wrong targets and unknown options", () => {
    expect(() =>
      model.forward({ x: Matrix.zeros(6, K + 1), batch: 2, steps: 3 }),
    ).toThrow(/input.x: expected shape \[6, \d+\]/);
    expect(() =>
      model.forward({ tokens, batch: 2, steps: 3, extra: 1 } as never),
    ).toThrow(/input.extra: unsupported option/);
    const cache = model.forward({ tokens, batch: 2, steps: 3 });
    expect(() => model.backward(cache, [0, 1, 2])).toThrow(
      /targets: expected length 6, got 3/,
    );
    expect(() => model.backward(cache, [0, 1, 2, 3, 4, K])).toThrow(
      /targets\[5\]/,
    );
    expect(() =>
      model.backward(cache, tokens, { reduction: "max" as never }),
    ).toThrow(/options.reduction/);
    expect(() => model.backward(cache, tokens, { clip: 1 } as never)).toThrow(
      /options.clip: unsupported option/,
    );
    expect(() => charModel(2).backward(cache, tokens)).toThrow(
      /cache: expected the result of this model's forward/,
    );
    expect(() => new RNN(3, 4, 5, { seed: 1 } as never)).toThrow(
      /options.seed: unsupported option/,
    );
    expect(() => new RNN(3, 4, 5)).toThrow(/options.random/);
    expect(() => new RNN(3, 0, 5, { initScale: 0 })).toThrow(/hiddenSize/);
  });
});
