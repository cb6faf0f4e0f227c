import { describe, expect, it } from "vitest";

import {
  classIndices,
  type LabelledPairs,
  PairSampler,
  samplePairs,
} from "../../lib/src/pairs.js";
import { Random } from "../../lib/src/random.js";

/** Labels with gaps and a singleton class (label 42 appears once). */
const LABELS = [3, 17, 3, 42, 17, 3, 1000, 17, 1000, 3, 0, 0];

/** sum (observed - expected)^2 / expected over the cells of `expected`. */
function chiSquare(
  observed: Map<string, number>,
  expected: Map<string, number>,
): number {
  for (const key of observed.keys()) {
    expect(expected.has(key), `unexpected cell ${key}`).toBe(true);
  }
  let chi = 0;
  for (const [key, e] of expected) {
    chi += ((observed.get(key) ?? 0) - e) ** 2 / e;
  }
  return chi;
}

/**
 * A bound that a correct sampler's chi-square statistic with `df` degrees
 * of freedom exceeds with negligible probability: the mean plus six
 * standard deviations (sqrt(2 df)).
 */
const chiBound = (df: number) => df + 6 * Math.sqrt(2 * df);

function countCells(pairs: LabelledPairs, y: number): Map<string, number> {
  const cells = new Map<string, number>();
  for (let r = 0; r < pairs.y.length; r++) {
    if (pairs.y[r] !== y) continue;
    const key = `${pairs.first[r]},${pairs.second[r]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  return cells;
}

function expectValidPairs(labels: ArrayLike<number>, p: LabelledPairs) {
  // Collect the faults first: an expect per pair is slow on 100,000 pairs.
  const faults: string[] = [];
  const inRange = (i: number) => i >= 0 && i < labels.length;
  for (let r = 0; r < p.y.length; r++) {
    const [a, b, y] = [p.first[r], p.second[r], p.y[r]];
    const ok =
      inRange(a) &&
      inRange(b) &&
      (y === 0
        ? a !== b && labels[a] === labels[b]
        : y === 1 && labels[a] !== labels[b]);
    if (!ok) faults.push(`pair ${r}: (${a}, ${b}), y = ${y}`);
  }
  expect(faults.slice(0, 5)).toEqual([]);
}

const genuineCount = (p: LabelledPairs) => p.y.filter((v) => v === 0).length;

describe("classIndices", () => {
  it("lists each label's indices, labels ascending", () => {
    const classes = classIndices([5, 2, 5, 0, 2, 5]);
    expect([...classes.keys()]).toEqual([0, 2, 5]);
    expect([...classes.get(0)!]).toEqual([3]);
    expect([...classes.get(2)!]).toEqual([1, 4]);
    expect([...classes.get(5)!]).toEqual([0, 2, 5]);
    expect(classes.get(5)).toBeInstanceOf(Int32Array);
  });

  it("accepts typed arrays and an empty set", () => {
    expect([...classIndices(new Uint8Array([1, 1, 0])).keys()]).toEqual([0, 1]);
    expect(classIndices([]).size).toBe(0);
  });
});

describe("PairSampler", () => {
  it("draws exactly round(count (1 - impostorFraction)) genuine pairs", () => {
    const sampler = new PairSampler(LABELS);
    const random = new Random(1);
    const cases: [number, number | undefined, number][] = [
      [100, undefined, 50],
      [7, undefined, 4], // 3.5 rounds up
      [10, 0.3, 7],
      [10, 0, 10],
      [10, 1, 0],
      [1000, 0.25, 750],
      [0, undefined, 0],
    ];
    for (const [count, impostorFraction, genuine] of cases) {
      const p = sampler.sample(count, random, { impostorFraction });
      expect(p.first.length).toBe(count);
      expect(p.second.length).toBe(count);
      expect(p.y.length).toBe(count);
      expect(genuineCount(p), `${count}, ${impostorFraction}`).toBe(genuine);
    }
  });

  it("pairs genuines within a label (distinct examples), impostors across", () => {
    const sampler = new PairSampler(LABELS);
    expect(sampler.size).toBe(12);
    expect(sampler.classCount).toBe(5);
    expect([...sampler.classLabels]).toEqual([0, 3, 17, 42, 1000]);
    const p = sampler.sample(5000, new Random(2));
    expect(p.first).toBeInstanceOf(Int32Array);
    expect(p.y).toBeInstanceOf(Uint8Array);
    expectValidPairs(LABELS, p);
    // The lone example of class 42 can only be in impostor pairs.
    for (let r = 0; r < p.y.length; r++) {
      if (p.y[r] === 0) expect(p.first[r]).not.toBe(3);
    }
  });

  it("gives the same pairs for the same seed and others for another", () => {
    const sampler = new PairSampler(LABELS);
    const a = sampler.sample(300, new Random(7));
    const b = sampler.sample(300, new Random(7));
    const c = sampler.sample(300, new Random(8));
    expect(b).toEqual(a);
    expect(c.first).not.toEqual(a.first);
    // samplePairs builds the same sampler, so it draws the same pairs.
    expect(samplePairs(LABELS, 300, new Random(7))).toEqual(a);
  });

  it("mixes genuine and impostor pairs through the batch", () => {
    const p = new PairSampler(LABELS).sample(1000, new Random(3));
    // Hypergeometric: 250 genuines expected in each half, sd about 8.
    const firstHalf = genuineCount({ ...p, y: p.y.subarray(0, 500) });
    expect(Math.abs(firstHalf - 250)).toBeLessThan(40);
    // A minibatch slice holds both kinds.
    for (let start = 0; start < 1000; start += 50) {
      const g = p.y.subarray(start, start + 50).filter((v) => v === 0).length;
      expect(g, `slice at ${start}`).toBeGreaterThan(0);
      expect(g, `slice at ${start}`).toBeLessThan(50);
    }
  });

  it("draws genuine anchors uniformly and partners uniformly in the class", () => {
    // Class sizes 1, 2, 3, 6: 11 examples can anchor a genuine pair.
    const labels = [9, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3];
    const n = (i: number) => labels.filter((l) => l === labels[i]).length;
    const count = 60_000;
    const p = new PairSampler(labels).sample(count, new Random(4), {
      impostorFraction: 0,
    });
    const expected = new Map<string, number>();
    for (let a = 0; a < labels.length; a++) {
      for (let b = 0; b < labels.length; b++) {
        if (a !== b && labels[a] === labels[b]) {
          expected.set(`${a},${b}`, count / 11 / (n(a) - 1));
        }
      }
    }
    expect(expected.size).toBe(38);
    expect(chiSquare(countCells(p, 0), expected)).toBeLessThan(chiBound(37));
  });

  it("draws impostor partners uniformly among the other classes", () => {
    const labels = [9, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3];
    const N = labels.length;
    const n = (i: number) => labels.filter((l) => l === labels[i]).length;
    const count = 100_000;
    const p = new PairSampler(labels).sample(count, new Random(5), {
      impostorFraction: 1,
    });
    const expected = new Map<string, number>();
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) {
        if (labels[a] !== labels[b]) {
          expected.set(`${a},${b}`, count / N / (N - n(a)));
        }
      }
    }
    expect(expected.size).toBe(94);
    expect(chiSquare(countCells(p, 1), expected)).toBeLessThan(chiBound(93));
  });

  it("covers the classes in proportion to their sizes", () => {
    // Ten classes of 50 to 140 examples, as an unbalanced digit set.
    const sizes = [50, 60, 70, 80, 90, 100, 110, 120, 130, 140];
    const labels = sizes.flatMap((s, c) => new Array<number>(s).fill(c));
    const random = new Random(6);
    const order = random.permutation(labels.length);
    const shuffled = Array.from(order, (i) => labels[i]);
    const count = 20_000;
    const p = samplePairs(shuffled, count, random);
    const observed = new Map<string, number>();
    for (let r = 0; r < count; r++) {
      // X1 of either kind is uniform over all examples of its pool, and
      // here every class has 2 or more members: P(class c) = n_c / N.
      const key = String(shuffled[p.first[r]]);
      observed.set(key, (observed.get(key) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    sizes.forEach((s, c) => expected.set(String(c), (count * s) / 950));
    expect(chiSquare(observed, expected)).toBeLessThan(chiBound(9));
  });

  it("handles 60,000 labels and 100,000 pairs quickly", () => {
    const random = new Random(10);
    const labels = Int32Array.from({ length: 60_000 }, () => random.int(10));
    const began = performance.now();
    const sampler = new PairSampler(labels);
    const p = sampler.sample(100_000, random);
    const elapsed = performance.now() - began;
    expect(genuineCount(p)).toBe(50_000);
    expectValidPairs(labels, p);
    // About 0.1 s here; a per-pair scan of the labels would take minutes.
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe("pair sampling errors", () => {
  const random = new Random(0);

  it("rejects labels that are not non-negative integers", () => {
    expect(() => samplePairs(5 as never, 2, random)).toThrow(TypeError);
    expect(() => samplePairs(null as never, 2, random)).toThrow(
      /labels: expected an array/,
    );
    expect(() => samplePairs([0, 1, 1.5], 2, random)).toThrow(
      /labels\[2\]: expected a non-negative integer, got 1\.5/,
    );
    expect(() => samplePairs([0, -1], 2, random)).toThrow(RangeError);
    expect(() => samplePairs([0, NaN], 2, random)).toThrow(/labels\[1\]/);
    expect(() => samplePairs([0, "1" as never], 2, random)).toThrow(TypeError);
    expect(() => classIndices([0.5])).toThrow(/labels\[0\]/);
    expect(() => new PairSampler([2, Infinity])).toThrow(RangeError);
  });

  it("rejects a count that is not an integer >= 0", () => {
    expect(() => samplePairs([0, 1], -1, random)).toThrow(
      /count: expected an integer >= 0, got -1/,
    );
    expect(() => samplePairs([0, 1], 2.5, random)).toThrow(RangeError);
    expect(() => samplePairs([0, 1], "2" as never, random)).toThrow(TypeError);
    expect(() => new PairSampler([0, 1]).sample(NaN, random)).toThrow(/count/);
  });

  it("rejects a random source that is not a Random", () => {
    expect(() => samplePairs([0, 1], 2, undefined as never)).toThrow(
      /random: expected a Random/,
    );
    expect(() => new PairSampler([0, 1]).sample(2, {} as never)).toThrow(
      TypeError,
    );
  });

  it("rejects an impostorFraction outside [0, 1] and unknown options", () => {
    const sampler = new PairSampler([0, 0, 1, 1]);
    for (const f of [-0.1, 1.5, NaN, Infinity]) {
      expect(() => sampler.sample(4, random, { impostorFraction: f })).toThrow(
        /options\.impostorFraction: expected a number in \[0, 1\]/,
      );
    }
    expect(() =>
      sampler.sample(4, random, { impostorFraction: "0.5" as never }),
    ).toThrow(TypeError);
    expect(() =>
      samplePairs([0, 0, 1, 1], 4, random, { impostorShare: 0.5 } as never),
    ).toThrow(/options\.impostorShare: unsupported option/);
    expect(() => sampler.sample(4, random, null as never)).toThrow(TypeError);
  });

  it("says when no class has two examples for genuine pairs", () => {
    const sampler = new PairSampler([0, 1, 2]);
    expect(() => sampler.sample(4, random)).toThrow(
      /2 genuine pairs asked, but no class has 2 or more examples/,
    );
    const p = sampler.sample(4, random, { impostorFraction: 1 });
    expectValidPairs([0, 1, 2], p);
  });

  it("says when there is only one class for impostor pairs", () => {
    const sampler = new PairSampler([4, 4, 4]);
    expect(() => sampler.sample(4, random)).toThrow(
      /impostors need 2 or more classes, got 1/,
    );
    const p = sampler.sample(4, random, { impostorFraction: 0 });
    expectValidPairs([4, 4, 4], p);
    expect(() => samplePairs([], 1, random)).toThrow(RangeError);
    expect(samplePairs([], 0, random).y.length).toBe(0);
  });
});
