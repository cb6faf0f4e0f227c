/**
 * The phases of contrastive divergence shared by `CDTrainer` (rbm-cd.ts)
 * and `cdGradient` (rbm-gradient.ts), internal to the library: the
 * negative phase's Gibbs sweeps over preallocated scratch matrices, and
 * the bias statistics. See rbm-cd.ts for the recipe they implement.
 *
 * Dimension letters: n batch rows, r negative rows (n for CD-k, the number
 * of chains for PCD), V visible, H hidden units; row-major matrices.
 */
import type { Random } from "./random";
import { hiddenProbs, visibleProbs, type RBMParams } from "./rbm-energy";
import { sampleBinary } from "./rbm";
import { type FloatArray, Matrix } from "./tensor";

/** Scratch of one negative phase: r rows. VS may be the PCD chains. */
export interface ChainScratch {
  VP: Matrix; // P(v | h) [r, V]
  VS: Matrix; // sampled v [r, V]
  PN: Matrix; // P(h | v) [r, H]
  HN: Matrix; // sampled h [r, H]
}

/** Scratch of one batch size n (the last batch of an epoch may be short). */
export interface BatchScratch {
  X: Matrix; // gathered batch [n, V]
  P0: Matrix; // P(h | v_data) [n, H]
  H0: Matrix; // sampled h [n, H]
  R: Matrix; // reconstruction P(v | h0) [n, V]
  chain: ChainScratch; // CD-k's chain (unused with PCD)
}

/** Zero matrix `[rows, cols]` in the dtype of `like`. */
export function zeros(rows: number, cols: number, like: Matrix): Matrix {
  return Matrix.zeros(rows, cols, like.dtype);
}

/**
 * Finishes a negative phase whose first P(v | h) is in `s.VP`: `sweeps - 1`
 * more sweeps v ~ P(v | h), h ~ P(h | v), v' = P(v | h). Returns the
 * visible rows of the negative statistics (VP, or its sample VS if
 * `sampleVisible`) and leaves P(h | them) in `s.PN`. With `keepSample` the
 * last v is sampled into VS even when unused (a persistent chain's state).
 */
export function finishChain(
  params: RBMParams,
  s: ChainScratch,
  sweeps: number,
  random: Random,
  sampleVisible: boolean,
  keepSample: boolean,
): Matrix {
  for (let t = 1; t < sweeps; t++) {
    sampleBinary(s.VP, random, s.VS);
    hiddenProbs(params, s.VS, s.PN);
    sampleBinary(s.PN, random, s.HN);
    visibleProbs(params, s.HN, s.VP);
  }
  if (sampleVisible || keepSample) sampleBinary(s.VP, random, s.VS);
  const Vneg = sampleVisible ? s.VS : s.VP;
  hiddenProbs(params, Vneg, s.PN);
  return Vneg;
}

/** Starts a persistent chain sweep: v' = P(v | h ~ P(h | chains)). */
export function startPersistent(
  params: RBMParams,
  s: ChainScratch,
  random: Random,
) {
  hiddenProbs(params, s.VS, s.PN);
  sampleBinary(s.PN, random, s.HN);
  visibleProbs(params, s.HN, s.VP);
}

/** Chain scratch of `rows` rows whose sampled states live in `VS`. */
export function chainScratch(params: RBMParams, VS: Matrix): ChainScratch {
  const { W } = params;
  return {
    VP: zeros(VS.rows, W.rows, W),
    VS,
    PN: zeros(VS.rows, W.cols, W),
    HN: zeros(VS.rows, W.cols, W),
  };
}

/**
 * out[j] += alpha (column mean of A [n, c] - column mean of B [r, c]):
 * the bias statistics, accumulated in float64 without allocating.
 */
export function addMeanDiff(
  A: Matrix,
  B: Matrix,
  out: Float64Array,
  alpha = 1,
) {
  addColSums(A.data, out, alpha / A.rows);
  addColSums(B.data, out, -alpha / B.rows);
}

/** out[j] += scale * sum_i x[i, j], x row-major with out.length columns. */
function addColSums(x: FloatArray, out: Float64Array, scale: number) {
  const cols = out.length;
  for (let start = 0; start < x.length; start += cols) {
    for (let j = 0; j < cols; j++) out[j] += scale * x[start + j];
  }
}
