import * as fs from "node:fs";
import { describe, expect, it } from "vitest";

import {
  contrastiveLoss,
  squaredEnergy,
  squaredHinge,
} from "../../lib/src/contrastive.js";
import { numericGradient } from "../../lib/src/gradcheck.js";
import { Matrix } from "../../lib/src/tensor.js";

const golden = JSON.parse(
  fs.readFileSync(
    new URL("../fixtures/contrastive.json", import.meta.url),
    "utf8",
  ),
) as {
  margin: number;
  G1: number[][];
  G2: number[][];
  Y: number[];
  E: number[];
  per_pair: number[];
  loss: number;
  d_G1: number[][];
  d_G2: number[][];
};

const matrix = (rows: number[][]) => Matrix.fromRows(rows);

/** |a - b| <= 1e-9 |b| + 1e-12 for every entry. */
function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const bound = 1e-9 * Math.abs(expected[i]) + 1e-12;
    expect(Math.abs(actual[i] - expected[i]), `entry ${i}`).toBeLessThanOrEqual(
      bound,
    );
  }
}

describe("contrastiveLoss", () => {
  it("matches PyTorch's averaged DrLIM loss and its gradients", () => {
    const r = contrastiveLoss(matrix(golden.G1), matrix(golden.G2), golden.Y, {
      margin: golden.margin,
      reduction: "mean",
    });
    expectClose(r.energies, golden.E);
    expectClose(r.perPair, golden.per_pair);
    expectClose([r.loss], [golden.loss]);
    expectClose(r.dG1.data, golden.d_G1.flat());
    expectClose(r.dG2.data, golden.d_G2.flat());
    // Both labels occur, and some impostors sit inside the margin.
    expect(new Set(golden.Y).size).toBe(2);
  });

  it("sums over pairs by default, as the lecture writes it", () => {
    const G1 = matrix(golden.G1);
    const G2 = matrix(golden.G2);
    const sum = contrastiveLoss(G1, G2, golden.Y);
    expect(sum.loss).toBeCloseTo(golden.loss * golden.Y.length, 12);
  });

  it("follows the lecture's convention for Y", () => {
    const same = matrix([[0.3, -0.2]]);
    const m = 1.5;
    // E = 0: nothing for a genuine pair, m^2 / 2 for an impostor.
    expect(contrastiveLoss(same, same, [0], { margin: m }).loss).toBe(0);
    expect(contrastiveLoss(same, same, [1], { margin: m }).loss).toBeCloseTo(
      (m * m) / 2,
      15,
    );
    // E >= m with Y = 1: loss 0 and no gradient.
    const far = matrix([[0.3 + 2, -0.2]]);
    const r = contrastiveLoss(far, same, [1], { margin: m });
    expect(r.loss).toBe(0);
    expect(Array.from(r.dG1.data, Math.abs)).toEqual([0, 0]);
  });

  it("keeps the gradient finite where the embeddings coincide", () => {
    const same = matrix([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    for (const distance of ["euclidean", "l1"] as const) {
      const r = contrastiveLoss(same, same, [0, 1], { distance });
      for (const v of [...r.dG1.data, ...r.dG2.data]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(Math.abs(v)).toBe(0);
      }
    }
  });

  it("agrees with central differences, both distances, both branches", () => {
    const G1 = matrix(golden.G1);
    const G2 = matrix(golden.G2);
    for (const distance of ["euclidean", "l1"] as const) {
      const options = { margin: 2, distance, reduction: "mean" as const };
      const r = contrastiveLoss(G1, G2, golden.Y, options);
      for (const [M, grad] of [
        [G1, r.dG1],
        [G2, r.dG2],
      ] as const) {
        const numeric = numericGradient(
          () => contrastiveLoss(G1, G2, golden.Y, options).loss,
          M.data as Float64Array,
          1e-6,
        );
        numeric.forEach((n, i) =>
          expect(Math.abs(n - grad.data[i]), `${distance} ${i}`).toBeLessThan(
            1e-7,
          ),
        );
      }
    }
  });

  it("takes other loss parts", () => {
    const linear = { value: (e: number) => e, derivative: () => 1 };
    const G1 = matrix([[3, 4]]);
    const G2 = matrix([[0, 0]]);
    const r = contrastiveLoss(G1, G2, [0], { genuine: linear });
    expect(r.loss).toBe(5);
    expectClose(r.dG1.data, [0.6, 0.8]);
    expect(squaredEnergy.value(2, 1)).toBe(2);
    expect(squaredHinge.derivative(0.25, 1)).toBe(-0.75);
  });

  it("rejects bad input, naming the argument", () => {
    const G = matrix([[0, 0]]);
    expect(() => contrastiveLoss(G, matrix([[0, 0, 0]]), [0])).toThrow(/G2/);
    expect(() => contrastiveLoss(G, G, [2])).toThrow(/y\[0\]: expected 0/);
    expect(() => contrastiveLoss(G, G, [0, 1])).toThrow(/y: expected 1 labels/);
    expect(() => contrastiveLoss(G, G, null as never)).toThrow(TypeError);
    expect(() => contrastiveLoss(G, G, [0], { margin: 0 })).toThrow(
      /options.margin/,
    );
    expect(() =>
      contrastiveLoss(G, G, [0], { distance: "cosine" as never }),
    ).toThrow(/options.distance/);
    expect(() =>
      contrastiveLoss(G, G, [0], { reduction: "avg" as never }),
    ).toThrow(/options.reduction/);
    expect(() => contrastiveLoss(G, G, [0], { impostor: {} as never })).toThrow(
      /options.impostor/,
    );
    expect(() => contrastiveLoss(G, G, [0], { m: 1 } as never)).toThrow(
      /options.m/,
    );
  });
});

describe("contrastiveLoss refuses what would give silent NaN", () => {
  const G = Matrix.fromRows([
    [0, 1],
    [2, 3],
  ]);
  it("names a non-finite embedding entry", () => {
    const bad = G.clone();
    bad.set(1, 0, NaN);
    expect(() => contrastiveLoss(G, bad, [0, 1])).toThrow(
      /^G2\[1, 0\]: expected a finite number, got NaN$/,
    );
    bad.set(1, 0, Infinity);
    expect(() => contrastiveLoss(bad, G, [0, 1])).toThrow(/^G1\[1, 0\]/);
  });

  it("names the pair whose energy overflows, and a part that is not finite", () => {
    const huge = Matrix.fromRows([[1e200, 0]]);
    expect(() => contrastiveLoss(huge, Matrix.zeros(1, 2), [1])).toThrow(
      /^pair 0: energy Infinity/,
    );
    const nan = { value: () => NaN, derivative: () => 0 };
    expect(() => contrastiveLoss(G, G, [0, 1], { genuine: nan })).toThrow(
      /^pair 0: .*options\.genuine part/,
    );
  });

  it("sums zero pairs to 0 but refuses to average them", () => {
    const empty = Matrix.zeros(0, 2);
    expect(contrastiveLoss(empty, empty, []).loss).toBe(0);
    expect(() =>
      contrastiveLoss(empty, empty, [], { reduction: "mean" }),
    ).toThrow(/at least one pair to average over/);
  });
});
