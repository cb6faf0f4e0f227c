import { describe, expect, it } from "vitest";

import { softplus } from "../../lib/src/ops.js";
import { Random } from "../../lib/src/random.js";
import {
  visibleField,
  visibleProbs,
  type RBMParams,
} from "../../lib/src/rbm-energy.js";
import {
  annealedImportanceSampling,
  annealingSchedule,
  baseRateVisibleBias,
  type AISOptions,
} from "../../lib/src/rbm-ais.js";
import { enumerateStates, exactLogPartition } from "../../lib/src/rbm-exact.js";
import { Matrix } from "../../lib/src/tensor.js";

function randomModel(nV: number, nH: number, seed: number, std: number) {
  const random = new Random(seed);
  const W = Matrix.zeros(nV, nH);
  for (let k = 0; k < W.data.length; k++) W.data[k] = random.normal(0, std);
  const a = Float64Array.from({ length: nV }, () => random.normal(0, 0.5));
  const b = Float64Array.from({ length: nH }, () => random.normal(0, 0.5));
  return { W, a, b };
}

/**
 * n exact samples of v from the model: h from its marginal p(h) (all 2^H
 * hidden states enumerated), then v ~ P(v | h).
 */
function exactSamples(params: RBMParams, n: number, random: Random) {
  const H = enumerateStates(params.W.cols);
  const field = softplus(visibleField(params, H).data);
  const cumulative = new Float64Array(H.rows);
  const logW = Array.from({ length: H.rows }, (_, r) => {
    let lw = 0;
    for (let j = 0; j < H.cols; j++) lw += params.b[j] * H.get(r, j);
    for (let i = 0; i < params.W.rows; i++) lw += field[r * params.W.rows + i];
    return lw;
  });
  const max = Math.max(...logW);
  let total = 0;
  logW.forEach((lw, r) => (cumulative[r] = total += Math.exp(lw - max)));
  const hidden = Matrix.zeros(n, H.cols);
  for (let s = 0; s < n; s++) {
    const u = random.uniform() * total;
    let r = 0;
    while (cumulative[r] <= u) r++;
    hidden.row(s).set(H.row(r));
  }
  const P = visibleProbs(params, hidden);
  for (let k = 0; k < P.data.length; k++) {
    P.data[k] = random.uniform() < P.data[k] ? 1 : 0;
  }
  return P;
}

/** |AIS - exact| in standard errors, after checking the SE is informative. */
function zScore(params: RBMParams, options: AISOptions, maxSE: number) {
  const exact = exactLogPartition(params);
  const result = annealedImportanceSampling(params, options);
  expect(result.standardError).toBeGreaterThan(0);
  // A loose estimate would pass the 3 SE test whatever the code did.
  expect(result.standardError).toBeLessThan(maxSE);
  expect(result.logZLow).toBeLessThan(result.logZ);
  expect(result.logZHigh).toBeGreaterThan(result.logZ);
  return Math.abs(result.logZ - exact) / result.standardError;
}

describe("annealedImportanceSampling", () => {
  it("lies within three standard errors of the exact log Z", () => {
    // 20 x 10, weights N(0, 1) and N(0, 0.5^2); uniform base model.
    for (const [std, seed] of [
      [1, 1],
      [0.5, 2],
    ]) {
      const params = randomModel(20, 10, seed, std);
      const options = { random: new Random(seed), runs: 100, betas: 2000 };
      expect(zScore(params, options, 0.05)).toBeLessThan(3);
    }
  });

  it("does so with a base rate fitted to data drawn from the model", () => {
    const params = randomModel(24, 14, 3, 0.8);
    const data = exactSamples(params, 500, new Random(4));
    const baseVisibleBias = baseRateVisibleBias(data);
    const options = { random: new Random(5), baseVisibleBias, betas: 1500 };
    expect(zScore(params, options, 0.05)).toBeLessThan(3);
  });

  it("does so on float32 parameters", () => {
    const p = randomModel(16, 12, 6, 0.8);
    const params32 = {
      W: p.W.toDType("float32"),
      a: Float32Array.from(p.a),
      b: Float32Array.from(p.b),
    };
    const options = { random: new Random(7), runs: 100, betas: 1500 };
    expect(zScore(params32, options, 0.05)).toBeLessThan(3);
  });

  it("stays unbiased with four coarse steps (each sweep keeps p_k)", () => {
    // Z / Z_A = E[w] holds for any schedule when every transition leaves
    // its p_k invariant; a sweep at the wrong beta gives |z| > 13 here.
    for (const seed of [1, 2]) {
      const params = randomModel(6, 4, seed, 1.5);
      const betas = [0, 0.25, 0.5, 0.75, 1];
      const options = { random: new Random(seed), runs: 20000, betas };
      expect(zScore(params, options, 0.02)).toBeLessThan(3);
    }
  });

  it("telescopes exactly when W = 0 and the base is the model's a", () => {
    // Then every log weight is sum_j softplus(b_j) - H log 2, whatever v
    // is drawn: a deterministic check of the per-step increments, with
    // fields from 0.01 to 1000 taking both branches of their series.
    const b = Float64Array.from([0.01, -0.7, 3, -30, 1000, -1000]);
    const a = Float64Array.from([0.3, -2, 1]);
    const params = { W: Matrix.zeros(3, 6), a, b };
    const result = annealedImportanceSampling(params, {
      random: new Random(1),
      runs: 5,
      betas: 10000,
      baseVisibleBias: a,
    });
    const expected = Array.from(b).reduce(
      (s, x) => s + Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
      -6 * Math.LN2,
    );
    for (const lw of result.logWeights) {
      expect(Math.abs(lw - expected)).toBeLessThan(1e-12 * expected);
    }
    const exact = exactLogPartition(params);
    expect(Math.abs(result.logZ - exact)).toBeLessThan(1e-12 * exact);
    expect(result.standardError).toBeLessThan(1e-12);
  });

  it("telescopes across the switch to log space at beta |f| = 700", () => {
    // Fields on both sides of the switch, and beyond exp's range, so that
    // every step of the schedule mixes the two forms of the increment.
    const b = Float64Array.from([690, -699, 705, -710, 750, -2000, 1e6]);
    const a = Float64Array.from([0.5, -1]);
    const params = { W: Matrix.zeros(2, 7), a, b };
    const expected = Array.from(b).reduce(
      (s, x) => s + Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
      -7 * Math.LN2,
    );
    for (const betas of [10, 1000, [0, 0.5, 0.98, 0.99, 1]]) {
      const result = annealedImportanceSampling(params, {
        random: new Random(2),
        runs: 3,
        betas,
        baseVisibleBias: a,
      });
      for (const lw of result.logWeights) {
        expect(Math.abs(lw - expected)).toBeLessThan(1e-12 * expected);
      }
    }
  });

  it("gives log Z, not NaN, for huge fields on a short schedule", () => {
    // Was NaN: e = exp(-beta |f|) = 0 times expm1(step |f|) = Infinity.
    // One unit each side: log Z = log(3 + e^w) = w. A run that starts at
    // v = 1 stays there and its log weight telescopes to softplus(w) -
    // log 2; runs from v = 0 weigh less, so log Z = w + log(m / 2) for m
    // such runs (m = 1..4 here).
    const cases: [number, number | undefined][] = [
      [2000, 10],
      [1e4, 100],
      [1e4, 3],
      [1e6, undefined], // the default 10000 betas
    ];
    for (const [w, betas] of cases) {
      const params = {
        W: new Matrix(1, 1, Float64Array.from([w])),
        a: Float64Array.from([0]),
        b: Float64Array.from([0]),
      };
      expect(exactLogPartition(params)).toBe(w);
      const result = annealedImportanceSampling(params, {
        random: new Random(1),
        runs: 4,
        betas,
      });
      expect(result.logWeights.every(Number.isFinite), `${w}`).toBe(true);
      const top = Math.max(...result.logWeights);
      expect(Math.abs(top - (w - Math.LN2))).toBeLessThan(1e-12 * w);
      expect(Math.abs(result.logZ - w)).toBeLessThanOrEqual(Math.LN2 + 1e-9);
    }
  });

  it("stays finite for a huge negative field", () => {
    // w = -2000: log Z = log(3 + e^-2000) = log 3; each weight lies in
    // [1/2, 1], so log Z_A + log mean w = log 4 + log mean w in [log 2, log 4].
    const params = {
      W: new Matrix(1, 1, Float64Array.from([-2000])),
      a: Float64Array.from([0]),
      b: Float64Array.from([0]),
    };
    const result = annealedImportanceSampling(params, {
      random: new Random(1),
      runs: 4,
      betas: 10,
    });
    for (const lw of result.logWeights) {
      expect(lw).toBeGreaterThanOrEqual(-Math.LN2 - 1e-12);
      expect(lw).toBeLessThanOrEqual(0);
    }
    expect(result.logZ).toBeGreaterThanOrEqual(Math.LN2 - 1e-12);
    expect(result.logZ).toBeLessThanOrEqual(2 * Math.LN2 + 1e-12);
  });

  it("throws instead of returning NaN when float32 fields overflow", () => {
    const params = {
      W: new Matrix(2, 1, Float32Array.from([3e38, 3e38])),
      a: Float32Array.from([0, 0]),
      b: Float32Array.from([0]),
    };
    expect(() =>
      annealedImportanceSampling(params, {
        random: new Random(1),
        runs: 4,
        betas: 10,
      }),
    ).toThrow(/params: hidden field .* = Infinity is not finite in float32/);
  });

  it("repeats itself exactly for a seed and differs for another", () => {
    const params = randomModel(10, 8, 8, 1);
    const run = (seed: number) =>
      annealedImportanceSampling(params, {
        random: new Random(seed),
        runs: 20,
        betas: 200,
      });
    const [first, again, other] = [run(1), run(1), run(2)];
    expect(Array.from(again.logWeights)).toEqual(Array.from(first.logWeights));
    expect(again.logZ).toBe(first.logZ);
    expect(other.logZ).not.toBe(first.logZ);
  });

  it("narrows its standard error with more runs and more betas", () => {
    const params = randomModel(20, 10, 9, 1);
    const se = (runs: number, betas: number) =>
      annealedImportanceSampling(params, {
        random: new Random(runs + betas),
        runs,
        betas,
      }).standardError;
    // SE falls as 1 / sqrt(runs): 16 times the runs, a quarter of the SE.
    expect(se(400, 300)).toBeLessThan(0.5 * se(25, 300));
    // Finer annealing makes the weights less dispersed.
    expect(se(100, 3000)).toBeLessThan(0.5 * se(100, 30));
  });

  it("reports progress up to the last step", () => {
    const params = randomModel(6, 4, 10, 1);
    const calls: [number, number][] = [];
    const onProgress = (done: number, total: number) =>
      calls.push([done, total]);
    annealedImportanceSampling(params, {
      random: new Random(1),
      runs: 4,
      betas: 1000,
      onProgress,
    });
    expect(calls.length).toBe(100);
    expect(calls.at(-1)).toEqual([1000, 1000]);
    expect(calls.every(([d], k) => k === 0 || d > calls[k - 1][0])).toBe(true);
  });

  it("returns the base model's log Z and consistent bounds", () => {
    const params = randomModel(5, 3, 11, 1);
    const baseVisibleBias = Float64Array.from([0.5, -1, 2, 0, 0.25]);
    const result = annealedImportanceSampling(params, {
      random: new Random(3),
      runs: 10,
      betas: 100,
      baseVisibleBias,
    });
    const logZA = Array.from(baseVisibleBias).reduce(
      (s, x) => s + Math.log1p(Math.exp(x)),
      3 * Math.LN2,
    );
    expect(Math.abs(result.logZBase - logZA)).toBeLessThan(1e-14);
    expect(result.logWeights.length).toBe(10);
    const mean = result.logWeights.reduce((s, lw) => s + Math.exp(lw), 0) / 10;
    expect(Math.abs(result.logZ - logZA - Math.log(mean))).toBeLessThan(1e-12);
  });

  it("stays finite with fields of +-1000", () => {
    const params = randomModel(8, 6, 12, 300);
    params.a[0] = 1000;
    params.b[1] = -1000;
    const result = annealedImportanceSampling(params, {
      random: new Random(1),
      runs: 10,
      betas: 500,
    });
    for (const x of [result.logZ, result.standardError, result.logZHigh]) {
      expect(Number.isFinite(x)).toBe(true);
    }
    expect(result.logWeights.every(Number.isFinite)).toBe(true);
  });

  it("rejects bad options", () => {
    const params = randomModel(4, 3, 13, 1);
    const random = new Random(1);
    const bad = (options: unknown) => () =>
      annealedImportanceSampling(params, options as AISOptions);
    expect(bad(undefined)).toThrow(TypeError);
    expect(bad({})).toThrow(/options\.random: expected a Random/);
    expect(bad({ random, runs: 1 })).toThrow(/options\.runs: .* >= 2/);
    expect(bad({ random, runs: 2.5 })).toThrow(
      /options\.runs: expected an integer >= 2, got 2\.5/,
    );
    expect(bad({ random, betas: 2 })).toThrow(/options\.betas: .* >= 3/);
    // Used to say ">= 0" (the check of a size, not of a step count).
    expect(bad({ random, betas: 100.5 })).toThrow(
      new RangeError("options.betas: expected an integer >= 3, got 100.5"),
    );
    expect(bad({ random, betas: -4 })).toThrow(/>= 3, got -4/);
    expect(bad({ random, betas: [0, 0.5] })).toThrow(/exactly 0 to exactly 1/);
    expect(bad({ random, betas: [0.1, 1] })).toThrow(/exactly 0/);
    expect(bad({ random, betas: [0, 0.6, 0.4, 1] })).toThrow(
      /options\.betas\[2\]: expected non-decreasing/,
    );
    expect(bad({ random, betas: [0, NaN, 1] })).toThrow(/betas\[1\]/);
    expect(bad({ random, betas: "many" })).toThrow(TypeError);
    expect(bad({ random, baseVisibleBias: new Float64Array(3) })).toThrow(
      /options\.baseVisibleBias: expected length 4/,
    );
    const infinite = Float64Array.from([0, Infinity, 0, 0]);
    expect(bad({ random, baseVisibleBias: infinite })).toThrow(
      /baseVisibleBias\[1\]/,
    );
    expect(bad({ random, threads: 3 })).toThrow(/options\.threads/);
    expect(bad({ random, onProgress: 5 })).toThrow(/options\.onProgress/);
    expect(bad({ random, steps: 10 })).toThrow(/unsupported option "steps"/);
    const nan = randomModel(4, 3, 13, 1);
    nan.b[2] = NaN;
    expect(() => annealedImportanceSampling(nan, { random })).toThrow(
      /params\.b\[2\]/,
    );
  });
});

describe("annealingSchedule", () => {
  it("gives the paper's spacing at 14500 steps", () => {
    const betas = annealingSchedule(14500);
    expect(betas.length).toBe(14501);
    expect([betas[0], betas[500], betas[4500], betas[14500]]).toEqual([
      0, 0.5, 0.9, 1,
    ]);
    for (const [k, spacing] of [
      [1, 1e-3],
      [1000, 1e-4],
      [10000, 1e-5],
    ]) {
      expect(Math.abs(betas[k] - betas[k - 1] - spacing)).toBeLessThan(1e-15);
    }
  });

  it("scales to any number of steps >= 3, increasing from 0 to 1", () => {
    for (const steps of [3, 10, 10000]) {
      const betas = annealingSchedule(steps);
      expect(betas.length).toBe(steps + 1);
      expect(betas[steps]).toBe(1);
      expect(betas.every((x, k) => k === 0 || x > betas[k - 1])).toBe(true);
    }
    expect(() => annealingSchedule(2)).toThrow(RangeError);
  });
});

describe("baseRateVisibleBias", () => {
  it("is the clipped log-odds of each column's mean", () => {
    const data = Matrix.fromRows([
      [1, 0, 1],
      [1, 0, 0],
      [1, 0, 1],
      [0, 0, 1],
    ]);
    const bias = baseRateVisibleBias(data, 0.01);
    const logit = (p: number) => Math.log(p / (1 - p));
    const expected = [logit(0.75), logit(0.01), logit(0.75)];
    bias.forEach((x, i) =>
      expect(Math.abs(x - expected[i])).toBeLessThan(1e-15),
    );
    expect(() => baseRateVisibleBias(Matrix.zeros(0, 3))).toThrow(RangeError);
    expect(() => baseRateVisibleBias(data, 0.7)).toThrow(/clip/);
  });

  it("requires binary data, naming the first other entry", () => {
    const grey = Matrix.fromRows([
      [1, 0],
      [0.5, 1],
    ]);
    expect(() => baseRateVisibleBias(grey)).toThrow(
      new RangeError("data[1, 0]: expected 0 or 1 (binary data), got 0.5"),
    );
    const nan = Matrix.fromRows([[0, NaN]]);
    expect(() => baseRateVisibleBias(nan)).toThrow(/data\[0, 1\]: .* NaN/);
    const big = Matrix.fromRows([[Infinity, 1]]);
    expect(() => baseRateVisibleBias(big)).toThrow(/data\[0, 0\]/);
    const clip = "0.1" as unknown as number;
    expect(() => baseRateVisibleBias(Matrix.zeros(1, 2), clip)).toThrow(
      TypeError,
    );
  });
});
