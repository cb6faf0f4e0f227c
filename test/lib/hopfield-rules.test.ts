import { describe, expect, it } from "vitest";

import {
  HopfieldNetwork,
  corrupt,
  hammingDistance,
  hebbianWeights,
  pseudoInverseWeights,
  randomPatterns,
  storkeyWeights,
  type LearningRule,
} from "../../lib/src/hopfield.js";
import { Random } from "../../lib/src/random.js";

const RULES: LearningRule[] = ["hebbian", "storkey", "pseudoinverse"];

function expectSymmetric(W: Float64Array, N: number) {
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) expect(W[j * N + i]).toBe(W[i * N + j]);
  }
}

/** Storkey's rule straight from its definition, O(M N^3), for checking. */
function storkeyByDefinition(patterns: Float64Array[], N: number) {
  let W = new Float64Array(N * N);
  for (const xi of patterns) {
    // h_ij = sum over k != i, j of w_ik xi_k
    const h = (i: number, j: number) => {
      let s = 0;
      for (let k = 0; k < N; k++)
        if (k !== i && k !== j) s += W[i * N + k] * xi[k];
      return s;
    };
    const next = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        if (i === j) continue;
        next[i * N + j] =
          W[i * N + j] +
          (xi[i] * xi[j] - xi[i] * h(j, i) - h(i, j) * xi[j]) / N;
      }
    }
    W = next;
  }
  return W;
}

/** Number of `patterns` that are fixed points of the net. */
function storedCount(net: HopfieldNetwork, patterns: Float64Array[]) {
  return patterns.filter((p) => net.isFixedPoint(p)).length;
}

describe("Hebbian rule", () => {
  it("gives a symmetric W with zero diagonal and the 1/N variant", () => {
    const random = new Random(1);
    const patterns = randomPatterns(4, 30, random);
    const W = hebbianWeights(patterns);
    expectSymmetric(W, 30);
    for (let i = 0; i < 30; i++) expect(W[i * 30 + i]).toBe(0);
    const scaled = hebbianWeights(patterns, { scale: "1/N" });
    scaled.forEach((w, k) => expect(w).toBeCloseTo(W[k] / 30, 14));
  });

  it("gives the same recall with and without the 1/N scale", () => {
    const random = new Random(2);
    const patterns = randomPatterns(5, 64, random);
    const plain = HopfieldNetwork.fromPatterns(patterns);
    const scaled = HopfieldNetwork.fromPatterns(patterns, "hebbian", {
      scale: "1/N",
    });
    for (let trial = 0; trial < 10; trial++) {
      const start = corrupt(patterns[trial % 5], 20, random);
      const a = plain.run(start, { order: "fixed" });
      const b = scaled.run(start, { order: "fixed" });
      expect(b.state).toEqual(a.state);
      expect(b.sweeps).toBe(a.sweeps);
    }
  });
});

describe("Storkey rule", () => {
  it("matches the rule's definition, with a zero diagonal", () => {
    const random = new Random(3);
    const N = 12;
    const patterns = randomPatterns(5, N, random);
    const W = storkeyWeights(patterns);
    const reference = storkeyByDefinition(patterns, N);
    W.forEach((w, k) => expect(Math.abs(w - reference[k])).toBeLessThan(1e-12));
    expectSymmetric(W, N);
    for (let i = 0; i < N; i++) expect(W[i * N + i]).toBe(0);
  });

  it("stores more random patterns than the Hebbian rule (N = 100, M = 20)", () => {
    // M = 0.2 N is above Hebbian capacity (~0.138 N with errors, fewer
    // for exact fixed points) and below Storkey's (~N / sqrt(2 ln N) = 33)
    let hebbian = 0;
    let storkey = 0;
    let total = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const patterns = randomPatterns(20, 100, new Random(seed));
      hebbian += storedCount(HopfieldNetwork.fromPatterns(patterns), patterns);
      storkey += storedCount(
        HopfieldNetwork.fromPatterns(patterns, "storkey"),
        patterns,
      );
      total += patterns.length;
    }
    expect(storkey).toBeGreaterThan(hebbian);
    expect(storkey).toBeGreaterThanOrEqual(0.95 * total);
    expect(hebbian).toBeLessThan(0.8 * total);
  });
});

describe("pseudo-inverse rule", () => {
  /** M patterns correlated through a common base: each differs in 15. */
  function correlatedPatterns(M: number, N: number, random: Random) {
    const [base] = randomPatterns(1, N, random);
    return Array.from({ length: M }, () => corrupt(base, 15, random));
  }

  it("is the projection onto the patterns with diagonal 'keep'", () => {
    const random = new Random(4);
    const N = 40;
    const patterns = randomPatterns(6, N, random);
    const P = pseudoInverseWeights(patterns, { diagonal: "keep" });
    expectSymmetric(P, N);
    // P xi = xi and P^2 = P
    for (const xi of patterns) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += P[j * N + i] * xi[i];
        expect(Math.abs(s - xi[j])).toBeLessThan(1e-10);
      }
    }
    let worst = 0;
    let trace = 0;
    for (let j = 0; j < N; j++) {
      trace += P[j * N + j];
      expect(P[j * N + j]).toBeGreaterThanOrEqual(0);
      expect(P[j * N + j]).toBeLessThanOrEqual(1 + 1e-12);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += P[j * N + k] * P[k * N + i];
        worst = Math.max(worst, Math.abs(s - P[j * N + i]));
      }
    }
    expect(worst).toBeLessThan(1e-10);
    expect(trace).toBeCloseTo(6, 9); // rank M
    const zeroed = pseudoInverseWeights(patterns);
    for (let j = 0; j < N; j++) expect(zeroed[j * N + j]).toBe(0);
  });

  it("makes correlated independent patterns fixed points where Hebbian fails", () => {
    const random = new Random(3);
    const patterns = correlatedPatterns(20, 100, random);
    const hebbian = HopfieldNetwork.fromPatterns(patterns);
    expect(storedCount(hebbian, patterns)).toBeLessThan(5);
    for (const diagonal of ["zero", "keep"] as const) {
      const net = HopfieldNetwork.fromPatterns(patterns, "pseudoinverse", {
        diagonal,
      });
      expect(storedCount(net, patterns)).toBe(patterns.length);
    }
  });

  it("rejects linearly dependent patterns", () => {
    const random = new Random(5);
    const [a, b] = randomPatterns(2, 20, random);
    const minusA = a.map((v) => -v);
    expect(() => pseudoInverseWeights([a, b, minusA])).toThrow(RangeError);
    expect(() => pseudoInverseWeights([a, b, minusA])).toThrow(
      /linearly independent.*patterns\[2\]/,
    );
    expect(() => pseudoInverseWeights(randomPatterns(5, 4, random))).toThrow(
      /M = 5 > N = 4/,
    );
  });
});

describe("learning rules: recall below capacity", () => {
  for (const rule of RULES) {
    it(`${rule}: stored patterns are fixed points and corrupted ones return (N = 100, M = 5)`, () => {
      const random = new Random(6);
      const patterns = randomPatterns(5, 100, random);
      const net = HopfieldNetwork.fromPatterns(patterns, rule);
      expect(storedCount(net, patterns)).toBe(5);
      for (const p of patterns) {
        for (let trial = 0; trial < 4; trial++) {
          const noisy = corrupt(p, 15, random);
          const result = net.run(noisy, { random });
          expect(result.converged).toBe(true);
          expect(hammingDistance(result.state, p)).toBe(0);
        }
      }
    });
  }
});

describe("learning rules bad input", () => {
  it("rejects bad pattern lists and options", () => {
    expect(() => hebbianWeights([])).toThrow(
      /patterns: expected at least one pattern, got 0/,
    );
    expect(() => hebbianWeights([[1, -1], [1]])).toThrow(
      /patterns\[1\]: expected length 2, got 1/,
    );
    expect(() => storkeyWeights([[1, 0]])).toThrow(
      /patterns\[0\]\[1\]: expected -1 or \+1, got 0/,
    );
    expect(() => hebbianWeights("ab" as unknown as number[][])).toThrow(
      TypeError,
    );
    expect(() => hebbianWeights([[1, -1]], { scale: "1/M" as "1/N" })).toThrow(
      /options\.scale: expected "none" \| "1\/N", got "1\/M"/,
    );
    expect(() =>
      pseudoInverseWeights([[1, -1]], { diagonal: "half" as "keep" }),
    ).toThrow(/options\.diagonal/);
    expect(() =>
      HopfieldNetwork.fromPatterns([[1, -1]], "storkey", { scale: "1/N" }),
    ).toThrow(/unsupported option "scale" \(it takes no options\)/);
    expect(() =>
      HopfieldNetwork.fromPatterns([[1, -1]], "oja" as LearningRule),
    ).toThrow(/rule: expected "hebbian" \| "storkey" \| "pseudoinverse"/);
  });
});
