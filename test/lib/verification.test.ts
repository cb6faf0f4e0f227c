import * as fs from "node:fs";
import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import {
  rocAuc,
  rocCurve,
  verificationReport,
} from "../../lib/src/verification.js";

interface Summary {
  count: number;
  mean: number;
  std: number;
}

/** One case of roc.json (scikit-learn 1.2 and NumPy brute force). */
interface GoldenCase {
  name: string;
  distances: number[];
  y: number[];
  auc: number;
  roc_thresholds: number[];
  roc_fpr: number[];
  roc_tpr: number[];
  best_threshold: number | "Infinity" | "-Infinity";
  best_accuracy: number;
  eer: number;
  eer_threshold: number;
  genuine: Summary;
  impostor: Summary;
}

const golden = JSON.parse(
  fs.readFileSync(new URL("../fixtures/roc.json", import.meta.url), "utf8"),
) as { cases: GoldenCase[] };

/** |a - b| <= 1e-12 for every entry. */
function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `entry ${i}`).toBeLessThanOrEqual(
      1e-12,
    );
  }
}

/** Distances of genuine pairs `genuine` and impostors `impostor`. */
function pairsOf(genuine: number[], impostor: number[]) {
  return {
    d: [...genuine, ...impostor],
    y: [...genuine.map(() => 0), ...impostor.map(() => 1)],
  };
}

/** P(d_g < d_i) + P(d_g = d_i) / 2 over all combinations, O(G I). */
function bruteAuc(d: number[], y: number[]): number {
  let score = 0;
  let combinations = 0;
  for (let g = 0; g < d.length; g++) {
    if (y[g] !== 0) continue;
    for (let i = 0; i < d.length; i++) {
      if (y[i] !== 1) continue;
      combinations++;
      score += d[g] < d[i] ? 1 : d[g] === d[i] ? 0.5 : 0;
    }
  }
  return score / combinations;
}

describe("verification against scikit-learn and NumPy (roc.json)", () => {
  it("holds the cases it should: ties, separation, reversal, all tied", () => {
    const names = golden.cases.map((c) => c.name);
    expect(names).toEqual([
      "overlap_ties",
      ...["overlap_no_ties", "separated", "reversed", "all_tied"],
    ]);
    // Rounding to 0.1 leaves far fewer distinct distances than pairs.
    const ties = golden.cases[0];
    expect(ties.roc_fpr.length).toBeLessThan(ties.distances.length / 4);
  });

  for (const c of golden.cases) {
    it(`${c.name}: ROC curve matches roc_curve`, () => {
      const curve = rocCurve(c.distances, c.y);
      expect(curve.thresholds[0]).toBe(-Infinity);
      expectClose(curve.thresholds.subarray(1), c.roc_thresholds);
      expectClose(curve.acceptImpostor, c.roc_fpr);
      expectClose(curve.acceptGenuine, c.roc_tpr);
    });

    it(`${c.name}: AUC matches roc_auc_score`, () => {
      expectClose([rocAuc(c.distances, c.y)], [c.auc]);
    });

    it(`${c.name}: report matches the brute-force values`, () => {
      const r = verificationReport(c.distances, c.y);
      expectClose([r.auc], [c.auc]);
      const t = c.best_threshold;
      if (typeof t === "string") expect(r.bestThreshold).toBe(Number(t));
      else expectClose([r.bestThreshold], [t]);
      expectClose([r.bestAccuracy, r.eer], [c.best_accuracy, c.eer]);
      expectClose([r.eerThreshold], [c.eer_threshold]);
      for (const kind of ["genuine", "impostor"] as const) {
        expect(r[kind].count).toBe(c[kind].count);
        expectClose([r[kind].mean, r[kind].std], [c[kind].mean, c[kind].std]);
      }
    });
  }
});

describe("rocCurve", () => {
  it("runs from (0, 0) to (1, 1) with one point per distinct distance", () => {
    const { d, y } = pairsOf([0.5, 1, 1], [1, 2]);
    const curve = rocCurve(d, y);
    expect([...curve.thresholds]).toEqual([-Infinity, 0.5, 1, 2]);
    expect([...curve.acceptGenuine]).toEqual([0, 1 / 3, 1, 1]);
    // The tie at d = 1 moves both rates at once: a diagonal segment.
    expect([...curve.acceptImpostor]).toEqual([0, 0, 0.5, 1]);
  });

  it("is the diagonal when every distance is the same", () => {
    const curve = rocCurve([3, 3, 3, 3, 3], [0, 1, 1, 0, 1]);
    expect([...curve.thresholds]).toEqual([-Infinity, 3]);
    expect([...curve.acceptGenuine]).toEqual([0, 1]);
    expect([...curve.acceptImpostor]).toEqual([0, 1]);
  });

  it("leaves its arguments unchanged", () => {
    const d = new Float64Array([0.3, 0.1, 0.2]);
    const y = new Uint8Array([1, 0, 0]);
    rocCurve(d, y);
    expect([...d]).toEqual([0.3, 0.1, 0.2]);
    expect([...y]).toEqual([1, 0, 0]);
  });
});

describe("rocAuc", () => {
  it("is 1 when every genuine pair is closer than every impostor", () => {
    const { d, y } = pairsOf([0.1, 0.2, 0.2, 0.4], [0.5, 0.9, 3]);
    expect(rocAuc(d, y)).toBe(1);
  });

  it("is 0 when every genuine pair is farther than every impostor", () => {
    const { d, y } = pairsOf([2, 3], [0.1, 0.5, 1.9]);
    expect(rocAuc(d, y)).toBe(0);
  });

  it("is 0.5 when all distances tie", () => {
    expect(rocAuc([1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 0, 1, 0])).toBe(0.5);
  });

  it("counts a tie as half a win", () => {
    // (1, 2) and (1, 3) and (2, 3) win, (2, 2) ties: 3.5 of 4.
    const { d, y } = pairsOf([1, 2], [2, 3]);
    expect(rocAuc(d, y)).toBe(0.875);
  });

  it("equals the pairwise count and the trapezoid area on random data", () => {
    const random = new Random(3);
    const d: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 300; i++) {
      y.push(random.bernoulli(0.4) ? 1 : 0);
      d.push(Math.round((random.normal() + y[i]) * 4) / 4);
    }
    const auc = rocAuc(d, y);
    expect(Math.abs(auc - bruteAuc(d, y))).toBeLessThan(1e-14);
    const { acceptGenuine: tpr, acceptImpostor: fpr } = rocCurve(d, y);
    let area = 0;
    for (let k = 1; k < tpr.length; k++) {
      area += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
    }
    expect(Math.abs(auc - area)).toBeLessThan(1e-12);
    expect(auc).toBeGreaterThan(0.6); // the impostors sit one unit farther
  });
});

describe("verificationReport", () => {
  it("finds EER 0 and accuracy 1 between separated classes", () => {
    const { d, y } = pairsOf([0.1, 0.3, 0.2], [0.9, 1.3]);
    const r = verificationReport(d, y);
    expect(r.auc).toBe(1);
    expect(r.eer).toBe(0);
    expect(r.eerThreshold).toBe(0.3); // the farthest genuine pair
    expect(r.bestAccuracy).toBe(1);
    expect(r.bestThreshold).toBeCloseTo(0.6, 15);
    expect(r.genuine.count).toBe(3);
    expect(r.genuine.mean).toBeCloseTo(0.2, 15);
    expect(r.genuine.std).toBeCloseTo(Math.sqrt(0.02 / 3), 15);
    expect(r.impostor.count).toBe(2);
    expect(r.impostor.mean).toBeCloseTo(1.1, 15);
    expect(r.impostor.std).toBeCloseTo(0.2, 15);
  });

  it("interpolates the EER along a segment of the ROC curve", () => {
    // Points (FAR, TAR): (0,0) (0,1/3) (0,2/3) (1,2/3) (1,1). FRR - FAR is
    // 1/3 at (0, 2/3) and -2/3 at (1, 2/3): FRR = FAR = 1/3 a third of
    // the way along, while the impostor at 2.5 is being accepted.
    const { d, y } = pairsOf([1, 2, 3], [2.5]);
    const r = verificationReport(d, y);
    expect(r.eer).toBeCloseTo(1 / 3, 15);
    expect(r.eerThreshold).toBe(2.5);
  });

  it("takes the EER at a ROC point where FRR equals FAR exactly", () => {
    // (0,0) (0,1/2) (1/2,1/2) (1/2,1) (1,1): FRR = FAR = 1/2 at d = 2.
    const { d, y } = pairsOf([1, 3], [2, 4]);
    const r = verificationReport(d, y);
    expect(r.eer).toBe(0.5);
    expect(r.eerThreshold).toBe(2);
  });

  it("rejects everything when that is most accurate", () => {
    const { d, y } = pairsOf([5, 6], [1, 2, 3]);
    const r = verificationReport(d, y);
    expect(r.bestThreshold).toBe(-Infinity);
    expect(r.bestAccuracy).toBe(0.6);
    expect(r.auc).toBe(0);
    expect(r.eer).toBe(1);
  });

  it("accepts everything when that is most accurate", () => {
    const r = verificationReport([2, 2, 2], [0, 0, 1]);
    expect(r.bestThreshold).toBe(Infinity);
    expect(r.bestAccuracy).toBeCloseTo(2 / 3, 15);
    expect(r.eer).toBe(0.5);
  });

  it("picks the smallest threshold among equally accurate ones", () => {
    // Accept {1}: 3 of 4 right; accept {1, 2, 3}: 3 of 4 right as well.
    const { d, y } = pairsOf([1, 3], [2, 4]);
    expect(verificationReport(d, y).bestThreshold).toBe(1.5);
    expect(verificationReport(d, y).bestAccuracy).toBe(0.75);
  });

  it("never does worse than the better constant answer", () => {
    const random = new Random(9);
    for (let trial = 0; trial < 20; trial++) {
      const d = Array.from({ length: 30 }, () => random.int(5));
      const y = d.map((_, i) => (i < 2 ? i : random.int(2)));
      const genuine = y.filter((v) => v === 0).length;
      const r = verificationReport(d, y);
      const constant = Math.max(genuine, 30 - genuine) / 30;
      expect(r.bestAccuracy).toBeGreaterThanOrEqual(constant);
      // The reported threshold gives the reported accuracy.
      const right = d.filter(
        (di, i) => di <= r.bestThreshold === (y[i] === 0),
      ).length;
      expect(right / 30).toBe(r.bestAccuracy);
    }
  });
});

describe("verification input checks", () => {
  const all = [rocCurve, rocAuc, verificationReport];

  it("names a non-finite distance by its index", () => {
    for (const f of all) {
      expect(() => f([0.1, NaN, 0.3], [0, 1, 1])).toThrow(
        /distances\[1\]: expected finite, got NaN/,
      );
      expect(() => f([0.1, 0.2, -Infinity], [0, 1, 1])).toThrow(RangeError);
      expect(() => f([0.1, "2" as never], [0, 1])).toThrow(TypeError);
    }
  });

  it("accepts only labels 0 and 1, one per distance", () => {
    for (const f of all) {
      expect(() => f([0.1, 0.2, 0.3], [0, 2, 1])).toThrow(
        /y\[1\]: expected 0 \(genuine\) or 1 \(impostor\), got 2/,
      );
      expect(() => f([0.1, 0.2], [0, 1, 1])).toThrow(
        /y: expected 2 labels \(one per distance\), got 3/,
      );
      expect(() => f([0.1, 0.2], [0, true as never])).toThrow(RangeError);
      expect(() => f(undefined as never, [0, 1])).toThrow(TypeError);
      expect(() => f([0.1, 0.2], 1 as never)).toThrow(TypeError);
    }
  });

  it("needs at least one genuine and one impostor pair", () => {
    for (const f of all) {
      expect(() => f([0.1, 0.2], [0, 0])).toThrow(
        /at least one genuine \(0\) and one impostor \(1\) pair, got 2 genuine and 0 impostor/,
      );
      expect(() => f([0.1], [1])).toThrow(RangeError);
      expect(() => f([], [])).toThrow(RangeError);
    }
  });
});
