/**
 * Dense matrix products (issue 3): GEMM C = alpha op(A) op(B) + beta C,
 * with op(X) = X or X^T, matrix-vector products and rank-1 updates, in
 * float32 and float64. Reference: the BLAS routines xGEMM, xGEMV, xGER
 * (same semantics, including beta = 0 overwriting C without reading it).
 *
 * Dimension letters: op(A) is [m, k], op(B) is [k, n], C is [m, n]; every
 * matrix is row-major (see `Matrix`).
 *
 * Design (figures and the measurements behind it: lib/wasm/README.md):
 * products of at least SMALL_PRODUCT multiply-adds go to a WebAssembly
 * SIMD kernel (gemm-wasm.ts, kernels in lib/wasm/): operands are copied
 * into the module's memory, packed into panels per cache block and
 * multiplied by a 3 x 12 (float32) or 3 x 6 (float64) register tile with
 * fused multiply-add, about 25 / 12.5 GFLOP/s at 512^3 on one core here.
 * Smaller products stay in JavaScript loops, where the copies would cost
 * more than they save. With `threads: 2` large products split C between
 * the main thread and a worker sharing the same memory.
 *
 * Limits: no strides or views (whole matrices only); A, B and C must not
 * share storage with each other in a way that overlaps C.
 */
import { wasmGemm } from "./gemm-wasm";
import {
  checkOptionKeys,
  Matrix,
  checkFloatArray,
  checkMatrix,
  describeValue,
  type FloatArray,
} from "./tensor";

/** Options of `gemm`; every field is optional. */
export interface GemmOptions {
  /** Use A^T in place of A. Default false. */
  transA?: boolean;
  /** Use B^T in place of B. Default false. */
  transB?: boolean;
  /** Scale of the product op(A) op(B). Default 1. */
  alpha?: number;
  /** Scale of C's old value; 0 ignores it, even NaN. Default 0. */
  beta?: number;
  /** 1, or 2 to compute large products on two threads. Default 1. */
  threads?: number;
}

// Below this many multiply-adds (m n k) plain JavaScript beats copying
// into wasm memory; above THREAD_PRODUCT a second thread pays off.
const SMALL_PRODUCT = 8 ** 3;
const THREAD_PRODUCT = 96 ** 3;

/**
 * C = alpha op(A) op(B) + beta C, in place; returns C.
 *
 * A is `[m, k]` (or `[k, m]` with transA), B is `[k, n]` (or `[n, k]` with
 * transB), C is `[m, n]`, all row-major and of one dtype. Throws
 * `TypeError` on a wrong kind or mixed dtypes, `RangeError` on a shape
 * mismatch or an unsupported option.
 */
export function gemm(
  A: Matrix,
  B: Matrix,
  C: Matrix,
  options: GemmOptions = {},
): Matrix {
  const g = checkGemm(A, B, C, options);
  const { m, n, k } = g;
  if (m === 0 || n === 0) return C;

  if (k === 0 || g.alpha === 0) scale(C.data, g.beta);
  else if (m * n * k < SMALL_PRODUCT) gemmSmall(A.data, B.data, C.data, g);
  else {
    const threads = m * n * k >= THREAD_PRODUCT ? g.threads : 1;
    wasmGemm().run(g, A.data, B.data, C.data, threads);
  }
  return C;
}

/**
 * op(A) op(B) as a new matrix `[m, n]` of A's dtype (see `gemm` for the
 * shapes).
 */
export function matmul(
  A: Matrix,
  B: Matrix,
  options: Omit<GemmOptions, "alpha" | "beta"> = {},
): Matrix {
  checkMatrix("A", A);
  checkMatrix("B", B);
  const m = options?.transA ? A.cols : A.rows;
  const n = options?.transB ? B.rows : B.cols;
  return gemm(A, B, Matrix.zeros(m, n, A.dtype), options);
}

/**
 * The oracle for tests: `gemm` by a plain triple loop summing in float64
 * (the result is rounded once when C is float32). Same shapes, options and
 * checks as `gemm`; `threads` is accepted and ignored.
 */
export function gemmReference(
  A: Matrix,
  B: Matrix,
  C: Matrix,
  options: GemmOptions = {},
): Matrix {
  const { m, n, k, transA, transB, alpha, beta } = checkGemm(A, B, C, options);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A.data[p * m + i] : A.data[i * k + p];
        const b = transB ? B.data[j * k + p] : B.data[p * n + j];
        s += a * b;
      }
      const old = beta === 0 ? 0 : beta * C.data[i * n + j];
      C.data[i * n + j] = alpha * s + old;
    }
  }
  return C;
}

/** The checked dimensions and options of one GEMM call. */
interface GemmCall {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  threads: number;
}

/** C = alpha op(A) op(B) + beta C in JavaScript loops, for small sizes. */
function gemmSmall(
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  g: GemmCall,
): void {
  const { m, n, k, transA, transB, alpha, beta } = g;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    if (beta === 0) c.fill(0, row, row + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) c[row + j] *= beta;
    if (transB) {
      // op(B)[p, j] = B[j, p]: a dot product per element reads B by rows.
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += (transA ? a[p * m + i] : a[i * k + p]) * b[j * k + p];
        }
        c[row + j] += alpha * s;
      }
      continue;
    }
    // Otherwise add alpha a_ip times row p of B to row i of C.
    for (let p = 0; p < k; p++) {
      const s = alpha * (transA ? a[p * m + i] : a[i * k + p]);
      const bp = p * n;
      for (let j = 0; j < n; j++) c[row + j] += s * b[bp + j];
    }
  }
}

/** x = beta x; beta = 0 writes zeros even over NaN. */
function scale(x: FloatArray, beta: number): void {
  if (beta === 0) x.fill(0);
  else if (beta !== 1) for (let i = 0; i < x.length; i++) x[i] *= beta;
}

const GEMM_OPTIONS = ["transA", "transB", "alpha", "beta", "threads"];

/** Checks gemm's arguments; returns the dimensions and options. */
function checkGemm(
  A: Matrix,
  B: Matrix,
  C: Matrix,
  options: GemmOptions,
): GemmCall {
  checkMatrix("A", A);
  checkMatrix("B", B, undefined, undefined, A.dtype);
  checkMatrix("C", C, undefined, undefined, A.dtype);
  const o = checkOptions(options, GEMM_OPTIONS);
  const transA = flag("options.transA", o.transA);
  const transB = flag("options.transB", o.transB);
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kB = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (kB !== k) {
    throw new RangeError(
      `B: expected ${k} ${transB ? "columns" : "rows"} to match op(A) ` +
        `[${m}, ${k}], got shape [${B.rows}, ${B.cols}]`,
    );
  }
  checkMatrix("C", C, m, n);
  checkNoOverlap("C", C.data, "A", A.data);
  checkNoOverlap("C", C.data, "B", B.data);
  const threads = o.threads ?? 1;
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(
      `options.threads: expected 1 or 2, got ${describeValue(threads)} ` +
        `${String(threads)}`,
    );
  }
  return {
    m,
    n,
    k,
    transA,
    transB,
    alpha: num("options.alpha", o.alpha, 1),
    beta: num("options.beta", o.beta, 0),
    threads,
  };
}

/** Throws unless `options` is an object whose keys are all in `known`. */
function checkOptions<T extends object>(options: T, known: string[]): T {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options: expected an object, got ${describeValue(options)}`,
    );
  }
  checkOptionKeys("options", options, known);
  return options;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${name}: expected a boolean, got ${describeValue(value)}`,
    );
  }
  return value;
}

function num(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected a number, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Throws when `out` and `input` share overlapping storage. */
function checkNoOverlap(
  outName: string,
  out: FloatArray,
  inName: string,
  input: FloatArray,
): void {
  if (out.buffer !== input.buffer || out.length === 0 || input.length === 0) {
    return;
  }
  const outEnd = out.byteOffset + out.byteLength;
  const inEnd = input.byteOffset + input.byteLength;
  if (out.byteOffset < inEnd && input.byteOffset < outEnd) {
    throw new RangeError(
      `${outName}: must not share storage with ${inName} (the result ` +
        "would overwrite an operand)",
    );
  }
}

/**
 * y = alpha op(A) x + beta y, in place; returns y. A is `[m, n]` row-major;
 * without `trans` x is `[n]` and y `[m]`, with `trans` (op(A) = A^T) x is
 * `[m]` and y `[n]`. All of one dtype; beta = 0 (default) ignores y's old
 * values, alpha defaults to 1.
 */
export function matvec(
  A: Matrix,
  x: FloatArray,
  y: FloatArray,
  options: { trans?: boolean; alpha?: number; beta?: number } = {},
): FloatArray {
  checkMatrix("A", A);
  const o = checkOptions(options, ["trans", "alpha", "beta"]);
  const trans = flag("options.trans", o.trans);
  const alpha = num("options.alpha", o.alpha, 1);
  const beta = num("options.beta", o.beta, 0);
  const [m, n] = [A.rows, A.cols];
  checkFloatArray("x", x, trans ? m : n, A.dtype);
  checkFloatArray("y", y, trans ? n : m, A.dtype);
  checkNoOverlap("y", y, "x", x);
  checkNoOverlap("y", y, "A", A.data);

  const a = A.data;
  scale(y, beta);
  if (trans) {
    // y += alpha A^T x: add alpha x_i times row i of A, reading A by rows.
    for (let i = 0; i < m; i++) {
      const s = alpha * x[i];
      for (let j = 0; j < n; j++) y[j] += s * a[i * n + j];
    }
  } else {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
      y[i] += alpha * s;
    }
  }
  return y;
}

/**
 * Rank-1 update A += alpha x y^T, in place; returns A. A is `[m, n]`
 * row-major, x is `[m]`, y is `[n]`, all of one dtype.
 */
export function ger(
  alpha: number,
  x: FloatArray,
  y: FloatArray,
  A: Matrix,
): Matrix {
  if (typeof alpha !== "number") {
    throw new TypeError(
      `alpha: expected a number, got ${describeValue(alpha)}`,
    );
  }
  checkMatrix("A", A);
  checkFloatArray("x", x, A.rows, A.dtype);
  checkFloatArray("y", y, A.cols, A.dtype);
  checkNoOverlap("A", A.data, "x", x);
  checkNoOverlap("A", A.data, "y", y);
  const [m, n, a] = [A.rows, A.cols, A.data];
  for (let i = 0; i < m; i++) {
    const s = alpha * x[i];
    for (let j = 0; j < n; j++) a[i * n + j] += s * y[j];
  }
  return A;
}
