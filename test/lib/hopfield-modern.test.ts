import { describe, expect, it } from "vitest";

import {
  HopfieldNetwork,
  corrupt,
  hammingDistance,
  randomPatterns,
} from "../../lib/src/hopfield.js";
import {
  modernHopfieldAttention,
  modernHopfieldEnergy,
  modernHopfieldUpdate,
} from "../../lib/src/modern-hopfield.js";
import { Random } from "../../lib/src/random.js";

describe("modern Hopfield network", () => {
  it("retrieves a pattern where the classical net fails (N = 64, M = 100)", () => {
    // M = 100 is far above the classical ~0.138 N = 9 patterns
    const random = new Random(5);
    const N = 64;
    const patterns = randomPatterns(100, N, random);
    const classical = HopfieldNetwork.fromPatterns(patterns);
    let classicalFailures = 0;
    for (let mu = 0; mu < 10; mu++) {
      const query = corrupt(patterns[mu], 6, random);
      const xi = modernHopfieldUpdate(patterns, query, 1);
      let worst = 0;
      xi.forEach(
        (v, i) => (worst = Math.max(worst, Math.abs(v - patterns[mu][i]))),
      );
      expect(worst).toBeLessThan(1e-6);

      const result = classical.run(query, { random });
      if (hammingDistance(result.state, patterns[mu]) > 0) classicalFailures++;
    }
    expect(classicalFailures).toBe(10);
  });

  it("never raises the energy, which stays >= 0", () => {
    const random = new Random(6);
    for (let trial = 0; trial < 50; trial++) {
      const N = 5 + random.int(30);
      const M = 1 + random.int(40);
      const patterns = Array.from({ length: M }, () =>
        Float64Array.from({ length: N }, () => random.normal()),
      );
      const beta = 0.01 + 3 * random.uniform();
      let xi: Float64Array = Float64Array.from({ length: N }, () =>
        random.normal(0, 2),
      );
      let energy = modernHopfieldEnergy(patterns, xi, beta);
      for (let step = 0; step < 5; step++) {
        xi = modernHopfieldUpdate(patterns, xi, beta);
        const next = modernHopfieldEnergy(patterns, xi, beta);
        expect(next).toBeGreaterThanOrEqual(-1e-9);
        expect(next).toBeLessThanOrEqual(energy + 1e-9 * (1 + energy));
        energy = next;
      }
    }
  });

  it("applies `steps` updates", () => {
    const random = new Random(7);
    const patterns = randomPatterns(8, 10, random).map((p) =>
      p.map((v) => v * 0.3),
    );
    const query = randomPatterns(1, 10, random)[0];
    const twice = modernHopfieldUpdate(
      patterns,
      modernHopfieldUpdate(patterns, query, 0.5),
      0.5,
    );
    expect(modernHopfieldUpdate(patterns, query, 0.5, 2)).toEqual(twice);
  });

  it("computes a stable softmax for huge beta and averages for tiny beta", () => {
    const patterns = [
      [1, 1, -1, -1],
      [1, -1, 1, -1],
      [-1, 1, 1, 1],
    ];
    const query = [1, 1, -1, -1];
    const p = modernHopfieldAttention(patterns, query, 1e6);
    expect(Array.from(p)).toEqual([1, 0, 0]);
    expect(Array.from(modernHopfieldUpdate(patterns, query, 1e6))).toEqual(
      patterns[0],
    );
    expect(Number.isFinite(modernHopfieldEnergy(patterns, query, 1e6))).toBe(
      true,
    );
    // beta -> 0: uniform attention, the mean of the patterns
    const mean = [1 / 3, 1 / 3, 1 / 3, -1 / 3];
    const xi = modernHopfieldUpdate(patterns, query, 1e-9);
    xi.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 6));
    const sum = modernHopfieldAttention(patterns, query, 0.7).reduce(
      (s, v) => s + v,
      0,
    );
    expect(sum).toBeCloseTo(1, 14);
  });

  it("matches the energy formula on a small case", () => {
    // one pattern x = (1, 0), xi = (0, 0), beta = 2:
    // E = -lse(2, [0]) + 0 + log(1)/2 + 1/2 = 0.5
    expect(modernHopfieldEnergy([[1, 0]], [0, 0], 2)).toBeCloseTo(0.5, 14);
    // two patterns (1, 0), (0, 1), xi = (1, 0), beta = 1:
    // lse = log(e + 1); E = -log(e + 1) + 1/2 + log 2 + 1/2
    const expected = -Math.log(Math.E + 1) + 1 + Math.log(2);
    expect(
      modernHopfieldEnergy(
        [
          [1, 0],
          [0, 1],
        ],
        [1, 0],
        1,
      ),
    ).toBeCloseTo(expected, 14);
  });

  it("throws on bad input, naming the argument", () => {
    const patterns = [[1, -1, 1]];
    expect(() => modernHopfieldUpdate(patterns, [1, 1], 1)).toThrow(
      /query: expected length 3, got 2/,
    );
    expect(() => modernHopfieldUpdate(patterns, [1, 1, 1], 0)).toThrow(
      RangeError,
    );
    expect(() => modernHopfieldUpdate(patterns, [1, 1, 1], 0)).toThrow(
      /beta: expected a finite number > 0, got 0/,
    );
    expect(() => modernHopfieldUpdate(patterns, [1, 1, 1], Infinity)).toThrow(
      /beta/,
    );
    expect(() =>
      modernHopfieldUpdate(patterns, [1, 1, 1], "1" as unknown as number),
    ).toThrow(TypeError);
    expect(() => modernHopfieldUpdate(patterns, [1, 1, 1], 1, 0)).toThrow(
      /steps/,
    );
    expect(() => modernHopfieldUpdate([], [1], 1)).toThrow(
      /patterns: expected at least one/,
    );
    expect(() => modernHopfieldUpdate([[1, 2], [1]], [1, 1], 1)).toThrow(
      /patterns\[1\]: expected length 2, got 1/,
    );
    expect(() => modernHopfieldEnergy([[1, NaN]], [1, 1], 1)).toThrow(
      /patterns\[0\]\[1\]: expected a finite number, got NaN/,
    );
    expect(() => modernHopfieldAttention(patterns, [1, 1, NaN], 1)).toThrow(
      /state\[2\]/,
    );
  });
});
