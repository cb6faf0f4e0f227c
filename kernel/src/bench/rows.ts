/**
 * The benchmark's rows: every case, ours and each peer's. This is the one
 * place to add a row. A model issue adds its own builder (an RBM epoch, say)
 * and one line to `buildRows`; a Python peer for it adds a task to the TASKS
 * table of kernel/bench-peers/bench.py. For example:
 *
 * ```ts
 * const SECONDS_PER_EPOCH: Unit = { label: "s/epoch", kind: "time", scale: 1 };
 * const info = { group: "RBM", name: "CD-1 epoch, 20000x784 -> 500",
 *   threads: 1, unit: SECONDS_PER_EPOCH, work: 1 };
 * rows.push(
 *   { ...info, implementation: "memnets", ours: true, kind: "js",
 *     setup: () => { const rbm = ...; return { run: () => rbm.epoch() }; } },
 *   { ...info, implementation: "sklearn", ours: false, kind: "python",
 *     task: { kind: "rbm_epoch", lib: "sklearn", dtype: "float64" } },
 * );
 * ```
 *
 * GEMM cases are C = op(A) op(B) with A [m, k] (stored [k, m] when
 * transposed), B [k, n] (stored [n, k] when transposed), C [m, n], all
 * row-major; one run costs 2 m k n flops.
 */
import {
  bernoulli,
  gemm,
  Matrix,
  Random,
  sigmoid,
  type DType,
  type FloatArray,
} from "memnets";
import { loadMathjs, tfjsWith } from "./js-peers.js";
import { lstmRows } from "./rows-lstm.js";
import { rbmRows } from "./rows-models.js";
import { rnnRows } from "./rows-rnn.js";
import {
  GFLOPS,
  MVALUES,
  type PythonRow,
  type Row,
  type RowInfo,
  type SkippedRow,
} from "./types.js";

export interface GemmCase {
  /** Shown as the case name: "[100x784]x[784x500]" (op(A) x op(B)). */
  name: string;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  /** Large enough for a second thread to pay: adds the 2-thread rows. */
  bothCores?: boolean;
  /** Where the model uses it, for the note. */
  use: string;
}

const shape = (m: number, k: number, n: number) => `[${m}x${k}]x[${k}x${n}]`;

function gemmCase(
  m: number,
  k: number,
  n: number,
  use: string,
  extra: Partial<GemmCase> = {},
): GemmCase {
  const op = extra.transA ? " A^T B" : extra.transB ? " A B^T" : "";
  return { name: shape(m, k, n) + op, m, k, n, use, ...extra };
}

/** GEMM cases of the full run: 512^3 and the models' shapes. */
export const GEMM_CASES: readonly GemmCase[] = [
  gemmCase(512, 512, 512, "square reference", { bothCores: true }),
  gemmCase(100, 784, 500, "RBM v W (batch 100)", { bothCores: true }),
  gemmCase(784, 100, 500, "RBM CD gradient v^T h", {
    transA: true,
    bothCores: true,
  }),
  gemmCase(100, 500, 784, "RBM reconstruction h W^T", {
    transB: true,
    bothCores: true,
  }),
  gemmCase(32, 384, 512, "LSTM gates [x, h] W (H=128)"),
  gemmCase(32, 128, 65, "char RNN output layer"),
];

/** GEMM cases of the quick run: smaller and fewer, same code path. */
export const QUICK_GEMM_CASES: readonly GemmCase[] = [
  gemmCase(256, 256, 256, "square reference", { bothCores: true }),
  gemmCase(784, 100, 500, "RBM CD gradient v^T h", {
    transA: true,
    bothCores: true,
  }),
  gemmCase(32, 128, 65, "char RNN output layer"),
];

/** mathjs is run only up to this many flops per call: it is slow. */
const MATHJS_MAX_FLOPS = 2e7;

const DTYPES: readonly DType[] = ["float32", "float64"];

/** Seeded uniform values in [lo, hi). */
function filled(
  length: number,
  dtype: DType,
  random: Random,
  lo = 0,
  hi = 1,
): FloatArray {
  const out =
    dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * random.uniform();
  return out;
}

/** Inputs of a GEMM case as stored (A [k, m] when transA, ...). */
function gemmInputs(c: GemmCase, dtype: DType) {
  const random = new Random(2024);
  const [ar, ac] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [br, bc] = c.transB ? [c.n, c.k] : [c.k, c.n];
  return {
    A: new Matrix(ar, ac, filled(ar * ac, dtype, random)),
    B: new Matrix(br, bc, filled(br * bc, dtype, random)),
  };
}

function gemmInfo(
  c: GemmCase,
  dtype: DType,
  implementation: string,
  threads: number,
): RowInfo {
  return {
    group: `GEMM ${dtype}`,
    name: c.name,
    implementation,
    threads,
    unit: GFLOPS,
    work: 2 * c.m * c.k * c.n,
    ours: implementation === "memnets",
  };
}

function ourGemm(c: GemmCase, dtype: DType, threads: number): Row {
  return {
    ...gemmInfo(c, dtype, "memnets", threads),
    kind: "js",
    note: c.use,
    setup: () => {
      const { A, B } = gemmInputs(c, dtype);
      const C = Matrix.zeros(c.m, c.n, dtype);
      const options = { transA: c.transA, transB: c.transB, threads };
      return { run: () => gemm(A, B, C, options) };
    },
  };
}

function tfjsGemm(c: GemmCase, backend: "cpu" | "wasm"): Row {
  return {
    ...gemmInfo(c, "float32", `tfjs-${backend}`, 1),
    kind: "js",
    note: "tf.matMul + dataSync (result read back each run)",
    setup: async () => {
      const tf = await tfjsWith(backend);
      const { A, B } = gemmInputs(c, "float32");
      const a = tf.tensor2d(
        A.data as Float32Array,
        [A.rows, A.cols],
        "float32",
      );
      const b = tf.tensor2d(
        B.data as Float32Array,
        [B.rows, B.cols],
        "float32",
      );
      const transA = c.transA ?? false;
      const transB = c.transB ?? false;
      return {
        run: () => {
          const product = tf.matMul(a, b, transA, transB);
          product.dataSync();
          product.dispose();
        },
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

function mathjsGemm(c: GemmCase): Row {
  return {
    ...gemmInfo(c, "float64", "mathjs", 1),
    kind: "js",
    note: "math.multiply on number[][]",
    policy: { warmupRuns: 1, repeats: 5, minRepeats: 3, maxSeconds: 1.5 },
    setup: async () => {
      const math = await loadMathjs();
      const { A, B } = gemmInputs(c, "float64");
      const toRows = (X: Matrix) =>
        Array.from({ length: X.rows }, (_, i) => Array.from(X.row(i)));
      const a = toRows(A);
      const b = toRows(B);
      return { run: () => math.multiply(a, b) };
    },
  };
}

function pythonGemm(
  c: GemmCase,
  dtype: DType,
  lib: "numpy" | "torch",
  threads: number,
): PythonRow {
  const { m, k, n, transA = false, transB = false } = c;
  return {
    ...gemmInfo(c, dtype, lib, threads),
    kind: "python",
    task: { kind: "gemm", lib, m, k, n, transA, transB, dtype },
  };
}

/** Every implementation of one GEMM case in one dtype. */
function gemmRows(c: GemmCase, dtype: DType): Row[] {
  const threadCounts = c.bothCores ? [1, 2] : [1];
  const rows: Row[] = [];
  for (const t of threadCounts) rows.push(ourGemm(c, dtype, t));
  for (const lib of ["numpy", "torch"] as const) {
    for (const t of threadCounts) rows.push(pythonGemm(c, dtype, lib, t));
  }
  if (dtype === "float32") {
    rows.push(tfjsGemm(c, "wasm"), tfjsGemm(c, "cpu"));
  } else if (
    !c.transA &&
    !c.transB &&
    2 * c.m * c.k * c.n <= MATHJS_MAX_FLOPS
  ) {
    rows.push(mathjsGemm(c));
  }
  return rows;
}

type Kernel = "sigmoid" | "bernoulli";

function elementwiseInfo(
  kernel: Kernel,
  n: number,
  dtype: DType,
  implementation: string,
): RowInfo {
  return {
    group: `elementwise ${dtype}`,
    name: `${kernel} over ${n.toExponential(0).replace("+", "")}`,
    implementation,
    threads: 1,
    unit: MVALUES,
    work: n,
    ours: implementation === "memnets",
  };
}

function ourElementwise(kernel: Kernel, n: number, dtype: DType): Row {
  return {
    ...elementwiseInfo(kernel, n, dtype, "memnets"),
    kind: "js",
    setup: () => {
      const random = new Random(7);
      const out = filled(n, dtype, random);
      if (kernel === "sigmoid") {
        const x = filled(n, dtype, random, -8, 8);
        return { run: () => sigmoid(x, out) };
      }
      const p = filled(n, dtype, random);
      return { run: () => bernoulli(p, random, out) };
    },
  };
}

function pythonElementwise(
  kernel: Kernel,
  n: number,
  dtype: DType,
  lib: "numpy" | "torch",
): PythonRow {
  return {
    ...elementwiseInfo(kernel, n, dtype, lib),
    kind: "python",
    task: { kind: kernel, lib, n, dtype },
  };
}

function elementwiseRows(n: number, dtype: DType): Row[] {
  return (["sigmoid", "bernoulli"] as const).flatMap((kernel) => [
    ourElementwise(kernel, n, dtype),
    pythonElementwise(kernel, n, dtype, "numpy"),
    pythonElementwise(kernel, n, dtype, "torch"),
  ]);
}

/** All rows of a run, in table order. Add new rows here. */
export function buildRows(options: { quick: boolean }): Row[] {
  const cases = options.quick ? QUICK_GEMM_CASES : GEMM_CASES;
  const values = options.quick ? 1e5 : 1e6;
  return [
    ...DTYPES.flatMap((dtype) => cases.flatMap((c) => gemmRows(c, dtype))),
    ...DTYPES.flatMap((dtype) => elementwiseRows(values, dtype)),
    ...rbmRows(options.quick),
    ...rnnRows(options.quick),
    ...lstmRows(options.quick),
  ];
}

/** The same row, marked skipped with `reason` (for --no-peers). */
export function skipRow(row: Row, reason: string): SkippedRow {
  const { group, name, implementation, threads, unit, work, ours, note } = row;
  const info = { group, name, implementation, threads, unit, work, ours };
  return { ...info, note, kind: "skipped", reason };
}
