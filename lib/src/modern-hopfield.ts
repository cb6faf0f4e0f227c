/**
 * Modern (dense, continuous) Hopfield network: H. Ramsauer et al.,
 * "Hopfield Networks is All You Need", arXiv:2008.02217 (2020), eq. (2)
 * and (3), written with the stored patterns as rows of X, [M, N]:
 *
 *   energy  E(xi) = -lse(beta, X xi) + xi.xi / 2 + log(M) / beta + K^2 / 2
 *   update  xi_new = X^T softmax(beta X xi)
 *
 * with lse(beta, s) = log(sum_mu exp(beta s_mu)) / beta and
 * K = max_mu |x_mu| (the largest pattern norm). The update never raises E
 * (it is a concave-convex procedure step) and, for well separated
 * patterns, retrieves one in a single step; the storage capacity grows
 * exponentially in N instead of the classical ~0.138 N.
 *
 * Dimension letters: N pattern length, M stored patterns.
 * Softmax and lse subtract the largest score first, so large beta or long
 * patterns cannot overflow exp.
 * Limits: plain loops over Float64Array; no batching of queries.
 */

import { checkInteger, checkVector } from "./hopfield-checks";

/** Checks M patterns of one length N (any finite values); returns N. */
function checkRealPatterns(patterns: ArrayLike<number>[]): number {
  if (!Array.isArray(patterns)) {
    throw new TypeError(
      `patterns: expected an array of patterns, got ${typeof patterns}`,
    );
  }
  if (patterns.length === 0) {
    throw new RangeError("patterns: expected at least one pattern, got 0");
  }
  checkVector("patterns[0]", patterns[0]);
  const N = patterns[0].length;
  if (N === 0) throw new RangeError("patterns[0]: expected length >= 1, got 0");
  patterns.forEach((p, mu) => checkVector(`patterns[${mu}]`, p, N));
  return N;
}

function checkBeta(beta: number): void {
  if (typeof beta !== "number") {
    throw new TypeError(`beta: expected a number, got ${typeof beta}`);
  }
  if (!(beta > 0 && Number.isFinite(beta))) {
    throw new RangeError(`beta: expected a finite number > 0, got ${beta}`);
  }
}

/** Scores s_mu = x_mu . xi, length M (no checks). */
function scores(patterns: ArrayLike<number>[], xi: ArrayLike<number>) {
  return Float64Array.from(patterns, (x) => {
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += x[i] * xi[i];
    return dot;
  });
}

/** softmax(beta s) in place, stable: the largest score is subtracted. */
function softmaxInPlace(s: Float64Array, beta: number): Float64Array {
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let sum = 0;
  for (let mu = 0; mu < s.length; mu++) {
    s[mu] = Math.exp(beta * (s[mu] - max));
    sum += s[mu];
  }
  for (let mu = 0; mu < s.length; mu++) s[mu] /= sum;
  return s;
}

/**
 * Attention of a state over the stored patterns: p = softmax(beta X xi).
 * @param patterns X, M rows of length N (any finite values)
 * @param state xi, length N
 * @param beta inverse temperature > 0
 * @returns p, length M, non-negative, summing to 1
 */
export function modernHopfieldAttention(
  patterns: ArrayLike<number>[],
  state: ArrayLike<number>,
  beta: number,
): Float64Array {
  const N = checkRealPatterns(patterns);
  checkVector("state", state, N);
  checkBeta(beta);
  return softmaxInPlace(scores(patterns, state), beta);
}

/**
 * Modern Hopfield update xi_new = X^T softmax(beta X xi), applied `steps`
 * times (Ramsauer et al. 2020, eq. 3).
 * @param patterns X, M rows of length N (bipolar or real)
 * @param query xi, length N (not modified)
 * @param beta inverse temperature > 0: large beta retrieves single
 *   patterns, small beta returns averages (metastable states)
 * @param steps number of updates, >= 1 (default 1)
 * @returns the new state, length N (continuous values)
 */
export function modernHopfieldUpdate(
  patterns: ArrayLike<number>[],
  query: ArrayLike<number>,
  beta: number,
  steps = 1,
): Float64Array {
  const N = checkRealPatterns(patterns);
  checkVector("query", query, N);
  checkBeta(beta);
  checkInteger("steps", steps, 1);

  let xi = Float64Array.from(query);
  for (let t = 0; t < steps; t++) {
    const p = softmaxInPlace(scores(patterns, xi), beta);
    const next = new Float64Array(N);
    patterns.forEach((x, mu) => {
      for (let i = 0; i < N; i++) next[i] += p[mu] * x[i];
    });
    xi = next;
  }
  return xi;
}

/**
 * Energy E(xi) = -lse(beta, X xi) + xi.xi / 2 + log(M) / beta + K^2 / 2,
 * K = max_mu |x_mu| (Ramsauer et al. 2020, eq. 2). The constants make
 * E >= 0; updates by `modernHopfieldUpdate` never raise it.
 * @param patterns X, M rows of length N
 * @param state xi, length N
 * @param beta inverse temperature > 0
 */
export function modernHopfieldEnergy(
  patterns: ArrayLike<number>[],
  state: ArrayLike<number>,
  beta: number,
): number {
  const N = checkRealPatterns(patterns);
  checkVector("state", state, N);
  checkBeta(beta);

  const s = scores(patterns, state);
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let sum = 0;
  for (const v of s) sum += Math.exp(beta * (v - max));
  const lse = max + Math.log(sum) / beta;

  let squaredNorm = 0;
  for (let i = 0; i < N; i++) squaredNorm += state[i] * state[i];
  let largestSquaredNorm = 0;
  for (const x of patterns) {
    let norm2 = 0;
    for (let i = 0; i < N; i++) norm2 += x[i] * x[i];
    largestSquaredNorm = Math.max(largestSquaredNorm, norm2);
  }
  const M = patterns.length;
  return -lse + squaredNorm / 2 + Math.log(M) / beta + largestSquaredNorm / 2;
}
