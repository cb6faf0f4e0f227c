import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import {
  checkBinary,
  RBM,
  sampleBinary,
  stochasticNeuron,
} from "../../lib/src/rbm.js";
import { Matrix } from "../../lib/src/tensor.js";
import { energyOf, joint, sigma, states, tinyRBM } from "./rbm-brute.js";

describe("stochasticNeuron", () => {
  it("fires with frequency sigma(field / T) at several temperatures", () => {
    const random = new Random(11);
    const n = 20000;
    for (const T of [0.25, 1, 2, 8]) {
      for (const field of [-1.5, 0.3, 2]) {
        let ones = 0;
        for (let k = 0; k < n; k++) ones += stochasticNeuron(field, random, T);
        const p = sigma(field / T);
        // 4.5 binomial standard deviations: a false alarm has probability
        // about 7e-6 per case (12 cases), and the seed is fixed.
        const tolerance = 4.5 * Math.sqrt((p * (1 - p)) / n);
        expect(Math.abs(ones / n - p)).toBeLessThan(tolerance);
      }
    }
  });

  it("is deterministic at fields of +-1000 and defaults to T = 1", () => {
    const random = new Random(1);
    for (let k = 0; k < 100; k++) {
      expect(stochasticNeuron(1000, random)).toBe(1);
      expect(stochasticNeuron(-1000, random)).toBe(0);
    }
  });

  it("rejects NaN fields and temperatures <= 0", () => {
    const random = new Random(1);
    expect(() => stochasticNeuron(NaN, random)).toThrow(/field/);
    expect(() => stochasticNeuron(1, random, 0)).toThrow(RangeError);
    expect(() => stochasticNeuron(1, random, -1)).toThrow(/temperature/);
    expect(() => stochasticNeuron(1, {} as Random)).toThrow(/random/);
  });
});

describe("checkBinary", () => {
  it("accepts 0/1 and names the first other entry by row and column", () => {
    expect(() =>
      checkBinary(
        "X",
        Matrix.fromRows([
          [0, 1],
          [1, 1],
        ]),
      ),
    ).not.toThrow();
    const X = Matrix.fromRows([
      [0, 1, 1],
      [1, 0, 0.5],
    ]);
    expect(() => checkBinary("X", X)).toThrow(
      new RangeError("X[1, 2]: expected 0 or 1 (binary data), got 0.5"),
    );
    expect(() => checkBinary("X", [[0, 1]] as unknown as Matrix)).toThrow(
      TypeError,
    );
  });
});

describe("sampleBinary", () => {
  it("draws ones with the given probabilities", () => {
    const n = 40000;
    const P = new Matrix(n, 2, new Float64Array(2 * n).fill(0.3));
    for (let r = 0; r < n; r++) P.set(r, 1, 0.9);
    const S = sampleBinary(P, new Random(5));
    let ones0 = 0;
    let ones1 = 0;
    for (let r = 0; r < n; r++) {
      ones0 += S.get(r, 0);
      ones1 += S.get(r, 1);
    }
    // 4.5 binomial standard deviations (see stochasticNeuron's test).
    expect(Math.abs(ones0 / n - 0.3)).toBeLessThan(4.5 * Math.sqrt(0.21 / n));
    expect(Math.abs(ones1 / n - 0.9)).toBeLessThan(4.5 * Math.sqrt(0.09 / n));
  });
});

describe("RBM construction", () => {
  it("draws W from N(0, 0.01^2) with zero biases by default", () => {
    const rbm = new RBM(100, 50, { random: new Random(3), dtype: "float32" });
    expect(rbm.dtype).toBe("float32");
    expect(rbm.W.shape).toEqual([100, 50]);
    expect(rbm.a).toBeInstanceOf(Float32Array);
    expect(rbm.b.length).toBe(50);
    expect([...rbm.a, ...rbm.b].every((x) => x === 0)).toBe(true);
    let sq = 0;
    for (const w of rbm.W.data) sq += w * w;
    const std = Math.sqrt(sq / rbm.W.data.length);
    // Over 5000 draws the sample std has a relative standard error of
    // 1 / sqrt(2 * 5000) = 1%; 6% is six of them.
    expect(Math.abs(std - 0.01)).toBeLessThan(0.0006);
  });

  it("needs a seeded random source unless weightScale is 0", () => {
    expect(() => new RBM(3, 2)).toThrow(/options\.random: required/);
    const zero = new RBM(3, 2, { weightScale: 0 });
    expect(zero.W.data.every((w) => w === 0)).toBe(true);
  });

  it("throws on bad sizes and options, naming them", () => {
    const random = new Random(1);
    expect(() => new RBM(0, 2, { random })).toThrow(/nVisible/);
    expect(() => new RBM(3, 1.5, { random })).toThrow(/nHidden/);
    expect(() => new RBM(3, 2, { random, weightScale: -1 })).toThrow(
      /options\.weightScale/,
    );
    expect(() => new RBM(3, 2, { random, dtype: "int8" as "float32" })).toThrow(
      /options\.dtype/,
    );
    const typo = { random, wieghtScale: 1 } as unknown as { random: Random };
    expect(() => new RBM(3, 2, typo)).toThrow(/options\.wieghtScale/);
  });

  it("states the real minimum, the kind and null in its messages", () => {
    // Sizes used to say ">= 0", a string scale was a RangeError and null
    // options read "expected an object, got object".
    expect(() => new RBM(6, -1)).toThrow(
      new RangeError("nHidden: expected an integer >= 1, got -1"),
    );
    expect(() => new RBM(6, 2.5)).toThrow(
      new RangeError("nHidden: expected an integer >= 1, got 2.5"),
    );
    expect(() => new RBM(-3, 2)).toThrow(/nVisible: .* >= 1, got -3/);
    expect(() => new RBM("6" as unknown as number, 2)).toThrow(TypeError);
    const scale = { weightScale: "0.1" as unknown as number };
    expect(() => new RBM(6, 2, scale)).toThrow(TypeError);
    expect(() => new RBM(6, 2, scale)).toThrow(/weightScale: .* got string/);
    expect(() => new RBM(6, 2, null as unknown as object)).toThrow(
      new TypeError("options: expected an object, got null"),
    );
  });

  it("fromParams and clone copy the parameters", () => {
    const rbm = tinyRBM(2);
    const copy = rbm.clone();
    expect(copy.W.data).toEqual(rbm.W.data);
    copy.W.data[0] += 1;
    copy.a[0] += 1;
    expect(copy.W.data[0]).not.toBe(rbm.W.data[0]);
    expect(copy.a[0]).not.toBe(rbm.a[0]);
    const other = RBM.fromParams({ W: rbm.W, a: rbm.a, b: rbm.b });
    expect(other.b).toEqual(rbm.b);
    expect(() => RBM.fromParams({ W: rbm.W, a: rbm.b, b: rbm.b })).toThrow(
      /params\.a/,
    );
  });
});

describe("RBM conditionals against brute force", () => {
  const rbm = tinyRBM(7, 3, 2, 1.2);
  const { vs, hs, p, Z } = joint(rbm);

  it("P(h_j = 1 | v) is the normalised sum over the joint", () => {
    const P = rbm.hiddenProbs(Matrix.fromRows(vs));
    vs.forEach((_, s) => {
      const pv = p[s].reduce((x, y) => x + y, 0);
      for (let j = 0; j < rbm.nHidden; j++) {
        let on = 0;
        hs.forEach((h, t) => (on += p[s][t] * h[j]));
        expect(P.get(s, j)).toBeCloseTo(on / pv, 12);
      }
    });
  });

  it("P(v_i = 1 | h) is the normalised sum over the joint", () => {
    const P = rbm.visibleProbs(Matrix.fromRows(hs));
    hs.forEach((_, t) => {
      const ph = vs.reduce((x, _v, s) => x + p[s][t], 0);
      for (let i = 0; i < rbm.nVisible; i++) {
        let on = 0;
        vs.forEach((v, s) => (on += p[s][t] * v[i]));
        expect(P.get(t, i)).toBeCloseTo(on / ph, 12);
      }
    });
  });

  it("free energy and energy match the enumeration", () => {
    const F = rbm.freeEnergy(Matrix.fromRows(vs));
    vs.forEach((_, s) => {
      const pv = p[s].reduce((x, y) => x + y, 0);
      // p(v) = exp(-F(v)) / Z
      expect(-F[s] - Math.log(Z)).toBeCloseTo(Math.log(pv), 12);
    });
    const V = Matrix.fromRows(vs.slice(0, 4));
    const H = Matrix.fromRows([hs[0], hs[1], hs[2], hs[3]]);
    const E = rbm.energy(V, H);
    for (let r = 0; r < 4; r++) {
      expect(E[r]).toBeCloseTo(energyOf(rbm, vs[r], hs[r]), 12);
    }
  });

  it("long Gibbs chains sample p_T(v) at T = 1 and T = 2", () => {
    for (const T of [1, 2]) {
      const exact = joint(rbm, T).p.map((row) => row.reduce((x, y) => x + y));
      const n = 20000;
      const start = new Matrix(n, rbm.nVisible); // all chains start at 0
      const { v, h, vProbs } = rbm.gibbs(start, 20, new Random(T), {
        temperature: T,
      });
      expect(h.shape).toEqual([n, rbm.nHidden]);
      expect(vProbs.shape).toEqual([n, rbm.nVisible]);
      const counts = new Array(vs.length).fill(0);
      for (let r = 0; r < n; r++) {
        const row = v.row(r);
        counts[row[0] * 4 + row[1] * 2 + row[2]]++;
      }
      exact.forEach((q, s) => {
        // 4.5 binomial standard deviations per state. The bias is nil:
        // after 20 sweeps from v = 0 the chain's exact distribution (from
        // its 8 x 8 transition matrix) is within 1e-13 of p_T in total
        // variation, for both T.
        const tolerance = 4.5 * Math.sqrt((q * (1 - q)) / n);
        expect(Math.abs(counts[s] / n - q)).toBeLessThan(tolerance);
      });
    }
  });
});

describe("RBM reconstruction and pseudo-likelihood", () => {
  it("reconstruct is sigma(sigma(V W + b) W^T + a)", () => {
    const rbm = tinyRBM(4, 5, 3);
    const V = Matrix.fromRows([
      [1, 0, 1, 1, 0],
      [0, 0, 0, 1, 1],
    ]);
    const R = rbm.reconstruct(V);
    let error = 0;
    for (let r = 0; r < 2; r++) {
      const h = [0, 1, 2].map((j) => {
        let x = rbm.b[j];
        for (let i = 0; i < 5; i++) x += V.get(r, i) * rbm.W.get(i, j);
        return sigma(x);
      });
      for (let i = 0; i < 5; i++) {
        let x = rbm.a[i];
        for (let j = 0; j < 3; j++) x += h[j] * rbm.W.get(i, j);
        expect(R.get(r, i)).toBeCloseTo(sigma(x), 14);
        error += (V.get(r, i) - sigma(x)) ** 2;
      }
    }
    expect(rbm.reconstructionError(V)).toBeCloseTo(error / 2, 14);
  });

  it("pseudo-likelihood averages to sum_i log P(v_i | v_rest)", () => {
    const rbm = tinyRBM(9, 3, 2, 1.5);
    const { vs, p } = joint(rbm);
    const pv = p.map((row) => row.reduce((x, y) => x + y));
    const s = 5; // v = (1, 0, 1); flipping unit i toggles bit 4 >> i of s
    const v = vs[s];
    // log P(v_i | v_rest) for each i, by brute force
    const terms = [0, 1, 2].map((i) =>
      Math.log(pv[s] / (pv[s] + pv[s ^ (4 >> i)])),
    );
    const exact = terms.reduce((x, y) => x + y);
    const n = 30000;
    const V = Matrix.fromRows(Array.from({ length: n }, () => v));
    const estimate = rbm.pseudoLikelihood(V, new Random(3));
    // Each row's estimate is 3 log P(v_i | rest) for a uniform i: its
    // standard deviation is that of 3 * terms; 5 of them over sqrt(n).
    const m = exact / 3;
    const sd = 3 * Math.sqrt(terms.reduce((x, t) => x + (t - m) ** 2, 0) / 3);
    expect(Math.abs(estimate - exact)).toBeLessThan((5 * sd) / Math.sqrt(n));
  });

  it("initVisibleBias sets the clipped log-odds of the data", () => {
    const rbm = new RBM(3, 2, { weightScale: 0 });
    rbm.initVisibleBias(
      Matrix.fromRows([
        [1, 0, 1],
        [0, 0, 1],
        [0, 0, 1],
        [0, 0, 1],
      ]),
    );
    expect(rbm.a[0]).toBeCloseTo(Math.log(1 / 3), 14);
    expect(rbm.a[1]).toBeCloseTo(Math.log(1e-3 / (1 - 1e-3)), 14);
    expect(rbm.a[2]).toBeCloseTo(Math.log((1 - 1e-3) / 1e-3), 14);
  });
});

describe("RBM stability at fields of +-1000", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`gives finite probabilities and free energies (${dtype})`, () => {
      const rbm = new RBM(4, 3, { dtype, weightScale: 0 });
      rbm.W.data.set([1000, -1000, 500, -1000, 1000, -500]);
      rbm.W.data.set([1000, 1000, -1000, -1000, 1000, 1000], 6);
      rbm.a.set([1000, -1000, 0, 1000]);
      rbm.b.set([-1000, 1000, 0]);
      const V = new Matrix(16, 4, dtype);
      for (let s = 0; s < 16; s++) V.row(s).set(states(4)[s]);
      const all = [
        rbm.hiddenProbs(V).data,
        rbm.visibleProbs(rbm.hiddenProbs(V)).data,
        rbm.reconstruct(V).data,
        rbm.gibbs(V, 3, new Random(1)).vProbs.data,
      ];
      for (const x of all) {
        expect(x.every((q) => q >= 0 && q <= 1)).toBe(true);
      }
      const F = rbm.freeEnergy(V);
      expect(F.every(Number.isFinite)).toBe(true);
      // v = 0 has F = -sum_j softplus(b_j) = -(0 + 1000 + log 2); float32
      // stores softplus(0) rounded (relative 6e-8).
      const digits = dtype === "float32" ? 6 : 12;
      expect(F[0]).toBeCloseTo(-1000 - Math.log(2), digits);
      expect(Number.isFinite(rbm.pseudoLikelihood(V, new Random(2)))).toBe(
        true,
      );
      expect(Number.isFinite(rbm.reconstructionError(V))).toBe(true);
    });
  }
});

describe("RBM bad input", () => {
  const rbm = tinyRBM(1, 3, 2);
  const random = new Random(1);

  it("rejects wrong widths and dtypes naming the argument", () => {
    expect(() => rbm.hiddenProbs(new Matrix(2, 4))).toThrow(
      /V: expected shape \[any, 3\], got \[2, 4\]/,
    );
    expect(() => rbm.visibleProbs(new Matrix(2, 3))).toThrow(/H: expected/);
    expect(() => rbm.reconstruct(new Matrix(1, 3, "float32"))).toThrow(
      TypeError,
    );
    expect(() => rbm.gibbs(new Matrix(1, 2), 1, random)).toThrow(/V:/);
  });

  it("leaves out untouched when the temperature is bad", () => {
    // The field used to be written to out before T was checked.
    const V = Matrix.fromRows([[0, 1, 1]]);
    const H = Matrix.fromRows([[1, 0]]);
    for (const T of [-1, 0, NaN, Infinity]) {
      const outH = new Matrix(1, 2, Float64Array.from([7, 7]));
      expect(() => rbm.hiddenProbs(V, outH, T)).toThrow(RangeError);
      expect(Array.from(outH.data)).toEqual([7, 7]);
      const outV = new Matrix(1, 3, Float64Array.from([7, 7, 7]));
      expect(() => rbm.visibleProbs(H, outV, T)).toThrow(/temperature/);
      expect(Array.from(outV.data)).toEqual([7, 7, 7]);
    }
  });

  it("rejects non-binary states where binary is required", () => {
    const V = Matrix.fromRows([[0, 1, 0.5]]);
    expect(() => rbm.gibbs(V, 1, random)).toThrow(/V\[0, 2\]/);
    expect(() => rbm.pseudoLikelihood(V, random)).toThrow(/V\[0, 2\]/);
    expect(() => rbm.initVisibleBias(V)).toThrow(/data\[0, 2\]/);
  });

  it("rejects bad counts, options and empty data", () => {
    const V = Matrix.fromRows([[0, 1, 0]]);
    expect(() => rbm.gibbs(V, 0, random)).toThrow(/steps/);
    const bad = { temperature: 1, steps: 2 } as { temperature: number };
    expect(() => rbm.gibbs(V, 1, random, bad)).toThrow(/options\.steps/);
    expect(() => rbm.gibbs(V, 1, random, { temperature: 0 })).toThrow(
      new RangeError(
        "options.temperature: expected a finite number > 0, got 0",
      ),
    );
    expect(() => rbm.gibbs(V, 1.5, random)).toThrow(
      new RangeError("steps: expected an integer >= 1, got 1.5"),
    );
    expect(() => rbm.gibbs(V, -2, random)).toThrow(/>= 1, got -2/);
    expect(() => rbm.gibbs(V, 1, random, null as unknown as object)).toThrow(
      /options: expected an object, got null/,
    );
    expect(() => rbm.reconstructionError(new Matrix(0, 3))).toThrow(
      /at least one row/,
    );
  });
});
