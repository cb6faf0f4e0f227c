import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";

// Statistical checks use a fixed seed (so they are deterministic) and a
// tolerance of 5 standard errors, or a chi-square critical value at
// p = 0.001: a correct generator passes, a biased one fails by far.

/** Chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe("Random", () => {
  it("gives the same sequence for the same seed", () => {
    const a = new Random(2024);
    const b = new Random(2024);
    for (let k = 0; k < 1000; k++) expect(a.uniform()).toBe(b.uniform());
    const c = new Random(2024);
    const d = new Random(2024);
    expect(c.permutation(50)).toEqual(d.permutation(50));
    expect(c.normal()).toBe(d.normal());
  });

  it("gives different sequences for different seeds", () => {
    const seeds = [0, 1, 2, -1, 2 ** 32 + 1, 2 ** 40];
    const firsts = seeds.map((s) => new Random(s).nextUint32());
    expect(new Set(firsts).size).toBe(seeds.length);
  });

  it("gives different streams for seeds -1 and 2^32 + 1", () => {
    // these collided when both seed halves were hashed into one 32-bit word
    const a = new Random(-1);
    const b = new Random(2 ** 32 + 1);
    expect(a.nextUint32()).not.toBe(b.nextUint32());
  });

  it("draws uniform numbers in [0, 1) with equal bin counts", () => {
    const random = new Random(7);
    const n = 100_000;
    const bins = new Array(20).fill(0);
    let sum = 0;
    let outside = 0;
    for (let k = 0; k < n; k++) {
      const u = random.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      else bins[Math.floor(u * 20)]++;
      sum += u;
    }
    expect(outside).toBe(0);
    // chi-square, 19 degrees of freedom: P(X > 43.82) = 0.001
    expect(chiSquare(bins, n)).toBeLessThan(43.82);
    const standardError = Math.sqrt(1 / 12 / n);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * standardError);
  });

  it("draws normal deviates with the requested mean and variance", () => {
    const random = new Random(11);
    const n = 200_000;
    const mean = 3;
    const std = 2;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < n; k++) {
      const v = random.normal(mean, std);
      s1 += v;
      s2 += v * v;
    }
    const sampleMean = s1 / n;
    const sampleVar = s2 / n - sampleMean ** 2;
    // SE of the mean std/sqrt(n); SE of the variance std^2 sqrt(2/n)
    expect(Math.abs(sampleMean - mean)).toBeLessThan((5 * std) / Math.sqrt(n));
    expect(Math.abs(sampleVar - std ** 2)).toBeLessThan(
      5 * std ** 2 * Math.sqrt(2 / n),
    );
  });

  it("draws normal deviates with the right tail mass", () => {
    // P(|Z| > 1.96) = 0.05 for a standard normal
    const random = new Random(13);
    const n = 100_000;
    let outside = 0;
    for (let k = 0; k < n; k++) if (Math.abs(random.normal()) > 1.96) outside++;
    const se = Math.sqrt((0.05 * 0.95) / n);
    expect(Math.abs(outside / n - 0.05)).toBeLessThan(5 * se);
  });

  it("draws integers in [0, n) uniformly", () => {
    const random = new Random(5);
    const n = 70_000;
    const counts = new Array(7).fill(0);
    let bad = 0;
    for (let k = 0; k < n; k++) {
      const v = random.int(7);
      if (Number.isInteger(v) && v >= 0 && v < 7) counts[v]++;
      else bad++;
    }
    expect(bad).toBe(0);
    // 6 degrees of freedom: P(X > 22.46) = 0.001
    expect(chiSquare(counts, n)).toBeLessThan(22.46);
    expect(random.int(1)).toBe(0);
    const big = random.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  it("returns true with probability p from bernoulli", () => {
    const random = new Random(17);
    const n = 50_000;
    let hits = 0;
    for (let k = 0; k < n; k++) if (random.bernoulli(0.3)) hits++;
    expect(Math.abs(hits / n - 0.3)).toBeLessThan(
      5 * Math.sqrt((0.3 * 0.7) / n),
    );
    for (let k = 0; k < 100; k++) {
      expect(random.bernoulli(0)).toBe(false);
      expect(random.bernoulli(1)).toBe(true);
    }
  });

  it("returns a permutation of 0..n-1 from permutation", () => {
    const random = new Random(3);
    for (const n of [0, 1, 2, 10, 257]) {
      const p = random.permutation(n);
      expect(p).toBeInstanceOf(Int32Array);
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
    }
  });

  it("makes every order of three items about equally likely", () => {
    const random = new Random(19);
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let k = 0; k < n; k++) {
      const key = random.permutation(3).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // 5 degrees of freedom: P(X > 20.52) = 0.001
    expect(chiSquare([...counts.values()], n)).toBeLessThan(20.52);
  });

  it("shuffles in place and keeps the items", () => {
    const random = new Random(23);
    const items = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const returned = random.shuffle(items);
    expect(returned).toBe(items);
    expect([...items].sort()).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
  });

  it("throws on bad arguments, naming them", () => {
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => new Random(1.5)).toThrow(/seed.*1\.5/);
    expect(() => new Random("1" as unknown as number)).toThrow(TypeError);
    expect(() => new Random(Number.NaN)).toThrow(/seed/);
    const random = new Random(1);
    expect(() => random.int(0)).toThrow(RangeError);
    expect(() => random.int(0)).toThrow(/n: expected an integer.*got 0/);
    expect(() => random.int(2.5)).toThrow(/n:/);
    expect(() => random.int(2 ** 32 + 1)).toThrow(RangeError);
    expect(() => random.bernoulli(1.5)).toThrow(/p: .*got 1\.5/);
    expect(() => random.bernoulli(Number.NaN)).toThrow(RangeError);
    expect(() => random.normal(0, -1)).toThrow(/std: .*got -1/);
    expect(() => random.normal(Infinity)).toThrow(/mean/);
    expect(() => random.permutation(-1)).toThrow(/n: .*got -1/);
    expect(() => random.shuffle("abc" as unknown as string[])).toThrow(
      TypeError,
    );
  });
});
