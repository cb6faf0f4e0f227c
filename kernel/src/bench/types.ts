/**
 * Shared shapes of the benchmark (`npm run bench`): what a row is, how its
 * figure is read from timings, how often it is repeated, and what a
 * measured row looks like in `reports/bench.json`.
 *
 * A row is one implementation on one case: "memnets, 2 threads, GEMM
 * float32 [100x784]x[784x500]". Rows with the same group and case name are
 * compared with each other; rows marked `ours` are the library's.
 */

/** How a row's figure is read from the seconds one run takes. */
export interface Unit {
  /** Printed after the figure: "GFLOP/s", "Mvalues/s", "s/epoch". */
  label: string;
  /**
   * "rate": work / seconds / scale, higher is better (GFLOP/s).
   * "time": seconds / work * scale, lower is better (s/epoch).
   */
  kind: "rate" | "time";
  scale: number;
}

export const GFLOPS: Unit = { label: "GFLOP/s", kind: "rate", scale: 1e9 };
export const MVALUES: Unit = { label: "Mvalues/s", kind: "rate", scale: 1e6 };

/** How many times a row runs; the Python peer follows the same policy. */
export interface RepeatPolicy {
  /** Untimed calls before the first sample (JIT, caches, thread pools). */
  warmupRuns: number;
  /** Samples wanted. */
  repeats: number;
  /** Samples always taken, even past `maxSeconds`. */
  minRepeats: number;
  /**
   * A sample times enough back-to-back calls to last at least this long,
   * so the clock's resolution does not dominate small kernels.
   */
  minSampleSeconds: number;
  /** Time budget for one row's samples (and a quarter of it for warm-up). */
  maxSeconds: number;
}

export const FULL_POLICY: RepeatPolicy = {
  warmupRuns: 3,
  repeats: 15,
  minRepeats: 5,
  minSampleSeconds: 0.02,
  maxSeconds: 3,
};

export const QUICK_POLICY: RepeatPolicy = {
  warmupRuns: 1,
  repeats: 5,
  minRepeats: 3,
  minSampleSeconds: 0.005,
  maxSeconds: 0.4,
};

/** One prepared run: `run` is timed; `dispose` frees what setup made. */
export interface Runner {
  run: () => unknown;
  dispose?: () => void;
}

/** What every row states, wherever it runs. */
export interface RowInfo {
  /** Rows are grouped in the table and the chart: "GEMM float32". */
  group: string;
  /** The case inside the group: "[100x784]x[784x500]". */
  name: string;
  /** "memnets", "numpy", "torch", "tfjs-wasm", "tfjs-cpu", "mathjs". */
  implementation: string;
  /** Threads the implementation may use: 1 or 2 (both cores here). */
  threads: number;
  unit: Unit;
  /** Units of work per run (flops for GEMM, values for elementwise). */
  work: number;
  /** True for the library's own rows; the rest are peers. */
  ours: boolean;
  /** Shown beside the row: what was timed, caveats. */
  note?: string;
  /** Per-row changes to the repeat policy (a slow peer's budget). */
  policy?: Partial<RepeatPolicy>;
}

/** A row timed in this process. */
export interface JsRow extends RowInfo {
  kind: "js";
  /** Prepares inputs (not timed) and returns the call to time. */
  setup: () => Runner | Promise<Runner>;
}

/**
 * A row timed by kernel/bench-peers/bench.py. `task.kind` names a builder
 * in that script's TASKS table; the other fields are its arguments.
 */
export interface PythonRow extends RowInfo {
  kind: "python";
  task: { kind: string; lib: string } & Record<string, unknown>;
}

/** A row that cannot run here: a peer is not installed, say. */
export interface SkippedRow extends RowInfo {
  kind: "skipped";
  reason: string;
}

export type Row = JsRow | PythonRow | SkippedRow;

/** Median, min and max of a row's figures, in its unit. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** A row after the run, as written to bench.json. */
export interface RowResult extends Omit<RowInfo, "policy"> {
  status: "ok" | "skipped" | "failed";
  /** Why the row was skipped or failed. */
  reason?: string;
  /** Seconds per run, one per sample, in the order taken. */
  samples: number[];
  /** Calls averaged into each sample. */
  callsPerSample: number;
  /** Present when status is "ok". */
  summary?: Summary;
  /** Speed of this (our) row over each peer's, same case and threads. */
  ratios: Ratio[];
}

/** ours / peer speed: above 1 means ours is faster, whatever the unit. */
export interface Ratio {
  peer: string;
  threads: number;
  value: number;
}
