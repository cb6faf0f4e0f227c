/**
 * Exact partition function, log-likelihood and log-likelihood gradient of a
 * binary RBM by enumerating every state of one layer (issue 4): the ground
 * truth against which CD, PCD and AIS are measured on small models.
 *
 * Summing out the other layer analytically leaves 2^n terms, n the number
 * of enumerated units:
 *   visible side: log Z = logsumexp_v [ a.v + sum_j softplus(b_j + (v W)_j) ]
 *   hidden side:  log Z = logsumexp_h [ b.h + sum_i softplus(a_i + (W h)_i) ]
 * The smaller layer is enumerated by default (at most `maxUnits`, 25).
 * States come in chunks of a few thousand rows (memory stays bounded) and
 * the log-sum-exp runs over chunks with a running maximum, in float64.
 *
 * Dimension letters: N rows of data, V visible units, H hidden units; W is
 * `[V, H]` row-major. All work is in float64: float32 parameters and data
 * are converted first. Limits: time grows as 2^n times the other layer's
 * width, about 40 ns per state and unit here: log Z of a 784 x 16 model
 * takes 2 s, 784 x 20 30 s (its gradient 50 s), 784 x 25 about 20 min.
 */
import { gemm } from "./gemm";
import {
  checkRBMParams,
  freeEnergy,
  hiddenProbs,
  type RBMParams,
} from "./rbm-energy";
import {
  type ExactOptions,
  forEachChunk,
  planEnumeration,
  RunningLogSumExp,
  toFloat64,
} from "./rbm-enumerate";
import { checkMatrix, describeValue, Matrix } from "./tensor";

export {
  checkFiniteRBMParams,
  enumerateStates,
  type EnumerationSide,
  type ExactOptions,
} from "./rbm-enumerate";

/**
 * log Z of the RBM `params` (W `[V, H]`, a `[V]`, b `[H]`) by enumerating
 * one layer (see the module header); float64, exact to rounding.
 * Throws a RangeError naming `options.maxUnits` when that layer is wider.
 */
export function exactLogPartition(
  params: RBMParams,
  options: ExactOptions = {},
): number {
  const e = planEnumeration(params, options);
  const lse = new RunningLogSumExp();
  let weights = new Float64Array(0);
  forEachChunk(e, (_S, _Q, logWeight) => {
    if (weights.length < logWeight.length) {
      weights = new Float64Array(logWeight.length);
    }
    lse.add(logWeight, weights);
  });
  return lse.value;
}

/** `V` checked to be `[N, nV]` and binary, as float64. */
function binaryRows(V: unknown, nV: number): Matrix {
  const X = checkMatrix("V", V, undefined, nV);
  for (let k = 0; k < X.data.length; k++) {
    const x = X.data[k];
    if (x !== 0 && x !== 1) {
      const [r, c] = [Math.floor(k / nV), k % nV];
      throw new RangeError(
        `V[${r}, ${c}]: expected a binary state (0 or 1), got ${x}`,
      );
    }
  }
  return X.dtype === "float64" ? X : X.toDType("float64");
}

/**
 * log p(v) = -F(v) - log Z of each binary row of `V` `[N, V]`, as float64
 * `[N]`. `logZ` defaults to `exactLogPartition(params)`; an estimate
 * (from AIS) gives the estimated log-likelihood.
 */
export function exactLogLikelihood(
  params: RBMParams,
  V: Matrix,
  logZ?: number,
): Float64Array {
  checkRBMParams("params", params);
  const p = toFloat64(params);
  const X = binaryRows(V, p.W.rows);
  if (logZ !== undefined && typeof logZ !== "number") {
    throw new TypeError(`logZ: expected a number, got ${describeValue(logZ)}`);
  }
  const z = logZ ?? exactLogPartition(p);
  if (!Number.isFinite(z)) {
    throw new RangeError(`logZ: expected a finite number, got ${z}`);
  }
  const out = freeEnergy(p, X);
  for (let r = 0; r < out.length; r++) out[r] = -out[r] - z;
  return out;
}

/** Exact gradient of the mean log-likelihood, and what came with it. */
export interface ExactGradient {
  /** d/dW `[V, H]` row-major: E_data[v h^T] - E_model[v h^T]. */
  W: Float64Array;
  /** d/da `[V]`: E_data[v] - E_model[v]. */
  a: Float64Array;
  /** d/db `[H]`: E_data[h] - E_model[h], with h's expectation under the data
   * taken as P(h = 1 | v). */
  b: Float64Array;
  /** log Z (computed on the way). */
  logZ: number;
  /** Mean over rows of log p(v). */
  meanLogLikelihood: number;
}

/**
 * Exact gradient of the mean log-likelihood (1/N) sum_r log p(v_r) of the
 * binary rows of `V` `[N, V]` (N >= 1) with respect to W, a and b: data
 * correlations minus model correlations, the model's expectations summed
 * over every state of the enumerated layer (one pass, float64).
 */
export function exactGradient(
  params: RBMParams,
  V: Matrix,
  options: ExactOptions = {},
): ExactGradient {
  const e = planEnumeration(params, options);
  const p = e.params;
  const [nV, nH] = [p.W.rows, p.W.cols];
  const X = binaryRows(V, nV);
  if (X.rows === 0) throw new RangeError("V: expected at least one row, got 0");

  // Model term: sum_s w_s s q_s^T with q_s = P(other layer = 1 | s).
  const { n, other } = e;
  const corr = Matrix.zeros(n, other);
  const meanS = new Float64Array(n);
  const meanQ = new Float64Array(other);
  const lse = new RunningLogSumExp();
  let w = new Float64Array(0);
  forEachChunk(e, (S, Q, logWeight) => {
    if (w.length < logWeight.length) w = new Float64Array(logWeight.length);
    const factor = lse.add(logWeight, w);
    if (factor !== 1) {
      for (const acc of [corr.data, meanS, meanQ]) {
        for (let k = 0; k < acc.length; k++) acc[k] *= factor;
      }
    }
    for (let r = 0; r < S.rows; r++) {
      for (let u = 0; u < n; u++) S.data[r * n + u] *= w[r];
      for (let u = 0; u < n; u++) meanS[u] += S.data[r * n + u];
      for (let k = 0; k < other; k++) {
        meanQ[k] += w[r] * Q.data[r * other + k];
      }
    }
    gemm(S, Q, corr, { transA: true, beta: 1 });
  });
  const inv = 1 / lse.sum;

  // Data term: V^T P / N with P = P(h = 1 | v); minus the model term.
  const P = hiddenProbs(p, X);
  const dW = gemm(X, P, Matrix.zeros(nV, nH), {
    transA: true,
    alpha: 1 / X.rows,
  }).data as Float64Array;
  const visibleSide = e.side === "visible";
  for (let i = 0; i < nV; i++) {
    for (let j = 0; j < nH; j++) {
      const c = visibleSide ? corr.data[i * nH + j] : corr.data[j * nV + i];
      dW[i * nH + j] -= c * inv;
    }
  }
  const da = columnMeans(X);
  const db = columnMeans(P);
  const [modelV, modelH] = visibleSide ? [meanS, meanQ] : [meanQ, meanS];
  for (let i = 0; i < nV; i++) da[i] -= modelV[i] * inv;
  for (let j = 0; j < nH; j++) db[j] -= modelH[j] * inv;

  const logZ = lse.value;
  const free = freeEnergy(p, X);
  let sumLL = 0;
  for (let r = 0; r < free.length; r++) sumLL -= free[r] + logZ;
  return { W: dW, a: da, b: db, logZ, meanLogLikelihood: sumLL / X.rows };
}

/** Mean of each column of `X` `[N, m]`, float64 `[m]`. */
function columnMeans(X: Matrix): Float64Array {
  const out = new Float64Array(X.cols);
  for (let k = 0; k < X.data.length; k++) out[k % X.cols] += X.data[k];
  for (let j = 0; j < X.cols; j++) out[j] /= X.rows;
  return out;
}
