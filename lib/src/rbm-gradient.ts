/**
 * The contrastive-divergence estimate of the log-likelihood gradient,
 * without an update: for comparing CD-k and PCD with the exact gradient
 * (rbm-exact.ts) on a model small enough to enumerate. The phases and
 * their random draws are those of a `CDTrainer` update (rbm-cd.ts).
 *
 * Dimension letters: n data rows, r chains, V visible, H hidden units.
 */
import { gemm } from "./gemm";
import { checkRandom } from "./hopfield-checks";
import type { Random } from "./random";
import {
  addMeanDiff,
  chainScratch,
  finishChain,
  startPersistent,
  zeros,
  type ChainScratch,
} from "./rbm-chain";
import {
  checkRBMParams,
  hiddenProbs,
  visibleProbs,
  type RBMParams,
} from "./rbm-energy";
import { checkBoolean, count } from "./rbm-options";
import { checkBinary, sampleBinary } from "./rbm";
import { checkMatrix, checkOptionKeys, describeValue, Matrix } from "./tensor";

/** What `cdGradient` returns: float64, W `[V, H]` row-major, a, b. */
export interface RBMGradient {
  W: Float64Array;
  a: Float64Array;
  b: Float64Array;
}

/**
 * The CD-k estimate of the gradient of the mean log-likelihood over the
 * binary rows of `V` `[n, V]`, without updating anything: positive
 * statistics from P(h | v), negative ones after k sweeps from the data
 * (CD) or, when `chains` `[r, V]` (binary) is given, from those chains
 * (PCD; the chains are advanced in place). Same phases and random draws
 * as a `CDTrainer` update. Returns float64 W `[V, H]` row-major, a `[V]`,
 * b `[H]`.
 *
 * With `sampleVisible: false` (Hinton's default) the negative statistics
 * use P(v | h) and P(h | P(v | h)), a mean-field shortcut that stays biased
 * however large k is; with `sampleVisible: true` they use a sampled v and
 * P(h | v), which tends to the exact model term as k grows.
 */
export function cdGradient(
  params: RBMParams,
  V: Matrix,
  options: {
    k: number;
    random: Random;
    chains?: Matrix;
    sampleVisible?: boolean;
  },
): RBMGradient {
  const dtype = checkRBMParams("params", params);
  const { W } = params;
  checkMatrix("V", V, undefined, W.rows, dtype);
  if (V.rows === 0) throw new RangeError("V: expected at least one row, got 0");
  checkBinary("V", V);
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options: expected { k, random, chains?, sampleVisible? }, got ` +
        describeValue(options),
    );
  }
  checkOptionKeys("options", options, [
    "k",
    "random",
    "chains",
    "sampleVisible",
  ]);
  if (options.k === undefined) {
    throw new TypeError("options.k: required (Gibbs sweeps, an integer >= 1)");
  }
  const k = count("options.k", options.k, 1);
  const random = options.random;
  checkRandom("options.random", random);
  const sampleVisible = options.sampleVisible ?? false;
  checkBoolean("options.sampleVisible", sampleVisible);
  const chains = options.chains;
  if (chains !== undefined) {
    checkMatrix("options.chains", chains, undefined, W.rows, dtype);
    if (chains.rows === 0) {
      throw new RangeError("options.chains: expected at least one row, got 0");
    }
    checkBinary("options.chains", chains);
  }

  // Positive phase, then the negative phase as the trainer runs it.
  const P0 = hiddenProbs(params, V);
  const H0 = zeros(V.rows, W.cols, W);
  sampleBinary(P0, random, H0);
  let chain: ChainScratch;
  if (chains !== undefined) {
    chain = chainScratch(params, chains);
    startPersistent(params, chain, random);
  } else {
    chain = chainScratch(params, zeros(V.rows, W.rows, W));
    chain.HN = H0;
    visibleProbs(params, H0, chain.VP);
  }
  const persistent = chains !== undefined;
  const Vneg = finishChain(params, chain, k, random, sampleVisible, persistent);

  // Statistics in float64.
  const G = Matrix.zeros(W.rows, W.cols, "float64");
  const f64 = (M: Matrix) => M.toDType("float64");
  gemm(f64(V), f64(P0), G, { transA: true, alpha: 1 / V.rows });
  const negScale = { transA: true, alpha: -1 / Vneg.rows, beta: 1 };
  gemm(f64(Vneg), f64(chain.PN), G, negScale);
  const a = new Float64Array(W.rows);
  const b = new Float64Array(W.cols);
  addMeanDiff(V, Vneg, a);
  addMeanDiff(P0, chain.PN, b);
  return { W: G.data as Float64Array, a, b };
}
