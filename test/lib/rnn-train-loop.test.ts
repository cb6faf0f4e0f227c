/**
 * trainRNN against the loop it documents, written out step by step: the
 * state carried from chunk to chunk and reset at each epoch, the default
 * clipping (norm 5) and Adam (2e-3), the gradient norm each onStep
 * receives, validation after each epoch; and drawToken's distribution.
 */
import { describe, expect, it } from "vitest";

import { Adam, clipByGlobalNorm } from "../../lib/src/optim.js";
import { Random } from "../../lib/src/random.js";
import { RNN } from "../../lib/src/rnn.js";
import { drawToken } from "../../lib/src/rnn-sample.js";
import { evaluateRNN, trainRNN } from "../../lib/src/rnn-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { ChunkBatches, Vocabulary } from "../../lib/src/text.js";

const text = "a rose by any other name would smell as sweet; ".repeat(6);
const vocab = Vocabulary.fromText(text);
const ids = vocab.encode(text);
const K = vocab.size;
const [B, T] = [3, 8];

/** Large initial weights, so that some gradients exceed the clip norm 5. */
const model = (seed: number) =>
  new RNN(K, 12, K, { random: new Random(seed), initScale: 1.5 });

/** The documented loop: `carry` false or `resetEachEpoch` false mutate it. */
function manualLoop(
  net: RNN,
  steps: number,
  variant: { carry: boolean; resetEachEpoch: boolean },
): number[] {
  const chunks = new ChunkBatches(ids, B, T);
  const adam = new Adam(net.params, { learningRate: 2e-3 });
  const state = Matrix.zeros(B, net.hiddenSize);
  const norms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const k = i % chunks.count;
    if (k === 0 && variant.resetEachEpoch) state.data.fill(0);
    const batch = chunks.get(k);
    const cache = net.forward(
      { tokens: batch.inputs, batch: B, steps: T },
      state,
    );
    net.zeroGrad();
    net.backward(cache, batch.targets, { reduction: "mean" });
    norms.push(clipByGlobalNorm(net.params, 5));
    adam.step();
    if (variant.carry) state.data.set(cache.finalState.data);
  }
  return norms;
}

const flat = (net: RNN) => net.params.flatMap((p) => Array.from(p.value));

describe("trainRNN follows its documented loop", () => {
  const count = new ChunkBatches(ids, B, T).count;
  const steps = 2 * count + 3; // crosses two epoch boundaries

  it("carries the state, resets it each epoch, clips at 5, Adam 2e-3", () => {
    const ours = model(7);
    const seen: number[] = [];
    const result = trainRNN(ours, ids, {
      batchSize: B,
      seqLength: T,
      epochs: 3,
      maxSteps: steps,
      onStep: (_step, _loss, gradNorm) => {
        seen.push(gradNorm);
      },
    });
    const reference = model(7);
    const norms = manualLoop(reference, steps, {
      carry: true,
      resetEachEpoch: true,
    });
    // Clipping must have acted for the comparison to test its default.
    expect(Math.max(...norms)).toBeGreaterThan(5);
    expect(result.gradNorms.length).toBe(steps);
    result.gradNorms.forEach((n, i) => expect(n).toBeCloseTo(norms[i], 10));
    expect(seen).toEqual(result.gradNorms);
    const gap = Math.max(
      ...flat(ours).map((v, i) => Math.abs(v - flat(reference)[i])),
    );
    expect(gap).toBeLessThan(1e-12);

    // The same comparison tells a loop without carrying or without the
    // reset apart, so the agreement above is not vacuous.
    for (const variant of [
      { carry: false, resetEachEpoch: true },
      { carry: true, resetEachEpoch: false },
    ]) {
      const other = model(7);
      manualLoop(other, steps, variant);
      const apart = Math.max(
        ...flat(ours).map((v, i) => Math.abs(v - flat(other)[i])),
      );
      expect(apart, JSON.stringify(variant)).toBeGreaterThan(1e-6);
    }
  });

  it("scores options.validation after each epoch, not the training text", () => {
    const net = model(8);
    const validation = vocab.encode(
      "smell as sweet a rose by any name ".repeat(3),
    );
    const expected: number[] = [];
    const onTraining: number[] = [];
    const result = trainRNN(net, ids, {
      batchSize: B,
      seqLength: T,
      epochs: 2,
      validation,
      onEpoch: () => {
        const at = { batchSize: B, seqLength: T };
        expected.push(evaluateRNN(net, validation, at).loss);
        onTraining.push(evaluateRNN(net, ids, at).loss);
      },
    });
    expect(result.validationLosses).toEqual(expected);
    expect(result.validationLosses[1]).not.toBeCloseTo(onTraining[1], 6);
  });
});

describe("drawToken", () => {
  it("draws from softmax(z / temperature)", () => {
    const z = [1.0, 0.2, -0.5, 2.0];
    for (const temperature of [0.5, 1, 2]) {
      const random = new Random(11);
      const n = 40_000;
      const counts = new Array(z.length).fill(0);
      for (let i = 0; i < n; i++) counts[drawToken(z, temperature, random)]++;
      const e = z.map((v) => Math.exp(v / temperature));
      const total = e.reduce((s, v) => s + v, 0);
      e.forEach((v, j) => {
        const p = v / total;
        // Within 5 standard deviations of a binomial count.
        const sd = Math.sqrt(n * p * (1 - p));
        expect(
          Math.abs(counts[j] - n * p),
          `T ${temperature}, ${j}`,
        ).toBeLessThan(5 * sd);
      });
    }
  });
});
