/**
 * Annealed importance sampling (AIS) estimate of an RBM's log partition
 * function, following Salakhutdinov and Murray, "On the quantitative
 * analysis of deep belief networks" (ICML 2008), section 3 (issue 4).
 *
 * Base model A: visible biases a_A only (W = 0, hidden biases 0), so
 * Z_A = 2^H prod_i (1 + exp(a_A,i)) and p_A(v) is sampled exactly.
 * Intermediate distributions for 0 = beta_0 <= ... <= beta_K = 1, hidden
 * units summed out:
 *   p*_k(v) = exp((1 - beta_k) a_A.v + beta_k a.v)
 *             * prod_j (1 + exp(beta_k (b_j + (v W)_j)))
 * Each run draws v ~ p_A, then for k = 1..K adds
 *   log p*_k(v) - log p*_{k-1}(v)
 * to its log weight and moves v by one Gibbs sweep v -> h -> v that leaves
 * p_k invariant. Z / Z_A is estimated by the mean weight; log Z = log Z_A +
 * log mean(w), which is biased low in expectation (Jensen), as in the paper;
 * so the log-likelihood it gives, `exactLogLikelihood(params, V, logZ)`,
 * errs on the optimistic side.
 *
 * Dimension letters: R runs, V visible, H hidden; W `[V, H]` row-major. All
 * runs move together as `[R, V]` and `[R, H]` matrices, so each step costs
 * two GEMMs (v W and h W^T). Fields are computed in the parameters' dtype;
 * log weights accumulate in float64. Bernoulli draws compare one 32-bit
 * random word with p 2^32 (resolution 2^-32, half the cost of uniform()).
 * Limits: binary units only; no parallel tempering or reverse AIS.
 */
import { gemm } from "./gemm";
import type { Random } from "./random";
import { type AISOptions, checkAISOptions } from "./rbm-ais-options";
import { checkRBMParams, type RBMParams } from "./rbm-energy";
import { checkFiniteRBMParams } from "./rbm-exact";
import { type FloatArray, Matrix } from "./tensor";

export {
  annealingSchedule,
  baseRateVisibleBias,
  type AISOptions,
} from "./rbm-ais-options";

/** What AIS returns; every log is in nats. */
export interface AISResult {
  /** Estimate of log Z = log Z_A + log mean(w). */
  logZ: number;
  /** Standard error of `logZ` by the delta method: sd(w) / (sqrt(R) mean w). */
  standardError: number;
  /** log(mean w - 3 sd(w) / sqrt(R)) + log Z_A; -Infinity if that is <= 0. */
  logZLow: number;
  /** log(mean w + 3 sd(w) / sqrt(R)) + log Z_A. */
  logZHigh: number;
  /** log w of each run, `[R]`. */
  logWeights: Float64Array;
  /** log Z_A of the base-rate model. */
  logZBase: number;
}

const TWO_POW_32 = 4294967296;

/**
 * AIS estimate of log Z for the RBM `params` (W `[V, H]`, a `[V]`, b `[H]`,
 * float32 or float64) with `options.runs` runs over `options.betas`.
 */
export function annealedImportanceSampling(
  params: RBMParams,
  options: AISOptions,
): AISResult {
  const dtype = checkRBMParams("params", params);
  checkFiniteRBMParams("params", params);
  const o = checkAISOptions(options, params.W.rows);
  const { W, a, b } = params;
  const [nV, nH, R] = [W.rows, W.cols, o.runs];
  const aA = o.baseVisibleBias;

  // W^T as its own matrix: GEMM packs a plain B faster than a transB one.
  const WT = Matrix.zeros(nH, nV, dtype);
  for (let i = 0; i < nV; i++) {
    for (let j = 0; j < nH; j++) WT.data[j * nV + i] = W.data[i * nH + j];
  }
  const v = Matrix.zeros(R, nV, dtype);
  const h = Matrix.zeros(R, nH, dtype);
  const x = Matrix.zeros(R, nH, dtype); // v W
  const y = Matrix.zeros(R, nV, dtype); // h W^T
  const logW = new Float64Array(R);
  const dv = new Float64Array(R); // (a - a_A).v per run
  const diff = Float64Array.from(a, (ai, i) => ai - aA[i]);
  const mix = new Float64Array(nV);

  let logZBase = nH * Math.LN2;
  for (let i = 0; i < nV; i++) logZBase += softplus(aA[i]);

  // v ~ p_A: the visible step at beta = 0 (y is still zero).
  mix.set(aA);
  sampleVisible(v.data, y.data, mix, 0, diff, dv, o.random);
  const { betas, onProgress } = o;
  const K = betas.length - 1;
  const every = Math.max(1, Math.floor(K / 100));
  for (let k = 1; k <= K; k++) {
    const [beta, prev] = [betas[k], betas[k - 1]];
    gemm(v, W, x, { threads: o.threads });
    const sampled = k < K ? h.data : null;
    weighAndSampleHidden(x.data, b, beta, prev, dv, logW, sampled, o.random);
    if (sampled) {
      gemm(h, WT, y, { threads: o.threads });
      for (let i = 0; i < nV; i++) mix[i] = (1 - beta) * aA[i] + beta * a[i];
      sampleVisible(v.data, y.data, mix, beta, diff, dv, o.random);
    }
    if (onProgress && (k % every === 0 || k === K)) onProgress(k, K);
  }
  return summarize(logW, logZBase);
}

function softplus(z: number): number {
  return (z > 0 ? z : 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * expm1(u) for u >= 0. Steps of beta are small (1e-5 to 1e-3), so u is
 * nearly always below 0.01, where the Taylor series to u^9 is exact to
 * rounding (remainder < u^10 / 10!) and cheaper than Math.expm1.
 */
function expm1Step(u: number): number {
  if (u >= 1e-2) return Math.expm1(u);
  const t = 1 + (u / 8) * (1 + u / 9);
  return (
    u *
    (1 +
      (u / 2) *
        (1 +
          (u / 3) *
            (1 + (u / 4) * (1 + (u / 5) * (1 + (u / 6) * (1 + (u / 7) * t))))))
  );
}

/** log1p(t) for t >= 0: the series to t^7 below 1e-3 (remainder < t^8 / 8). */
function log1pSmall(t: number): number {
  if (t >= 1e-3) return Math.log1p(t);
  const tail = 1 / 5 - t * (1 / 6 - t / 7);
  return t * (1 - t * (1 / 2 - t * (1 / 3 - t * (1 / 4 - t * tail))));
}

/**
 * One annealing step's hidden work for every run r (rows of x `[R, H]` =
 * v W, bias b `[H]`): adds log p*_k(v) - log p*_{k-1}(v) to logW[r], i.e.
 * (beta - prev) (a - a_A).v + sum_j softplus(beta f_j) - softplus(prev f_j)
 * with f = b + v W; then, unless `h` is null, draws h_j ~ sigma(beta f_j).
 *
 * With e = exp(-beta |f|) and s = beta - prev, the softplus difference is
 *   s max(f, 0) - log1p(e expm1(s |f|) / (1 + e)),
 * one exp per unit instead of two, and free of the cancellation of the
 * plain difference (checked against 50-digit arithmetic: 2e-15 relative).
 * Past beta |f| = LARGE_FIELD that product is 0 * Infinity, so the
 * difference is taken in log space there (see `largeFieldTail`).
 * Throws a RangeError if a field is not finite (it overflowed the dtype).
 */
function weighAndSampleHidden(
  x: FloatArray,
  b: FloatArray,
  beta: number,
  prev: number,
  dv: Float64Array,
  logW: Float64Array,
  h: FloatArray | null,
  random: Random,
): void {
  const nH = b.length;
  const step = beta - prev;
  for (let r = 0; r < logW.length; r++) {
    let acc = step * dv[r];
    const row = r * nH;
    for (let j = 0; j < nH; j++) {
      const f = x[row + j] + b[j];
      const af = f < 0 ? -f : f;
      const u = beta * af;
      const e = Math.exp(-u);
      const q = 1 / (1 + e); // sigma(beta |f|)
      // tail = log((1 + exp(-prev |f|)) / (1 + e)); a NaN f goes to the
      // second branch and is caught below.
      const tail =
        u <= LARGE_FIELD
          ? log1pSmall(e * expm1Step(step * af) * q)
          : largeFieldTail(prev * af, e);
      acc += (f > 0 ? step * f : 0) - tail;
      if (h !== null) {
        const p = f >= 0 ? q : e * q;
        h[row + j] = +(random.nextUint32() < p * TWO_POW_32);
      }
    }
    if (!(acc > -Infinity && acc < Infinity)) throw fieldError(x, b, row);
    logW[r] += acc;
  }
}

/**
 * Above this beta |f| the fast form breaks down: e = exp(-beta |f|) falls
 * below 1e-304, toward the subnormals and 0, while expm1(s |f|) may reach
 * Infinity. Below it, e and the product are normal doubles.
 */
const LARGE_FIELD = 700;

/**
 * log(1 + exp(-prev |f|)) - log(1 + e) for e = exp(-beta |f|) < 1e-304,
 * given pu = prev |f|: the softplus difference in log space. No
 * cancellation matters here: the second log is below 1e-304.
 */
function largeFieldTail(pu: number, e: number): number {
  return Math.log1p(Math.exp(-pu)) - Math.log1p(e);
}

/** The error for a row r (at `row` = r H of x `[R, H]`) whose field
 * b + v W is NaN or infinite: the weights overflow the dtype. */
function fieldError(x: FloatArray, b: FloatArray, row: number): RangeError {
  let j = 0;
  while (j < b.length - 1 && Number.isFinite(x[row + j] + b[j])) j++;
  const dtype = x instanceof Float32Array ? "float32" : "float64";
  return new RangeError(
    `params: hidden field b_${j} + (v W)_${j} = ${x[row + j] + b[j]} is ` +
      `not finite in ${dtype} (weights too large for the dtype)`,
  );
}

/**
 * Draws v_i ~ sigma(mix_i + beta y_i) for every run r (v, y `[R, V]`;
 * mix `[V]` = (1 - beta) a_A + beta a) and stores dv[r] = (a - a_A).v_r,
 * with `diff` `[V]` = a - a_A.
 */
function sampleVisible(
  v: FloatArray,
  y: FloatArray,
  mix: Float64Array,
  beta: number,
  diff: Float64Array,
  dv: Float64Array,
  random: Random,
): void {
  const nV = diff.length;
  for (let r = 0; r < dv.length; r++) {
    const row = r * nV;
    let d = 0;
    for (let i = 0; i < nV; i++) {
      const z = mix[i] + beta * y[row + i];
      // u < 2^32 sigma(z) as u (1 + exp(-z)) < 2^32: no division, and no
      // branch on the outcome (exp(-z) = Infinity for z < -709 gives 0).
      const s = +(random.nextUint32() * (1 + Math.exp(-z)) < TWO_POW_32);
      v[row + i] = s;
      d += s * diff[i];
    }
    dv[r] = d;
  }
}

/** log Z, its standard error and +-3 sd bounds from the log weights. */
function summarize(logW: Float64Array, logZBase: number): AISResult {
  const R = logW.length;
  let m = -Infinity;
  for (let r = 0; r < R; r++) if (logW[r] > m) m = logW[r];
  // Weights scaled by exp(-m), so the largest is 1 and none overflows.
  let sum = 0;
  for (let r = 0; r < R; r++) sum += Math.exp(logW[r] - m);
  const mean = sum / R;
  let sq = 0;
  for (let r = 0; r < R; r++) sq += (Math.exp(logW[r] - m) - mean) ** 2;
  const sdMean = Math.sqrt(sq / (R - 1) / R);
  const shift = logZBase + m;
  return {
    logZ: shift + Math.log(mean),
    standardError: sdMean / mean,
    logZLow:
      mean > 3 * sdMean ? shift + Math.log(mean - 3 * sdMean) : -Infinity,
    logZHigh: shift + Math.log(mean + 3 * sdMean),
    logWeights: logW,
    logZBase,
  };
}
