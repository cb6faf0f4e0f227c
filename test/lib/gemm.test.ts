// GEMM, matvec and ger against plain float64 loops (issue 3). The wasm
// module must be built first (`npm run build` or `node lib/wasm/build.mjs`).
import { describe, expect, it } from "vitest";
import {
  gemm,
  gemmReference,
  ger,
  matmul,
  matvec,
  type GemmOptions,
} from "../../lib/src/gemm.js";
import { wasmGemm, wasmMemoryBytes } from "../../lib/src/gemm-wasm.js";
import { Random } from "../../lib/src/random.js";
import { Matrix, type DType } from "../../lib/src/tensor.js";

const EPS: Record<DType, number> = {
  float32: 2 ** -24,
  float64: 2 ** -53,
};

function randomMatrix(
  random: Random,
  rows: number,
  cols: number,
  dtype: DType,
): Matrix {
  const M = Matrix.zeros(rows, cols, dtype);
  for (let i = 0; i < M.data.length; i++) M.data[i] = random.normal();
  return M;
}

/**
 * Largest error of `C` against the float64 reference, relative to the
 * textbook bound for a k-term dot product: |error| <= (k + 2) u (|alpha|
 * (|op(A)| |op(B)|) + |beta C0|), u the unit roundoff of the dtype. Returns
 * max error / bound, which must stay <= 1 (summation orders differ, so
 * results are not bit for bit equal).
 */
function errorToBound(
  A: Matrix,
  B: Matrix,
  C0: Matrix,
  C: Matrix,
  options: GemmOptions,
): number {
  const [A64, B64] = [A.toDType("float64"), B.toDType("float64")];
  const expected = gemmReference(A64, B64, C0.toDType("float64"), options);
  const absA = absMatrix(A64);
  const absB = absMatrix(B64);
  const absC0 = absMatrix(C0.toDType("float64"));
  const magnitude = gemmReference(absA, absB, absC0, {
    ...options,
    alpha: Math.abs(options.alpha ?? 1),
    beta: Math.abs(options.beta ?? 0),
  });
  const k = options.transA ? A.rows : A.cols;
  const u = EPS[C.dtype];
  let worst = 0;
  for (let i = 0; i < C.data.length; i++) {
    const error = Math.abs(C.data[i] - expected.data[i]);
    // The floor covers results that are exactly zero in the reference.
    const bound = (k + 2) * u * magnitude.data[i] + 1e-300;
    worst = Math.max(worst, error / bound);
  }
  return worst;
}

function absMatrix(M: Matrix): Matrix {
  const out = M.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.abs(out.data[i]);
  return out;
}

/** Random operands for op(A) [m, k], op(B) [k, n] and C [m, n]. */
function operands(
  m: number,
  n: number,
  k: number,
  dtype: DType,
  options: GemmOptions,
  seed = 1,
): [Matrix, Matrix, Matrix] {
  const random = new Random(seed);
  const A = options.transA
    ? randomMatrix(random, k, m, dtype)
    : randomMatrix(random, m, k, dtype);
  const B = options.transB
    ? randomMatrix(random, n, k, dtype)
    : randomMatrix(random, k, n, dtype);
  return [A, B, randomMatrix(random, m, n, dtype)];
}

// [m, n, k]: single rows and columns, k = 1, sizes around the tile (3 x 12
// float32, 3 x 6 float64) and the cache blocks (KC 256, MC 144, NC 1020),
// and the model shapes.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 19],
  [37, 1, 19],
  [23, 29, 1],
  [3, 12, 8],
  [4, 13, 255],
  [5, 11, 256],
  [7, 25, 257],
  [143, 7, 20],
  [145, 14, 31],
  [2, 1021, 9],
  [2, 1025, 5],
  [61, 47, 300],
  [32, 65, 128],
];

describe("gemm", () => {
  it("names the limit when the operands do not fit in wasm memory", () => {
    // Past wasm32's 4 GiB the engine's own error named nothing; the check
    // runs before any copy, so asking for the room is enough to test it.
    expect(() => wasmGemm().reserve(5 * 2 ** 30)).toThrow(
      /need 5368709120 bytes of wasm memory, more than its limit/,
    );
  });

  for (const dtype of ["float32", "float64"] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const options = { transA, transB, alpha: 1.5, beta: -0.5 };
        it(`matches the float64 reference within (k + 2) u: ${dtype}, ${JSON.stringify({ transA, transB })}`, () => {
          for (const [m, n, k] of SHAPES) {
            const [A, B, C0] = operands(m, n, k, dtype, options);
            const C = gemm(A, B, C0.clone(), options);
            const ratio = errorToBound(A, B, C0, C, options);
            expect(ratio, `shape m=${m} n=${n} k=${k}`).toBeLessThanOrEqual(1);
          }
        });
      }
    }

    it(`matches the reference on the RBM shapes and their transposes (${dtype})`, () => {
      // v W, h W^T and v^T h for a batch of 100, 784 visible, 500 hidden.
      const cases: [number, number, number, GemmOptions][] = [
        [100, 500, 784, {}],
        [100, 784, 500, { transB: true }],
        [784, 500, 100, { transA: true, beta: 1 }],
      ];
      for (const [m, n, k, options] of cases) {
        const [A, B, C0] = operands(m, n, k, dtype, options, 7);
        for (const threads of [1, 2]) {
          const C = gemm(A, B, C0.clone(), { ...options, threads });
          const ratio = errorToBound(A, B, C0, C, options);
          expect(
            ratio,
            `m=${m} n=${n} k=${k} threads=${threads}`,
          ).toBeLessThanOrEqual(1);
        }
      }
    });

    it(`gives the same bits with two threads as with one (${dtype})`, () => {
      // Split by columns (n >= m) and by rows (m > n); each element is
      // summed in the same order by either thread.
      for (const [m, n, k] of [
        [97, 203, 130],
        [203, 97, 130],
        [3, 2000, 200],
      ]) {
        for (const options of [{}, { transA: true, transB: true, beta: 2 }]) {
          const [A, B, C0] = operands(m, n, k, dtype, options, 3);
          const one = gemm(A, B, C0.clone(), { ...options, threads: 1 });
          const two = gemm(A, B, C0.clone(), { ...options, threads: 2 });
          expect(Array.from(two.data)).toEqual(Array.from(one.data));
          expect(errorToBound(A, B, C0, two, options)).toBeLessThanOrEqual(1);
        }
      }
    });

    it(`ignores NaN in C when beta = 0, on every path (${dtype})`, () => {
      // Small (JavaScript), wasm, k = 0 and alpha = 0.
      for (const [m, n, k, alpha] of [
        [2, 3, 4, 1],
        [30, 40, 50, 2],
        [5, 6, 0, 1],
        [5, 6, 7, 0],
      ]) {
        const [A, B] = operands(m, n, k, dtype, {});
        const C = Matrix.zeros(m, n, dtype);
        C.data.fill(NaN);
        gemm(A, B, C, { alpha });
        const C0 = Matrix.zeros(m, n, dtype);
        expect(C.data.every(Number.isFinite), `m=${m} n=${n} k=${k}`).toBe(
          true,
        );
        expect(errorToBound(A, B, C0, C, { alpha })).toBeLessThanOrEqual(1);
      }
    });
  }

  it("scales C by beta when k = 0 and leaves empty products alone", () => {
    const C = Matrix.fromRows([[1, -2]]);
    gemm(Matrix.zeros(1, 0), Matrix.zeros(0, 2), C, { beta: 3 });
    expect(C.toArray()).toEqual([[3, -6]]);
    const empty = Matrix.zeros(0, 4);
    expect(gemm(Matrix.zeros(0, 3), Matrix.zeros(3, 4), empty)).toBe(empty);
  });

  it("computes a product worked by hand", () => {
    const A = Matrix.fromRows([
      [1, 2],
      [3, 4],
    ]);
    const B = Matrix.fromRows([
      [5, 6],
      [7, 8],
    ]);
    expect(matmul(A, B).toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(matmul(A, B, { transA: true }).toArray()).toEqual([
      [26, 30],
      [38, 44],
    ]);
  });

  it("throws on bad input, naming the argument", () => {
    const A = Matrix.zeros(2, 3);
    const B = Matrix.zeros(3, 4);
    const C = Matrix.zeros(2, 4);
    const f32 = Matrix.zeros(3, 4, "float32");
    expect(() => gemm(A, f32, C)).toThrow(TypeError);
    expect(() => gemm(A, f32, C)).toThrow(/^B: expected float64/);
    expect(() => gemm(A, B, Matrix.zeros(2, 4, "float32"))).toThrow(/^C:/);
    expect(() => gemm(A, A, C)).toThrow(RangeError);
    expect(() => gemm(A, A, C)).toThrow(/^B: expected 3 rows/);
    expect(() => gemm(A, B, Matrix.zeros(4, 2))).toThrow(
      /^C: expected shape \[2, 4\]/,
    );
    expect(() => gemm(A, B, C, { threads: 3 })).toThrow(/^options.threads/);
    expect(() => gemm(A, B, C, { threads: 3 })).toThrow(RangeError);
    expect(() => gemm(A, B, C, { transA: 1 as unknown as boolean })).toThrow(
      TypeError,
    );
    const unknown = { trans: true } as unknown as GemmOptions;
    expect(() => gemm(A, B, C, unknown)).toThrow(/unsupported option "trans"/);
    expect(() => gemm([] as unknown as Matrix, B, C)).toThrow(
      /^A: expected a Matrix/,
    );
    const square = Matrix.zeros(3, 3);
    expect(() => gemm(square, square, square)).toThrow(/^C: must not share/);
  });

  it("stops growing wasm memory once the largest product fits", () => {
    const [A, B, C] = operands(200, 300, 250, "float64", {});
    gemm(A, B, C, { threads: 2 });
    const bytes = wasmMemoryBytes();
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) {
      gemm(A, B, C, { threads: 1 + (i % 2), beta: 0.5 });
      const [a, b, c] = operands(50 + i, 60, 70, "float32", { transA: true });
      gemm(a, b, c, { transA: true });
    }
    expect(wasmMemoryBytes()).toBe(bytes);
  });
});

describe("matvec", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`matches gemm's reference with and without trans (${dtype})`, () => {
      const random = new Random(5);
      const A = randomMatrix(random, 17, 29, dtype);
      for (const trans of [false, true]) {
        const [nx, ny] = trans ? [17, 29] : [29, 17];
        const x = randomMatrix(random, nx, 1, dtype);
        const y0 = randomMatrix(random, ny, 1, dtype);
        const y = matvec(A, x.data, y0.data.slice(), {
          trans,
          alpha: 2,
          beta: -1,
        });
        const options = { transA: trans, alpha: 2, beta: -1 };
        const C = new Matrix(ny, 1, y);
        expect(errorToBound(A, x, y0, C, options)).toBeLessThanOrEqual(1);
      }
    });
  }

  it("throws on a wrong vector length or dtype, naming it", () => {
    const A = Matrix.zeros(2, 3);
    expect(() => matvec(A, new Float64Array(2), new Float64Array(2))).toThrow(
      /^x: expected length 3/,
    );
    expect(() => matvec(A, new Float64Array(3), new Float32Array(2))).toThrow(
      /^y: expected float64/,
    );
  });
});

describe("ger", () => {
  it("adds alpha x y^T to A", () => {
    const A = Matrix.fromRows([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    ger(2, Float64Array.of(1, -1), Float64Array.of(1, 2, 3), A);
    expect(A.toArray()).toEqual([
      [3, 4, 6],
      [-2, -3, -6],
    ]);
  });

  it("throws on a wrong vector length, naming it", () => {
    const A = Matrix.zeros(2, 3, "float32");
    expect(() => ger(1, new Float32Array(2), new Float32Array(2), A)).toThrow(
      /^y: expected length 3/,
    );
  });
});
