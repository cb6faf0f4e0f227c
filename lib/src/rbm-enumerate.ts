/**
 * Enumeration of the states of one RBM layer, the machinery under the
 * exact functions of rbm-exact.ts (issue 4): binary states in counting
 * order, the choice of layer (`maxUnits`, `side`), chunked visits that keep
 * memory bounded, and a running log-sum-exp over chunks in float64.
 *
 * For each state s of the enumerated layer (n units) a chunk gives the
 * field of the other layer and the unnormalised log marginal of s:
 *   visible state v: a.v + sum_j softplus(b_j + (v W)_j)   (= -F(v))
 *   hidden state h:  b.h + sum_i softplus(a_i + (W h)_i)
 * Dimension letters: c states per chunk, V visible, H hidden; W `[V, H]`.
 * Limits: n <= 30 (2^30 states); work is in float64.
 */
import {
  checkRBMParams,
  hiddenField,
  visibleField,
  type RBMParams,
} from "./rbm-energy";
import { checkOptionObject } from "./rbm-options";
import {
  checkDType,
  checkSize,
  describeValue,
  type DType,
  Matrix,
} from "./tensor";

/** Which layer the exact functions enumerate. */
export type EnumerationSide = "smaller" | "visible" | "hidden";

/** Options of the exact functions; every field is optional. */
export interface ExactOptions {
  /** Largest number of units enumerated (2^maxUnits states); default 25. */
  maxUnits?: number;
  /** Layer to enumerate; default "smaller" (the hidden layer on a tie). */
  side?: EnumerationSide;
}

/** Hard ceiling of `maxUnits`: 2^30 states already take hours. */
const MAX_UNITS_LIMIT = 30;
/** Elements per chunk matrix (512 KiB in float64). */
const CHUNK_ELEMENTS = 1 << 16;
/** Largest matrix `enumerateStates` builds in one piece (512 MiB). */
const MAX_STATE_ELEMENTS = 1 << 26;

/**
 * Binary states `[count, n]`, row-major: row r is the number start + r in
 * binary, first unit the most significant bit (the order of rbm.json and
 * of `itertools.product([0, 1], repeat=n)`). Defaults: start 0, count
 * 2^n - start, dtype float64.
 */
export function enumerateStates(
  n: number,
  options: { start?: number; count?: number; dtype?: DType } = {},
): Matrix {
  checkOptionObject("options", options, ["start", "count", "dtype"]);
  checkSize("n", n);
  if (n > MAX_UNITS_LIMIT) {
    throw new RangeError(`n: expected at most ${MAX_UNITS_LIMIT}, got ${n}`);
  }
  const total = 2 ** n;
  const start = checkSize("options.start", options.start ?? 0);
  if (start > total) {
    throw new RangeError(
      `options.start: expected at most 2^${n} = ${total}, got ${start}`,
    );
  }
  const count = checkSize("options.count", options.count ?? total - start);
  if (start + count > total) {
    throw new RangeError(
      `options.count: expected at most ${total - start} (2^${n} - start), ` +
        `got ${count}`,
    );
  }
  if (count * n > MAX_STATE_ELEMENTS) {
    throw new RangeError(
      `options.count: ${count} states of ${n} units exceed one matrix ` +
        `(${MAX_STATE_ELEMENTS} elements); take them in chunks with start`,
    );
  }
  const S = Matrix.zeros(
    count,
    n,
    checkDType("options.dtype", options.dtype ?? "float64"),
  );
  fillStates(S, start);
  return S;
}

/** Writes states start, start + 1, ... into the rows of `S` `[c, n]`. */
function fillStates(S: Matrix, start: number): void {
  const { rows, cols: n, data } = S;
  for (let r = 0; r < rows; r++) {
    const index = start + r;
    for (let u = 0; u < n; u++) {
      // Bit n-1-u of the index; n <= 30 keeps it within 32-bit integers.
      data[r * n + u] = (index >> (n - 1 - u)) & 1;
    }
  }
}

/** The enumeration chosen for one call: float64 parameters, one side. */
export interface Enumeration {
  params: RBMParams;
  side: "visible" | "hidden";
  /** Units enumerated (2^n states). */
  n: number;
  /** Units of the other layer, summed out analytically. */
  other: number;
}

/**
 * Checks `params` and `options` and picks the layer to enumerate; throws a
 * RangeError naming `options.maxUnits` when that layer is wider.
 */
export function planEnumeration(
  params: RBMParams,
  options: ExactOptions,
): Enumeration {
  checkRBMParams("params", params);
  checkOptionObject("options", options, ["maxUnits", "side"]);
  const maxUnits = checkSize("options.maxUnits", options.maxUnits ?? 25);
  if (maxUnits > MAX_UNITS_LIMIT) {
    throw new RangeError(
      `options.maxUnits: expected at most ${MAX_UNITS_LIMIT}, got ${maxUnits}`,
    );
  }
  const wanted = options.side ?? "smaller";
  if (!["smaller", "visible", "hidden"].includes(wanted)) {
    throw new RangeError(
      `options.side: expected "smaller", "visible" or "hidden", got ` +
        `${describeValue(wanted)} ${String(wanted)}`,
    );
  }
  const [nV, nH] = [params.W.rows, params.W.cols];
  const side = wanted === "smaller" ? (nV < nH ? "visible" : "hidden") : wanted;
  const n = side === "visible" ? nV : nH;
  if (n > maxUnits) {
    throw new RangeError(
      `params: enumerating the ${side} layer means 2^${n} states, above ` +
        `options.maxUnits = ${maxUnits} units (model is ${nV} x ${nH}); ` +
        "use annealedImportanceSampling for large models",
    );
  }
  const other = side === "visible" ? nH : nV;
  return { params: toFloat64(params), side, n, other };
}

/** Throws a RangeError naming the first entry of W, a or b that is not
 * finite (NaN or an infinity would silently spoil every sum). */
export function checkFiniteRBMParams(name: string, params: RBMParams): void {
  const { W, a, b } = params;
  for (const [field, x] of [
    ["W", W.data],
    ["a", a],
    ["b", b],
  ] as const) {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        throw new RangeError(
          `${name}.${field}[${i}]: expected a finite number, got ${x[i]}`,
        );
      }
    }
  }
}

/** Float64 copy of float32 parameters (the same object if float64). */
export function toFloat64(params: RBMParams): RBMParams {
  checkFiniteRBMParams("params", params);
  const { W, a, b } = params;
  if (W.dtype === "float64") return params;
  return {
    W: W.toDType("float64"),
    a: Float64Array.from(a),
    b: Float64Array.from(b),
  };
}

/**
 * Visits the 2^n states chunk by chunk: `S` `[c, n]` the states, `Q`
 * `[c, other]` the other layer's conditional probabilities sigma(field)
 * given each state, `logWeight` `[c]` the unnormalised log marginal of
 * each state (-F(v) for visible states). The buffers are reused: a visitor
 * may overwrite them.
 */
export function forEachChunk(
  e: Enumeration,
  visit: (S: Matrix, Q: Matrix, logWeight: Float64Array) => void,
): void {
  const { params, n, other } = e;
  const total = 2 ** n;
  const per = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(n, other, 1)));
  const rows = Math.min(total, per);
  const sBuf = new Float64Array(rows * n);
  const fBuf = new Float64Array(rows * other);
  const lwBuf = new Float64Array(rows);
  const bias = e.side === "visible" ? params.a : params.b;
  for (let start = 0; start < total; start += rows) {
    const c = Math.min(rows, total - start);
    const S = new Matrix(c, n, sBuf.subarray(0, c * n));
    const F = new Matrix(c, other, fBuf.subarray(0, c * other));
    fillStates(S, start);
    if (e.side === "visible") hiddenField(params, S, F);
    else visibleField(params, S, F);

    const logWeight = lwBuf.subarray(0, c);
    for (let r = 0; r < c; r++) {
      let lw = 0;
      for (let u = 0; u < n; u++) lw += bias[u] * S.data[r * n + u];
      // sum_k softplus(f_k) = sum_k max(f_k, 0) + log prod_k (1 + e^-|f_k|):
      // one log per row instead of one per unit (it halves the time). Each
      // factor is in [1, 2]; the product is logged before it can overflow.
      let product = 1;
      for (let k = r * other; k < (r + 1) * other; k++) {
        const f = F.data[k];
        const e = Math.exp(f > 0 ? -f : f);
        lw += f > 0 ? f : 0;
        product *= 1 + e;
        // The visitor gets P(unit k = 1 | s) = sigma(f) from the same exp.
        F.data[k] = f > 0 ? 1 / (1 + e) : e / (1 + e);
        if (product > 1e300) {
          lw += Math.log(product);
          product = 1;
        }
      }
      logWeight[r] = lw + Math.log(product);
    }
    visit(S, F, logWeight);
  }
}

/**
 * Running log-sum-exp over chunks: sum = sum_r exp(lw_r - max). `add`
 * returns the factor by which earlier sums had to be rescaled (1 unless
 * the maximum grew) and writes exp(lw_r - max) to `weights`.
 */
export class RunningLogSumExp {
  max = -Infinity;
  sum = 0;

  add(logWeight: Float64Array, weights: Float64Array): number {
    let m = this.max;
    for (let r = 0; r < logWeight.length; r++) {
      if (logWeight[r] > m) m = logWeight[r];
    }
    // exp(-Infinity) = 0 on the first chunk: nothing was summed yet.
    const factor = m > this.max ? Math.exp(this.max - m) : 1;
    this.sum *= factor;
    this.max = m;
    for (let r = 0; r < logWeight.length; r++) {
      weights[r] = Math.exp(logWeight[r] - m);
      this.sum += weights[r];
    }
    return factor;
  }

  get value(): number {
    return this.max + Math.log(this.sum);
  }
}
