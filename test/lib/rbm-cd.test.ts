import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import { RBM } from "../../lib/src/rbm.js";
import {
  CDTrainer,
  cdGradient,
  type CDTrainerOptions,
} from "../../lib/src/rbm-train.js";
import { Matrix } from "../../lib/src/tensor.js";
import { exactGradient, maxAbsDiff, toySet } from "./rbm-brute.js";

/** Records every uniform() of a Random, to replay it in another call. */
class Recorder {
  log: number[] = [];
  constructor(private readonly inner: Random) {}
  uniform(): number {
    const u = this.inner.uniform();
    this.log.push(u);
    return u;
  }
  permutation(n: number): Int32Array {
    return this.inner.permutation(n);
  }
}

/** Returns the recorded draws in order; throws when they run out. */
class Replay {
  private next = 0;
  constructor(private readonly log: number[]) {}
  uniform(): number {
    if (this.next >= this.log.length) throw new Error("replay exhausted");
    return this.log[this.next++];
  }
  permutation(): Int32Array {
    throw new Error("not replayed");
  }
  get used(): number {
    return this.next;
  }
}

describe("CDTrainer update = cdGradient", () => {
  // With learning rate 1, no momentum and no decay, one update adds the
  // CD estimate itself; replaying the trainer's random draws into
  // cdGradient must then give the same numbers (same phases, same order).
  const cases: [string, Partial<CDTrainerOptions>][] = [
    ["PCD, 7 chains, ragged batch of 5", { persistent: true, chains: 7 }],
    ["CD-3, ragged batch of 5", { k: 3 }],
    ["CD-2 sampling v, ragged batch of 5", { k: 2, sampleVisible: true }],
  ];
  for (const [name, extra] of cases) {
    it(name, () => {
      const random = new Recorder(new Random(8));
      const data = toySet(new Random(9), 15);
      const rbm = new RBM(6, 4, { random: new Random(10), weightScale: 0.5 });
      const trainer = new CDTrainer(rbm, {
        random: random as unknown as Random,
        batchSize: 10,
        learningRate: 1,
        momentum: 0,
        weightDecay: 0,
        ...extra,
      });
      trainer.step(Matrix.fromRows(data.toArray().slice(0, 10)));
      const chains = trainer.chainStates() ?? undefined;
      const before = rbm.clone();
      random.log = [];
      const batch = Matrix.fromRows(data.toArray().slice(10));
      trainer.step(batch);

      const replay = new Replay(random.log);
      const g = cdGradient(before, batch, {
        k: extra.k ?? 1,
        random: replay as unknown as Random,
        sampleVisible: extra.sampleVisible,
        chains,
      });
      expect(replay.used).toBe(random.log.length);
      const dW = rbm.W.data.map((w, i) => w - before.W.data[i]);
      expect(maxAbsDiff(dW, g.W)).toBeLessThan(1e-12);
      expect(
        maxAbsDiff(
          rbm.a.map((x, i) => x - before.a[i]),
          g.a,
        ),
      ).toBeLessThan(1e-12);
      expect(
        maxAbsDiff(
          rbm.b.map((x, i) => x - before.b[i]),
          g.b,
        ),
      ).toBeLessThan(1e-12);
      if (chains) expect(chains).toEqual(trainer.chainStates());
    });
  }
});

describe("cdGradient against the exact gradient", () => {
  const random = new Random(21);
  const rbm = new RBM(4, 3, { random, weightScale: 1.5 });
  for (let i = 0; i < 4; i++) rbm.a[i] = random.normal(0, 1.5);
  for (let j = 0; j < 3; j++) rbm.b[j] = random.normal(0, 1.5);
  const rows = [
    [1, 1, 0, 0],
    [1, 1, 1, 0],
    [0, 0, 1, 1],
    [0, 1, 1, 1],
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 0, 1, 1],
    [1, 1, 1, 1],
  ];
  const n = 50000;
  const V = Matrix.fromRows(Array.from({ length: n }, (_, r) => rows[r % 8]));
  const exact = exactGradient(rbm, V);
  const error = (g: Record<"W" | "a" | "b", ArrayLike<number>>) =>
    Math.max(
      maxAbsDiff(g.W, exact.W),
      maxAbsDiff(g.a, exact.a),
      maxAbsDiff(g.b, exact.b),
    );
  // The positive terms are exact (probabilities of the data). Each negative
  // term is a mean over n independent chains of a number in [0, 1], so its
  // standard deviation is at most 0.5 / sqrt(n) = 0.0022; we allow 5 of
  // them. The bias of k = 30 sweeps is nil: from any start this chain is
  // within 2e-16 of its stationary law in total variation after 30 sweeps
  // (computed from its 16 x 16 transition matrix).
  const tolerance = (5 * 0.5) / Math.sqrt(n);

  it("CD-30 with sampled v lies within sampling noise of it", () => {
    const g = cdGradient(rbm, V, { k: 30, random, sampleVisible: true });
    expect(error(g)).toBeLessThan(tolerance);
  });

  it("PCD chains advanced call after call reach it too", () => {
    // 50000 chains from random states, 29 calls of one sweep each (with
    // the 8 distinct rows as data: the same empirical distribution), then
    // the 30th call is measured: the same bounds as CD-30 apply.
    const chains = new Matrix(n, 4);
    for (let k = 0; k < chains.data.length; k++) {
      chains.data[k] = random.uniform() < 0.5 ? 1 : 0;
    }
    const V8 = Matrix.fromRows(rows);
    const options = { k: 1, random, sampleVisible: true, chains };
    for (let call = 0; call < 29; call++) cdGradient(rbm, V8, options);
    expect(error(cdGradient(rbm, V8, options))).toBeLessThan(tolerance);
  });

  it("CD-1 and mean-field negative statistics are visibly biased", () => {
    // The same test would catch an estimator that does not mix, or the
    // P(v | h) shortcut of Hinton's recipe (biased for any k).
    const cd1 = cdGradient(rbm, V, { k: 1, random, sampleVisible: true });
    expect(error(cd1)).toBeGreaterThan(2 * tolerance);
    const meanField = cdGradient(rbm, V, { k: 30, random });
    expect(error(meanField)).toBeGreaterThan(2 * tolerance);
  });
});

describe("cdGradient bad input", () => {
  const random = new Random(7);
  const rbm = new RBM(6, 4, { random });
  const data = toySet(random, 12);

  it("cdGradient names its bad options", () => {
    expect(() => cdGradient(rbm, data, { random } as never)).toThrow(
      /options\.k: required/,
    );
    expect(() => cdGradient(rbm, data, { k: 1, random: {} as Random })).toThrow(
      /options\.random/,
    );
    const chains = new Matrix(3, 5);
    expect(() => cdGradient(rbm, data, { k: 1, random, chains })).toThrow(
      /options\.chains: expected shape/,
    );
  });

  it("rejects non-binary data and chains", () => {
    const grey = data.clone();
    grey.set(2, 0, 0.5);
    expect(() => cdGradient(rbm, grey, { k: 1, random })).toThrow(/V\[2, 0\]/);
    const chains = new Matrix(3, 6);
    chains.set(1, 1, 2);
    expect(() => cdGradient(rbm, data, { k: 1, random, chains })).toThrow(
      /options\.chains\[1, 1\]/,
    );
  });
});
