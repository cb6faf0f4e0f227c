import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { gradCheck } from "../../lib/src/gradcheck.js";
import { Random } from "../../lib/src/random.js";
import {
  energy,
  freeEnergy,
  hiddenProbs,
  visibleProbs,
  type RBMParams,
} from "../../lib/src/rbm-energy.js";
import {
  enumerateStates,
  exactGradient,
  exactLogLikelihood,
  exactLogPartition,
} from "../../lib/src/rbm-exact.js";
import { Matrix } from "../../lib/src/tensor.js";

const here = dirname(fileURLToPath(import.meta.url));

interface RBMFixture {
  W: number[][];
  a: number[];
  b: number[];
  logZ: number;
  free_energy_all_v: number[];
  data: number[][];
  mean_log_likelihood: number;
  p_h_given_data: number[][];
  hidden: number[][];
  p_v_given_hidden: number[][];
  exact_grad_W: number[][];
  exact_grad_a: number[];
  exact_grad_b: number[];
}

/** NumPy golden values; provenance in test/fixtures/README.md. */
const golden = JSON.parse(
  readFileSync(join(here, "../fixtures/rbm.json"), "utf8"),
) as RBMFixture;

const model: RBMParams = {
  W: Matrix.fromRows(golden.W),
  a: Float64Array.from(golden.a),
  b: Float64Array.from(golden.b),
};
const data = Matrix.fromRows(golden.data);

/**
 * Largest excess error of `actual` over `expected` (the tolerance being
 * max(1e-9 |expected|, 1e-12)), as a ratio: <= 1 passes. Reports where.
 */
function closeness(actual: ArrayLike<number>, expected: number[]) {
  expect(actual.length).toBe(expected.length);
  let worst = { ratio: 0, index: -1, actual: NaN, expected: NaN };
  for (let i = 0; i < expected.length; i++) {
    const tol = Math.max(1e-9 * Math.abs(expected[i]), 1e-12);
    const ratio = Math.abs(actual[i] - expected[i]) / tol;
    if (!(ratio <= worst.ratio)) {
      worst = { ratio, index: i, actual: actual[i], expected: expected[i] };
    }
  }
  return worst;
}

function expectClose(actual: ArrayLike<number>, expected: number[]) {
  const worst = closeness(actual, expected);
  expect(worst.ratio, JSON.stringify(worst)).toBeLessThanOrEqual(1);
}

function randomModel(nV: number, nH: number, seed: number, std = 0.7) {
  const random = new Random(seed);
  const W = Matrix.zeros(nV, nH);
  for (let k = 0; k < W.data.length; k++) W.data[k] = random.normal(0, std);
  const a = Float64Array.from({ length: nV }, () => random.normal(0, 0.5));
  const b = Float64Array.from({ length: nH }, () => random.normal(0, 0.5));
  return { W, a, b };
}

function logSumExp(x: ArrayLike<number>): number {
  const m = Math.max(...Array.from(x));
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

describe("exact RBM quantities match rbm.json (NumPy)", () => {
  it("log Z, enumerating either layer", () => {
    for (const side of ["smaller", "visible", "hidden"] as const) {
      expectClose([exactLogPartition(model, { side })], [golden.logZ]);
    }
  });

  it("free energies of all 64 visible states in counting order", () => {
    const states = enumerateStates(6);
    expectClose(freeEnergy(model, states), golden.free_energy_all_v);
    const logP = exactLogLikelihood(model, states);
    const expected = golden.free_energy_all_v.map((f) => -f - golden.logZ);
    expectClose(logP, expected);
  });

  it("conditionals P(h | data) and P(v | hidden)", () => {
    expectClose(hiddenProbs(model, data).data, golden.p_h_given_data.flat());
    const H = Matrix.fromRows(golden.hidden);
    expectClose(visibleProbs(model, H).data, golden.p_v_given_hidden.flat());
  });

  it("mean log-likelihood of the data", () => {
    const logP = exactLogLikelihood(model, data);
    const mean = logP.reduce((s, x) => s + x, 0) / logP.length;
    expectClose([mean], [golden.mean_log_likelihood]);
    const grad = exactGradient(model, data);
    expectClose([grad.meanLogLikelihood], [golden.mean_log_likelihood]);
    expectClose([grad.logZ], [golden.logZ]);
  });

  it("exact gradient of W, a and b, enumerating either layer", () => {
    for (const side of ["visible", "hidden"] as const) {
      const grad = exactGradient(model, data, { side });
      expectClose(grad.W, golden.exact_grad_W.flat());
      expectClose(grad.a, golden.exact_grad_a);
      expectClose(grad.b, golden.exact_grad_b);
    }
  });
});

describe("enumerateStates", () => {
  it("counts in binary with the first unit most significant", () => {
    expect(enumerateStates(3).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0, 1, 1],
      [1, 0, 0],
      [1, 0, 1],
      [1, 1, 0],
      [1, 1, 1],
    ]);
  });

  it("gives any window of the sequence, in either dtype", () => {
    const part = enumerateStates(10, {
      start: 700,
      count: 3,
      dtype: "float32",
    });
    expect(part.dtype).toBe("float32");
    expect(part.toArray()).toEqual(
      [700, 701, 702].map((x) =>
        x.toString(2).padStart(10, "0").split("").map(Number),
      ),
    );
    expect(enumerateStates(0).shape).toEqual([1, 0]);
  });

  it("rejects bad sizes and windows", () => {
    expect(() => enumerateStates(-1)).toThrow(RangeError);
    expect(() => enumerateStates(31)).toThrow(/n: expected at most 30/);
    expect(() => enumerateStates(3, { start: 9 })).toThrow(/options\.start/);
    expect(() => enumerateStates(3, { start: 4, count: 5 })).toThrow(
      /options\.count: expected at most 4/,
    );
    expect(() => enumerateStates(29)).toThrow(/in chunks/);
    expect(() =>
      enumerateStates(3, { stride: 2 } as unknown as { start: number }),
    ).toThrow(/unsupported option "stride"/);
    expect(() => enumerateStates(3, null as unknown as object)).toThrow(
      new TypeError("options: expected an object, got null"),
    );
  });
});

describe("exactLogPartition", () => {
  it("equals log-sum-exp of -E(v, h) over every joint state", () => {
    const params = randomModel(5, 4, 1, 1.2);
    const V = enumerateStates(5);
    const H = enumerateStates(4);
    const negE: number[] = [];
    for (let r = 0; r < V.rows; r++) {
      const Vr = new Matrix(H.rows, 5);
      for (let s = 0; s < H.rows; s++) Vr.row(s).set(V.row(r));
      negE.push(...Array.from(energy(params, Vr, H), (e) => -e));
    }
    const brute = logSumExp(negE);
    expect(Math.abs(exactLogPartition(params) - brute)).toBeLessThan(
      1e-12 * Math.abs(brute),
    );
  });

  it("is the same from either layer when V < H and when V > H", () => {
    // 12 x 14: the hidden side takes four chunks (2^14 states), whose
    // running maxima differ, so the rescaling of the sum is exercised.
    for (const [nV, nH] of [
      [12, 14],
      [14, 12],
      [3, 9],
    ]) {
      const params = randomModel(nV, nH, nV * 100 + nH, 1.5);
      const fromV = exactLogPartition(params, { side: "visible" });
      const fromH = exactLogPartition(params, { side: "hidden" });
      expect(Math.abs(fromV - fromH)).toBeLessThan(1e-12 * Math.abs(fromV));
      expect(exactLogPartition(params)).toBe(nV < nH ? fromV : fromH);
    }
  });

  it("matches the closed form of W = 0 with biases of +-1000", () => {
    const W = Matrix.zeros(4, 3);
    const a = Float64Array.from([1000, -1000, 0, 3]);
    const b = Float64Array.from([-1000, 1000, 0.5]);
    const softplus = (x: number) =>
      Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const expected = [...a, ...b].reduce((s, x) => s + softplus(x), 0);
    for (const side of ["visible", "hidden"] as const) {
      const logZ = exactLogPartition({ W, a, b }, { side });
      expect(Math.abs(logZ - expected)).toBeLessThan(1e-12 * expected);
    }
  });

  it("stays finite and normalised with fields of +-1000", () => {
    const params = randomModel(8, 6, 5, 300);
    params.a[0] = 1000;
    params.b[1] = -1000;
    const logZ = exactLogPartition(params);
    expect(Number.isFinite(logZ)).toBe(true);
    const logP = exactLogLikelihood(params, enumerateStates(8), logZ);
    expect(logP.every((x) => Number.isFinite(x) && x <= 1e-12)).toBe(true);
    // The probabilities of all 2^8 states sum to one.
    expect(Math.abs(logSumExp(logP))).toBeLessThan(1e-12);
    const grad = exactGradient(params, enumerateStates(8, { count: 5 }));
    expect([...grad.W, ...grad.a, ...grad.b].every(Number.isFinite)).toBe(true);
  });

  it("works in float64 on float32 parameters", () => {
    const params64 = randomModel(6, 5, 8);
    const params32 = {
      W: params64.W.toDType("float32"),
      a: Float32Array.from(params64.a),
      b: Float32Array.from(params64.b),
    };
    const rounded = {
      W: params32.W.toDType("float64"),
      a: Float64Array.from(params32.a),
      b: Float64Array.from(params32.b),
    };
    expect(exactLogPartition(params32)).toBe(exactLogPartition(rounded));
  });

  it("refuses a layer wider than maxUnits, naming the option", () => {
    const wide = randomModel(30, 26, 3, 0.1);
    expect(() => exactLogPartition(wide)).toThrow(RangeError);
    expect(() => exactLogPartition(wide)).toThrow(
      /2\^26 states, above options\.maxUnits = 25/,
    );
    expect(() => exactLogPartition(model, { maxUnits: 3 })).toThrow(
      /options\.maxUnits = 3/,
    );
    expect(() =>
      exactGradient(model, data, { side: "visible", maxUnits: 5 }),
    ).toThrow(/visible layer means 2\^6 states/);
    expect(() => exactLogPartition(model, { maxUnits: 31 })).toThrow(
      /options\.maxUnits: expected at most 30/,
    );
  });

  it("rejects bad options and parameters", () => {
    expect(() =>
      exactLogPartition(model, { side: "left" as "visible" }),
    ).toThrow(/options\.side/);
    expect(() =>
      exactLogPartition(model, { max: 3 } as unknown as { maxUnits: number }),
    ).toThrow(/unsupported option "max"/);
    const bad = randomModel(3, 2, 1);
    bad.W.data[4] = NaN;
    expect(() => exactLogPartition(bad)).toThrow(/params\.W\[4\]/);
    expect(() => exactLogPartition({ W: model.W } as RBMParams)).toThrow(
      TypeError,
    );
  });
});

describe("exactLogLikelihood and exactGradient", () => {
  it("gradient agrees with central differences of the mean log p(v)", () => {
    const cases = [
      { params: model, V: data },
      {
        params: randomModel(7, 5, 21, 1),
        V: enumerateStates(7, { count: 40, start: 50 }),
      },
    ];
    for (const { params, V } of cases) {
      const [nV, nH] = [params.W.rows, params.W.cols];
      const theta = Float64Array.from([
        ...params.W.data,
        ...params.a,
        ...params.b,
      ]);
      const f = (t: Float64Array) => {
        const p = {
          W: new Matrix(nV, nH, t.subarray(0, nV * nH)),
          a: t.subarray(nV * nH, nV * nH + nV),
          b: t.subarray(nV * nH + nV),
        };
        const logP = exactLogLikelihood(p, V);
        return logP.reduce((s, x) => s + x, 0) / logP.length;
      };
      const g = exactGradient(params, V);
      const analytic = [...g.W, ...g.a, ...g.b];
      const result = gradCheck(f, theta, analytic, {
        eps: 1e-5,
        floor: 1e-3,
        tolerance: 1e-7,
      });
      expect(result.maxRelError, JSON.stringify(result)).toBeLessThan(1e-7);
    }
  });

  it("rejects data that are not binary rows of the right width", () => {
    const half = data.clone();
    half.set(2, 3, 0.5);
    expect(() => exactLogLikelihood(model, half)).toThrow(
      /V\[2, 3\]: expected a binary state \(0 or 1\), got 0.5/,
    );
    expect(() => exactGradient(model, half)).toThrow(RangeError);
    expect(() => exactLogLikelihood(model, Matrix.zeros(2, 5))).toThrow(
      /V: expected shape \[any, 6\]/,
    );
    expect(() => exactGradient(model, Matrix.zeros(0, 6))).toThrow(
      /at least one row/,
    );
    expect(() => exactLogLikelihood(model, data, NaN)).toThrow(/logZ/);
  });
});
