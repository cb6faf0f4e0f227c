import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import { RBM } from "../../lib/src/rbm.js";
import { freeEnergy } from "../../lib/src/rbm-energy.js";
import {
  CDTrainer,
  trainRBM,
  type RBMTrainOptions,
} from "../../lib/src/rbm-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { NonFiniteLossError } from "../../lib/src/train.js";
import { exactLogLikelihood, toySet } from "./rbm-brute.js";

describe("trainRBM with CD-1", () => {
  it("raises the exact log-likelihood of a toy set", () => {
    const random = new Random(1);
    const data = toySet(random, 90);
    const rbm = new RBM(6, 4, { random });
    rbm.initVisibleBias(data);
    const before = exactLogLikelihood(rbm, data);
    const { history, stopped } = trainRBM(rbm, data, {
      epochs: 60,
      batchSize: 10,
      random,
    });
    const after = exactLogLikelihood(rbm, data);
    expect(stopped).toBe(false);
    expect(history).toHaveLength(60);
    // The independent-bits model (biases only) scores about -3.1 nats;
    // three noisy prototypes allow much better.
    expect(after).toBeGreaterThan(before + 1);
    expect(history[59].reconstructionError).toBeLessThan(
      history[0].reconstructionError,
    );
  });

  it("is reproducible from its seed", () => {
    const run = (seed: number) => {
      const random = new Random(seed);
      const data = toySet(new Random(0), 30);
      const rbm = new RBM(6, 4, { random });
      trainRBM(rbm, data, { epochs: 3, batchSize: 7, random });
      return rbm.W.data;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });
});

describe("trainRBM with PCD and a ragged last batch", () => {
  it("trains with 25 rows in batches of 10 and 7 persistent chains", () => {
    const random = new Random(2);
    const data = toySet(random, 25);
    const rbm = new RBM(6, 4, { random, weightScale: 0.1 });
    rbm.initVisibleBias(data);
    const before = exactLogLikelihood(rbm, data);
    const seen: number[] = [];
    // A small step and moderate momentum: with 7 fantasy particles, the
    // recipe's 0.9 momentum makes PCD oscillate (Tieleman 2008 stresses
    // small learning rates for PCD).
    trainRBM(rbm, data, {
      epochs: 300,
      batchSize: 10,
      persistent: true,
      chains: 7,
      learningRate: 0.02,
      momentum: 0.5,
      random,
      onBatch: (info) => {
        if (info.epoch === 0) seen.push(info.batch, info.batches);
        expect(Number.isFinite(info.reconstructionError)).toBe(true);
      },
    });
    expect(seen).toEqual([0, 3, 1, 3, 2, 3]);
    expect(exactLogLikelihood(rbm, data)).toBeGreaterThan(before + 1);
  });

  it("keeps chainStates binary, with chains defaulting to batchSize", () => {
    const random = new Random(3);
    const rbm = new RBM(6, 4, { random });
    const trainer = new CDTrainer(rbm, {
      random,
      batchSize: 10,
      persistent: true,
    });
    expect(trainer.chainStates()).toBeNull();
    trainer.epoch(toySet(random, 23));
    const chains = trainer.chainStates() as Matrix;
    expect(chains.shape).toEqual([10, 6]);
    expect(chains.data.every((x) => x === 0 || x === 1)).toBe(true);
    expect(trainer.batchesDone).toBe(3);
  });
});

describe("trainRBM monitoring", () => {
  const random = new Random(4);
  const prototypes = Array.from({ length: 4 }, () =>
    Array.from({ length: 16 }, () => (random.uniform() < 0.5 ? 1 : 0)),
  );
  const make = (n: number) =>
    Matrix.fromRows(
      Array.from({ length: n }, (_, r) =>
        prototypes[r % 4].map((x) => (random.uniform() < 0.15 ? 1 - x : x)),
      ),
    );

  it("reports a free-energy gap that grows as a model overfits", () => {
    const train = make(20);
    const heldOut = make(400);
    const rbm = new RBM(16, 32, { random });
    rbm.initVisibleBias(train);
    const gap0 = mean(freeEnergy(rbm, heldOut)) - mean(freeEnergy(rbm, train));
    const { history } = trainRBM(rbm, train, {
      epochs: 300,
      batchSize: 10,
      weightDecay: 0,
      random,
      monitor: { train, heldOut, every: 100 },
    });
    const monitored = history.filter((h) => h.freeEnergyGap !== undefined);
    expect(monitored.map((h) => h.epoch)).toEqual([99, 199, 299]);
    const last = history[299];
    // the last entry is the final model's: recompute it directly
    expect(last.freeEnergyGap).toBeCloseTo(
      mean(freeEnergy(rbm, heldOut)) - mean(freeEnergy(rbm, train)),
      10,
    );
    expect(last.freeEnergyGap as number).toBeGreaterThan(gap0 + 5);
    expect(last.pseudoLikelihood as number).toBeLessThan(0);
    expect(last.seconds).toBeGreaterThanOrEqual(0);
    expect(history[0].freeEnergyGap).toBeUndefined();
  });

  it("stops when onEpoch or onBatch returns false", () => {
    const data = make(30);
    const rbm = new RBM(16, 8, { random });
    const byEpoch = trainRBM(rbm, data, {
      epochs: 10,
      random,
      batchSize: 10,
      onEpoch: (info) => info.epoch < 2,
    });
    expect(byEpoch.stopped).toBe(true);
    expect(byEpoch.history).toHaveLength(3);
    let batches = 0;
    const byBatch = trainRBM(rbm, data, {
      epochs: 10,
      random,
      batchSize: 10,
      onBatch: () => ++batches < 5,
    });
    expect(byBatch).toMatchObject({ stopped: true });
    expect(byBatch.history).toHaveLength(2);
    expect(batches).toBe(5);
  });
});

function mean(x: Float64Array): number {
  return x.reduce((s, v) => s + v, 0) / x.length;
}

describe("trainRBM defaults (Hinton's recipe)", () => {
  it("momentum is 0.5 for five epochs, then 0.9, unless fixed", () => {
    const random = new Random(5);
    const rbm = new RBM(6, 4, { random });
    const data = toySet(random, 20);
    const trainer = new CDTrainer(rbm, { random });
    const seen: number[] = [];
    for (let e = 0; e < 7; e++) {
      seen.push(trainer.momentum);
      trainer.epoch(data);
    }
    expect(seen).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9]);
    expect(new CDTrainer(rbm, { random, momentum: 0.7 }).momentum).toBe(0.7);
  });

  it("initialises the visible bias of a fresh model only", () => {
    const random = new Random(6);
    const data = toySet(random, 30);
    const fresh = new RBM(6, 4, { random });
    trainRBM(fresh, data, { epochs: 0, random });
    const expected = new RBM(6, 4, { weightScale: 0 });
    expected.initVisibleBias(data);
    expect(fresh.a).toEqual(expected.a);

    const trained = new RBM(6, 4, { random });
    trained.a.fill(0.25);
    trainRBM(trained, data, { epochs: 0, random });
    expect([...trained.a]).toEqual(new Array(6).fill(0.25));
    trainRBM(trained, data, { epochs: 0, random, initVisibleBias: true });
    expect(trained.a).toEqual(expected.a);
  });
});

describe("trainRBM bad input", () => {
  const random = new Random(7);
  const rbm = new RBM(6, 4, { random });
  const data = toySet(random, 12);
  const train = (options: Partial<RBMTrainOptions>, X = data) =>
    trainRBM(rbm, X, { epochs: 1, random, ...options } as RBMTrainOptions);

  it("names each bad option", () => {
    const bad: [Partial<RBMTrainOptions>, RegExp][] = [
      [{ learningRate: -0.1 }, /options\.learningRate: expected a finite/],
      [{ momentum: 1 }, /options\.momentum: expected a number in \[0, 1\)/],
      [{ weightDecay: NaN }, /options\.weightDecay/],
      [{ k: 0 }, /options\.k: expected an integer >= 1, got 0/],
      [{ batchSize: 2.5 }, /options\.batchSize/],
      [{ chains: 5 }, /options\.chains: applies to persistent chains only/],
      [{ persistent: 1 as unknown as boolean }, /options\.persistent/],
      [{ threads: 3 }, /options\.threads/],
      [{ epochs: -1 }, /options\.epochs/],
      [{ monitor: { every: 0 } }, /options\.monitor\.every/],
      [{ monitor: { heldOut: data } }, /needs options\.monitor\.train/],
      [{ onEpoch: 3 as unknown as () => void }, /options\.onEpoch/],
      [{ random: undefined }, /options\.random/],
    ];
    for (const [options, message] of bad) {
      expect(() => train(options), message.source).toThrow(message);
    }
    // null used to read "expected an object, got object".
    const noMonitor = { monitor: null } as unknown as RBMTrainOptions;
    expect(() => train(noMonitor)).toThrow(
      new TypeError("options.monitor: expected an object, got null"),
    );
    expect(() => train({ k: 1.5 })).toThrow(
      new RangeError("options.k: expected an integer >= 1, got 1.5"),
    );
    const typo = { learningrate: 0.1 } as Partial<RBMTrainOptions>;
    expect(() => train(typo)).toThrow(
      /options\.learningrate: unsupported option/,
    );
  });

  it("rejects non-binary data, wrong widths and dtypes", () => {
    const grey = data.clone();
    grey.set(3, 1, 0.4);
    expect(() => train({}, grey)).toThrow(
      new RangeError("data[3, 1]: expected 0 or 1 (binary data), got 0.4"),
    );
    expect(() => train({}, new Matrix(4, 5))).toThrow(
      /data: expected shape \[any, 6\], got \[4, 5\]/,
    );
    expect(() => train({}, data.toDType("float32"))).toThrow(TypeError);
    expect(() => train({ monitor: { train: grey } })).toThrow(
      /options\.monitor\.train\[3, 1\]/,
    );
    const trainer = new CDTrainer(rbm, { random });
    expect(() => trainer.step(new Matrix(0, 6))).toThrow(
      /batch: expected at least one row/,
    );
    expect(() => trainer.step(grey)).toThrow(/batch\[3, 1\]/);
  });

  it("stops a diverging run with NonFiniteLossError", () => {
    const wild = new RBM(6, 4, { random, weightScale: 1 });
    wild.W.data[0] = NaN;
    expect(() => trainRBM(wild, data, { epochs: 1, random })).toThrow(
      NonFiniteLossError,
    );
  });
});
