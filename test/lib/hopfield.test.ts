import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import {
  HopfieldNetwork,
  corrupt,
  hammingDistance,
  hebbianWeights,
  overlaps,
  randomPatterns,
} from "../../lib/src/hopfield.js";
import { Random } from "../../lib/src/random.js";

const here = dirname(fileURLToPath(import.meta.url));

interface HopfieldFixture {
  patterns: number[][];
  W: number[][];
  x: number[];
  T: number[];
  states: number[][];
  energy: number[];
}

/** NumPy golden values; provenance in test/fixtures/README.md. */
const golden = JSON.parse(
  readFileSync(join(here, "../fixtures/hopfield.json"), "utf8"),
) as HopfieldFixture;

/** Random symmetric W with a non-negative diagonal, [N, N] row-major. */
function randomSymmetricWeights(N: number, random: Random): Float64Array {
  const W = new Float64Array(N * N);
  for (let j = 0; j < N; j++) {
    // half of the networks get self-couplings w_jj >= 0
    W[j * N + j] = random.bernoulli(0.5) ? Math.abs(random.normal()) : 0;
    for (let i = j + 1; i < N; i++) {
      W[j * N + i] = W[i * N + j] = random.normal();
    }
  }
  return W;
}

function randomVector(N: number, random: Random, std: number) {
  return Float64Array.from({ length: N }, () => random.normal(0, std));
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1e-300, Math.abs(expected));
}

describe("HopfieldNetwork golden values (NumPy)", () => {
  it("builds the Hebbian weights of the fixture", () => {
    const N = golden.W.length;
    const W = hebbianWeights(golden.patterns);
    let worst = 0;
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < N; i++) {
        const expected = golden.W[j][i];
        const err = Math.abs(W[j * N + i] - expected);
        worst = Math.max(worst, err / Math.max(1, Math.abs(expected)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it("matches the fixture energies to 1e-12 relative", () => {
    const N = golden.W.length;
    const net = new HopfieldNetwork(N, {
      weights: golden.W.flat(),
      thresholds: golden.T,
    });
    golden.states.forEach((z, k) => {
      const E = net.energy(z, golden.x);
      expect(relativeError(E, golden.energy[k])).toBeLessThan(1e-12);
    });
  });
});

describe("HopfieldNetwork energy", () => {
  it("never increases under asynchronous updates", () => {
    const random = new Random(101);
    let flips = 0;
    for (let trial = 0; trial < 60; trial++) {
      const N = 3 + random.int(28);
      const W = randomSymmetricWeights(N, random);
      const T = randomVector(N, random, 0.5);
      const x = randomVector(N, random, 0.5);
      const net = new HopfieldNetwork(N, { weights: W, thresholds: T });
      const z = randomPatterns(1, N, random)[0];
      for (let step = 0; step < 10 * N; step++) {
        const j = random.int(N);
        const before = net.energy(z, x);
        const zOld = z[j];
        const a = net.localField(z, j, x);
        const flipped = net.updateNeuron(z, j, x);
        const after = net.energy(z, x);
        if (!flipped) {
          expect(after).toBe(before);
          continue;
        }
        flips++;
        // exact change for a flip: 2 z_old (a_j - T_j) - 2 w_jj < 0
        const predicted = 2 * zOld * (a - T[j]) - 2 * W[j * N + j];
        expect(after).toBeLessThan(before);
        expect(Math.abs(after - before - predicted)).toBeLessThan(
          1e-9 * (1 + Math.abs(before)),
        );
      }
    }
    expect(flips).toBeGreaterThan(500); // the check really ran on flips
  });

  it("is not monotone under synchronous updates: a 2-cycle", () => {
    // N = 2, w_01 = w_10 = 1, x = (0.5, 0): (+1, -1) <-> (-1, +1)
    const net = new HopfieldNetwork(2, { weights: [0, 1, 1, 0] });
    const x = [0.5, 0];
    const a = Float64Array.from([1, -1]);
    const b = net.stepSync(a, x);
    expect(Array.from(b)).toEqual([-1, 1]);
    expect(Array.from(net.stepSync(b, x))).toEqual([1, -1]);
    expect(net.energy(a, x)).toBeCloseTo(0.5, 12);
    expect(net.energy(b, x)).toBeCloseTo(1.5, 12); // the energy went up
    const result = net.run(a, { mode: "sync", input: x });
    expect(result.cycle).toBe(2);
    expect(result.converged).toBe(false);
    // asynchronous updates of the same net settle instead
    const asyncResult = net.run(a, { order: "fixed", input: x });
    expect(asyncResult.converged).toBe(true);
  });

  it("synchronous runs end in a fixed point or a 2-cycle", () => {
    // Goles-Olivos: a symmetric W gives periods 1 or 2 only
    const random = new Random(202);
    const periods = new Set<number>();
    for (let trial = 0; trial < 100; trial++) {
      const N = 4 + random.int(20);
      const net = new HopfieldNetwork(N, {
        weights: randomSymmetricWeights(N, random),
        thresholds: randomVector(N, random, 0.3),
      });
      const z0 = randomPatterns(1, N, random)[0];
      const result = net.run(z0, { mode: "sync", maxSweeps: 1000 });
      periods.add(result.converged ? 1 : (result.cycle ?? -1));
    }
    expect([...periods].sort()).toEqual([1, 2]);
  });
});

describe("HopfieldNetwork updates", () => {
  it("leaves a neuron unchanged on a tie a_j = T_j", () => {
    // a_0 = w_01 z_1 + w_02 z_2 = 1 - 1 = 0 = T_0
    const W = [0, 1, -1, 1, 0, 0, -1, 0, 0];
    const net = new HopfieldNetwork(3, { weights: W });
    for (const z0 of [1, -1]) {
      const z = Float64Array.from([z0, 1, 1]);
      expect(net.localField(z, 0)).toBe(0);
      expect(net.updateNeuron(z, 0)).toBe(false);
      expect(z[0]).toBe(z0);
    }
    // a tie through a threshold: a_0 = 2 = T_0
    const net2 = new HopfieldNetwork(2, {
      weights: [0, 2, 2, 0],
      thresholds: [2, 0],
    });
    const z = Float64Array.from([-1, 1]);
    expect(net2.updateNeuron(z, 0)).toBe(false);
    expect(z[0]).toBe(-1);
  });

  it("treats a rounding-noise tie as a tie (scale 1/N)", () => {
    // 0.1 + 0.2 - 0.3 = 5.55e-17 in float64, a true 0
    const W = [0, 0.1, 0.2, -0.3];
    const weights = new Float64Array(16);
    for (let i = 1; i < 4; i++) weights[i] = weights[i * 4] = W[i];
    const z = Float64Array.from([-1, 1, 1, 1]);
    const tolerant = new HopfieldNetwork(4, { weights });
    expect(tolerant.localField(z, 0)).not.toBe(0);
    expect(tolerant.updateNeuron(z, 0)).toBe(false);
    const exact = new HopfieldNetwork(4, { weights, tieTolerance: 0 });
    expect(exact.updateNeuron(z, 0)).toBe(true);
  });

  it("keeps states bipolar", () => {
    const random = new Random(303);
    const N = 40;
    const net = new HopfieldNetwork(N, {
      weights: randomSymmetricWeights(N, random),
      thresholds: randomVector(N, random, 1),
    });
    const z0 = randomPatterns(1, N, random)[0];
    for (const mode of ["async", "sync"] as const) {
      const { state, trace } = net.run(z0, { mode, random, trace: true });
      expect(state).toBeInstanceOf(Float64Array);
      for (const s of [state, ...(trace?.states ?? [])]) {
        expect(s.every((v) => v === 1 || v === -1)).toBe(true);
      }
    }
  });

  it("visits neurons 0..N-1 in fixed order; random order depends on the seed", () => {
    // w_01 = -1: whichever neuron moves first wins
    const net = new HopfieldNetwork(2, { weights: [0, -1, -1, 0] });
    const start = Float64Array.from([1, 1]);
    const fixed = Float64Array.from(start);
    net.sweepAsync(fixed, { order: "fixed" });
    expect(Array.from(fixed)).toEqual([-1, 1]);
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const z = Float64Array.from(start);
      net.sweepAsync(z, { random: new Random(seed) });
      outcomes.add(z.join(","));
    }
    expect([...outcomes].sort()).toEqual(["-1,1", "1,-1"]);
    // same seed, same result
    const r1 = net.run(start, { random: new Random(9) });
    const r2 = net.run(start, { random: new Random(9) });
    expect(r1.state).toEqual(r2.state);
  });

  it("computes a synchronous step from the old state only", () => {
    const net = new HopfieldNetwork(2, { weights: [0, -1, -1, 0] });
    const z = Float64Array.from([1, 1]);
    expect(Array.from(net.stepSync(z))).toEqual([-1, -1]);
    expect(Array.from(z)).toEqual([1, 1]);
  });
});

describe("HopfieldNetwork.run", () => {
  it("does not modify its input", () => {
    const random = new Random(404);
    const patterns = randomPatterns(3, 50, random);
    const net = HopfieldNetwork.fromPatterns(patterns);
    const initial = corrupt(patterns[0], 10, random);
    const copy = Float64Array.from(initial);
    const result = net.run(initial, { random });
    expect(initial).toEqual(copy);
    expect(result.state).not.toBe(initial);
  });

  it("stops at a fixed point and reports the sweeps", () => {
    const random = new Random(505);
    const patterns = randomPatterns(3, 60, random);
    const net = HopfieldNetwork.fromPatterns(patterns);
    const result = net.run(corrupt(patterns[1], 8, random), { random });
    expect(result.converged).toBe(true);
    expect(result.cycle).toBeNull();
    expect(net.isFixedPoint(result.state)).toBe(true);
    expect(hammingDistance(result.state, patterns[1])).toBe(0);
    // the last sweep is the one that changed nothing
    expect(result.sweeps).toBeGreaterThanOrEqual(2);
    expect(net.run(patterns[1], { random }).sweeps).toBe(1);
  });

  it("detects a 2-cycle of synchronous updates", () => {
    const net = new HopfieldNetwork(2, { weights: [0, 1, 1, 0] });
    const result = net.run([1, -1], { mode: "sync" });
    expect(result).toMatchObject({ converged: false, cycle: 2, sweeps: 2 });
    expect(Array.from(result.state)).toEqual([1, -1]);
  });

  it("detects a longer cycle of an asymmetric net", () => {
    // w_{j, j-1} = 1: each neuron copies its left neighbour, a rotation
    const N = 3;
    const W = new Float64Array(N * N);
    for (let j = 0; j < N; j++) W[j * N + ((j + N - 1) % N)] = 1;
    expect(() => new HopfieldNetwork(N, { weights: W })).toThrow(/symmetric/);
    const net = new HopfieldNetwork(N, { weights: W, allowAsymmetric: true });
    const result = net.run([1, -1, -1], { mode: "sync" });
    expect(result.cycle).toBe(3);
    expect(result.converged).toBe(false);
  });

  it("detects a cycle of asynchronous fixed-order sweeps", () => {
    // asymmetric pair: neuron 0 follows neuron 1, neuron 1 opposes neuron 0
    const net = new HopfieldNetwork(2, {
      weights: [0, 1, -1, 0],
      allowAsymmetric: true,
    });
    const result = net.run([1, 1], { order: "fixed" });
    expect(result.cycle).toBe(2);
    expect(result.converged).toBe(false);
  });

  it("respects the step limit", () => {
    const net = new HopfieldNetwork(2, { weights: [0, 1, 1, 0] });
    const result = net.run([1, -1], { mode: "sync", maxSweeps: 1 });
    expect(result).toMatchObject({ converged: false, cycle: null, sweeps: 1 });

    const random = new Random(606);
    const patterns = randomPatterns(2, 200, random);
    const big = HopfieldNetwork.fromPatterns(patterns);
    const far = corrupt(patterns[0], 60, random);
    const limited = big.run(far, { random, maxSweeps: 1 });
    expect(limited.sweeps).toBe(1);
    expect(big.run(far, { random }).sweeps).toBeGreaterThan(1);
  });

  it("records a trace and calls onSweep after each sweep", () => {
    const random = new Random(707);
    const patterns = randomPatterns(4, 80, random);
    const net = HopfieldNetwork.fromPatterns(patterns);
    const initial = corrupt(patterns[2], 25, random);
    const calls: number[] = [];
    const result = net.run(initial, {
      random,
      trace: true,
      onSweep: (sweep, state, energy) => {
        calls.push(sweep);
        expect(energy).toBeCloseTo(net.energy(state), 9);
      },
    });
    const trace = result.trace!;
    expect(trace.states.length).toBe(result.sweeps + 1);
    expect(trace.energies.length).toBe(result.sweeps + 1);
    expect(trace.states[0]).toEqual(initial);
    expect(trace.states[result.sweeps]).toEqual(result.state);
    expect(calls).toEqual(
      Array.from({ length: result.sweeps }, (_, k) => k + 1),
    );
    for (let k = 1; k < trace.energies.length; k++) {
      expect(trace.energies[k]).toBeLessThanOrEqual(trace.energies[k - 1]);
    }
    expect(net.run(initial, { random }).trace).toBeUndefined();
  });
});

describe("pattern helpers", () => {
  it("computes overlaps m_mu = (1/N) xi_mu . z", () => {
    const patterns = [
      [1, 1, 1, 1],
      [1, -1, 1, -1],
    ];
    const m = overlaps([1, 1, 1, -1], patterns);
    expect(Array.from(m)).toEqual([0.5, 0.5]);
    expect(Array.from(overlaps([-1, 1, -1, 1], patterns))).toEqual([0, -1]);
  });

  it("corrupts exactly count distinct positions of a copy", () => {
    const random = new Random(808);
    const [p] = randomPatterns(1, 100, random);
    const copy = Float64Array.from(p);
    for (const count of [0, 1, 37, 100]) {
      const q = corrupt(p, count, random);
      expect(hammingDistance(p, q)).toBe(count);
    }
    expect(p).toEqual(copy);
  });

  it("draws random patterns with entries +-1 at about half each", () => {
    const random = new Random(909);
    const patterns = randomPatterns(50, 200, random);
    expect(patterns.length).toBe(50);
    let plus = 0;
    for (const p of patterns) {
      expect(p.length).toBe(200);
      expect(p.every((v) => v === 1 || v === -1)).toBe(true);
      plus += p.filter((v) => v === 1).length;
    }
    const n = 50 * 200;
    expect(Math.abs(plus / n - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / n));
  });
});

describe("HopfieldNetwork constructor", () => {
  it("accepts rounding-level asymmetry and copies the weights", () => {
    const weights = Float64Array.from([0, 1, 1 + 1e-13, 0]);
    const net = new HopfieldNetwork(2, { weights, thresholds: [0.5, 0] });
    weights[1] = 5;
    expect(net.weights[1]).toBe(1);
    expect(Array.from(net.thresholds)).toEqual([0.5, 0]);
    expect(() => new HopfieldNetwork(2, { weights: [0, 1, 1.001, 0] })).toThrow(
      RangeError,
    );
  });

  it("accepts a non-negative diagonal and defaults to zeros", () => {
    const net = new HopfieldNetwork(2, { weights: [0.5, 1, 1, 0] });
    expect(net.weights[0]).toBe(0.5);
    const empty = new HopfieldNetwork(3);
    expect(Array.from(empty.weights)).toEqual(new Array(9).fill(0));
    expect(Array.from(empty.thresholds)).toEqual([0, 0, 0]);
  });
});

describe("HopfieldNetwork bad input", () => {
  const net = new HopfieldNetwork(3);
  const random = new Random(1);

  it("rejects a bad size or weights in the constructor", () => {
    expect(() => new HopfieldNetwork(0)).toThrow(RangeError);
    expect(() => new HopfieldNetwork(0)).toThrow(/size: .*got 0/);
    expect(() => new HopfieldNetwork(2.5)).toThrow(/size/);
    expect(() => new HopfieldNetwork("3" as unknown as number)).toThrow(
      TypeError,
    );
    expect(() => new HopfieldNetwork(2, { weights: [0, 1, 1] })).toThrow(
      /options\.weights: expected length 4, got 3/,
    );
    expect(() => new HopfieldNetwork(2, { weights: [0, 1, 2, 0] })).toThrow(
      /options\.weights: expected a symmetric .*w\[0\]\[1\] = 1 .*w\[1\]\[0\] = 2/,
    );
    expect(() => new HopfieldNetwork(2, { weights: [-1, 0, 0, 0] })).toThrow(
      /non-negative diagonal.*w\[0\]\[0\] = -1/,
    );
    expect(() => new HopfieldNetwork(2, { weights: [0, NaN, NaN, 0] })).toThrow(
      /options\.weights\[1\]: expected a finite number, got NaN/,
    );
    expect(() => new HopfieldNetwork(2, { thresholds: [0] })).toThrow(
      /options\.thresholds: expected length 2, got 1/,
    );
    expect(
      () => new HopfieldNetwork(2, { wieghts: [] } as unknown as object),
    ).toThrow(/unsupported option "wieghts"/);
    expect(() => new HopfieldNetwork(2, { tieTolerance: -1 })).toThrow(
      /options\.tieTolerance/,
    );
  });

  it("rejects a state of the wrong length, kind or values", () => {
    expect(() => net.run([1, -1])).toThrow(RangeError);
    expect(() => net.run([1, -1], { random })).toThrow(
      /initial: expected length 3, got 2/,
    );
    expect(() => net.run([1, 0.5, -1], { random })).toThrow(
      /initial\[1\]: expected -1 or \+1, got 0\.5/,
    );
    expect(() => net.run([1, NaN, -1], { random })).toThrow(
      /initial\[1\]: expected a finite number, got NaN/,
    );
    expect(() =>
      net.run([1, "1", -1] as unknown as number[], { random }),
    ).toThrow(TypeError);
    expect(() => net.run(null as unknown as number[])).toThrow(
      /initial: expected an array of numbers, got null/,
    );
    expect(() =>
      net.updateNeuron([1, 1, 1] as unknown as Float64Array, 0),
    ).toThrow(/state: expected a Float64Array .*got Array/);
    expect(() => net.updateNeuron(Float64Array.from([1, 1, 1]), 3)).toThrow(
      /j: expected an integer in \[0, 2\], got 3/,
    );
    expect(() => net.energy([1, 1], [0, 0, 0])).toThrow(
      /state: expected length 3/,
    );
    expect(() => net.energy([1, 1, 1], [0, 0])).toThrow(
      /input: expected length 3/,
    );
  });

  it("rejects bad run options", () => {
    expect(() => net.run([1, 1, 1])).toThrow(TypeError);
    expect(() => net.run([1, 1, 1])).toThrow(
      /options\.random: expected a Random, got undefined/,
    );
    expect(() => net.run([1, 1, 1], { mode: "parallel" as "sync" })).toThrow(
      /options\.mode: expected "async" \| "sync", got "parallel"/,
    );
    expect(() => net.run([1, 1, 1], { order: "fixed", maxSweeps: 0 })).toThrow(
      /options\.maxSweeps: expected an integer >= 1, got 0/,
    );
    expect(() => net.run([1, 1, 1], { order: "fixed", input: [0] })).toThrow(
      /options\.input: expected length 3, got 1/,
    );
    expect(() =>
      net.run([1, 1, 1], { order: "fixed", steps: 3 } as unknown as object),
    ).toThrow(/unsupported option "steps"/);
    expect(() =>
      net.sweepAsync(Float64Array.from([1, 1, 1]), {
        order: "backwards" as "fixed",
      }),
    ).toThrow(/options\.order/);
  });

  it("rejects bad arguments of the pattern helpers", () => {
    expect(() => corrupt([1, -1], 3, random)).toThrow(
      /count: expected an integer in \[0, 2\], got 3/,
    );
    expect(() => corrupt([1, 2], 1, random)).toThrow(/pattern\[1\]/);
    expect(() => corrupt([1, -1], 1, {} as Random)).toThrow(TypeError);
    expect(() => randomPatterns(2, 0, random)).toThrow(/size/);
    expect(() => overlaps([1, 1], [[1, 1, 1]])).toThrow(
      /state: expected length 3, got 2/,
    );
    expect(() => hammingDistance([1, 1], [1])).toThrow(/b: expected length 2/);
  });
});
