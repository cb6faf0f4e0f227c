/**
 * Learning rules of the classical Hopfield network: from M bipolar
 * patterns of length N to an [N, N] weight matrix (row-major Float64Array,
 * w_ji at index j*N + i: the weight from neuron i into neuron j).
 *
 * - Hebbian (Hopfield 1982; the lecture): w_ij = sum_d x_d(i) x_d(j),
 *   w_ii = 0, optionally divided by N.
 * - Storkey (A. Storkey, "Increasing the capacity of a Hopfield network
 *   without sacrificing functionality", ICANN 1997): incremental and local,
 *   subtracts the part of each new pattern the net already predicts.
 * - Pseudo-inverse or projection rule (Personnaz, Guyon, Dreyfus 1985;
 *   Kanter, Sompolinsky 1987): W = X^T (X X^T)^-1 X, the orthogonal
 *   projection onto the span of the patterns.
 *
 * Dimension letters: N neurons (pattern length), M patterns.
 * Every rule returns a symmetric matrix with a non-negative diagonal, which
 * is what `HopfieldNetwork` needs for its energy-descent guarantee.
 */

import { checkChoice, checkOptionKeys, checkPatterns } from "./hopfield-checks";

/** A bipolar vector: length N, every entry -1 or +1 (validated on use). */
export type BipolarInput = ArrayLike<number>;

/** The learning rules `HopfieldNetwork.fromPatterns` knows. */
export type LearningRule = "hebbian" | "storkey" | "pseudoinverse";

/** Options of `hebbianWeights`. */
export interface HebbianOptions {
  /** "none" (default, as in the lecture) or "1/N": divide by N. */
  scale?: "none" | "1/N";
}

/** Options of `pseudoInverseWeights`. */
export interface PseudoInverseOptions {
  /**
   * "zero" (default) sets w_ii = 0; "keep" keeps the projection's own
   * diagonal w_ii = [P]_ii in [0, 1]. See `pseudoInverseWeights`.
   */
  diagonal?: "zero" | "keep";
}

/**
 * Hebbian weights w_ij = sum_d x_d(i) x_d(j) for i != j, w_ii = 0
 * (the lecture's rule, Hopfield 1982).
 *
 * Diagonal: zero. The M patterns would otherwise put M on every w_ii,
 * a self-coupling that stabilises any state and adds nothing to
 * recall.
 *
 * @param patterns M patterns, each bipolar of length N
 * @param options.scale "none" (default) or "1/N" (same dynamics with zero
 *   thresholds and input; it only rescales the energy and the fields)
 * @returns W, [N, N] row-major, symmetric, zero diagonal
 */
export function hebbianWeights(
  patterns: BipolarInput[],
  options: HebbianOptions = {},
): Float64Array {
  checkOptionKeys("options", options, ["scale"]);
  const scale = options.scale ?? "none";
  checkChoice("options.scale", scale, ["none", "1/N"]);
  const N = checkPatterns("patterns", patterns);
  const factor = scale === "1/N" ? 1 / N : 1;
  const W = new Float64Array(N * N);

  for (const x of patterns) {
    for (let i = 0; i < N; i++) {
      const xi = x[i];
      for (let j = 0; j < N; j++) W[i * N + j] += xi * x[j];
    }
  }
  for (let i = 0; i < N; i++) W[i * N + i] = 0;
  // Scaling after the integer sums keeps each entry one rounding from exact.
  if (factor !== 1) for (let k = 0; k < N * N; k++) W[k] *= factor;
  return W;
}

/**
 * Storkey's incremental rule (Storkey 1997). Patterns are learned one at a
 * time; for each new pattern xi, with the weights W learned so far,
 *
 *   h_ij = sum_{k != i, j} w_ik xi_k            (local field without i, j)
 *   w_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / N     for i != j.
 *
 * The update is symmetric in i and j, so W stays symmetric.
 *
 * Diagonal: zero. The rule as usually stated also updates w_ii, but h_ij
 * leaves out k = i and k = j, so the diagonal never feeds back into the
 * off-diagonal weights: zeroing it changes no w_ij with i != j. Kept, the
 * diagonal grows by (1 - 2 xi_i h_ii) / N per pattern, which can be
 * negative, and a negative w_ii would break the energy-descent guarantee;
 * zeroing it costs only the self-coupling.
 *
 * Cost O(M N^2): since w_ii = 0, h_ij = f_i - w_ij xi_j with the full
 * field f_i = sum_k w_ik xi_k.
 *
 * @param patterns M patterns, each bipolar of length N
 * @returns W, [N, N] row-major, symmetric, zero diagonal
 */
export function storkeyWeights(patterns: BipolarInput[]): Float64Array {
  const N = checkPatterns("patterns", patterns);
  const W = new Float64Array(N * N);
  const f = new Float64Array(N);

  for (const xi of patterns) {
    // full fields f = W xi under the weights learned so far
    for (let i = 0; i < N; i++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += W[i * N + k] * xi[k];
      f[i] = sum;
    }
    // update the upper triangle from the old weights, mirror it below
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        const wij = W[i * N + j];
        const hij = f[i] - wij * xi[j];
        const hji = f[j] - wij * xi[i];
        const next = wij + (xi[i] * xi[j] - xi[i] * hji - hij * xi[j]) / N;
        W[i * N + j] = next;
        W[j * N + i] = next;
      }
    }
  }
  return W;
}

/**
 * Pseudo-inverse (projection) rule W = X^T (X X^T)^-1 X, X = patterns as
 * rows, [M, N]. W is the orthogonal projection onto the span of the
 * patterns, so W xi_mu = xi_mu for every stored pattern: any linearly
 * independent set, however correlated, becomes a set of fixed points.
 *
 * Diagonal: w_ii = |P e_i|^2 lies in [0, 1] (about M/N on average).
 * - "zero" (default): the field of a stored pattern becomes
 *   a_i = (1 - w_ii) xi_i, still of the sign of xi_i (and a tie, which
 *   leaves the neuron unchanged, when w_ii = 1), so stored patterns stay
 *   fixed points. Removing the self-coupling enlarges the basins of
 *   attraction (Kanter and Sompolinsky 1987); the price is that W is no
 *   longer an exact projection, so W z = z fails for other states of the
 *   span.
 * - "keep": the exact projection. Still allowed by `HopfieldNetwork`
 *   (w_ii >= 0 keeps the energy descent), but the self-coupling makes many
 *   more states stable and shrinks the basins as M/N grows.
 *
 * The M x M Gram matrix G = X X^T is solved by our own Cholesky
 * factorisation on Float64Array: it is symmetric positive definite exactly
 * when the patterns are linearly independent, the factorisation detects
 * the dependent case, and M is small. (mathjs could do it but would copy
 * into its own matrix types for a 20-line kernel.) G has integer entries,
 * so it is exact in float64.
 *
 * @param patterns M linearly independent bipolar patterns of length N
 *   (M <= N); dependent patterns throw a RangeError
 * @param options.diagonal "zero" (default) or "keep"
 * @returns W, [N, N] row-major, symmetric (exactly: it is symmetrised)
 */
export function pseudoInverseWeights(
  patterns: BipolarInput[],
  options: PseudoInverseOptions = {},
): Float64Array {
  checkOptionKeys("options", options, ["diagonal"]);
  const diagonal = options.diagonal ?? "zero";
  checkChoice("options.diagonal", diagonal, ["zero", "keep"]);
  const N = checkPatterns("patterns", patterns);
  const M = patterns.length;
  if (M > N) {
    throw new RangeError(
      `patterns: the pseudo-inverse rule needs M <= N linearly independent ` +
        `patterns, got M = ${M} > N = ${N}`,
    );
  }

  // Gram matrix G = X X^T, [M, M]
  const G = new Float64Array(M * M);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let dot = 0;
      for (let i = 0; i < N; i++) dot += patterns[a][i] * patterns[b][i];
      G[a * M + b] = dot;
      G[b * M + a] = dot;
    }
  }

  // C = G^-1 X, [M, N]: solve column by column with one factorisation
  const L = choleskyFactor(G, M, N);
  const C = new Float64Array(M * N);
  const column = new Float64Array(M);
  for (let i = 0; i < N; i++) {
    for (let a = 0; a < M; a++) column[a] = patterns[a][i];
    choleskySolve(L, M, column);
    for (let a = 0; a < M; a++) C[a * N + i] = column[a];
  }

  // W = X^T C, [N, N]; average the two triangles so W is exactly symmetric
  const W = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      let wij = 0;
      let wji = 0;
      for (let a = 0; a < M; a++) {
        wij += patterns[a][i] * C[a * N + j];
        wji += patterns[a][j] * C[a * N + i];
      }
      W[i * N + j] = W[j * N + i] = (wij + wji) / 2;
    }
  }
  if (diagonal === "zero") for (let i = 0; i < N; i++) W[i * N + i] = 0;
  return W;
}

/**
 * Cholesky factor L (lower triangle, [M, M] row-major) of a symmetric
 * positive definite G = L L^T. A pivot below a relative tolerance means
 * the patterns are linearly dependent.
 * @param G [M, M] row-major, symmetric
 * @param N pattern length, the size of G's diagonal entries (for the
 *   tolerance)
 */
export function choleskyFactor(
  G: Float64Array,
  M: number,
  N: number,
): Float64Array {
  const L = new Float64Array(M * M);
  // G_aa = N for bipolar patterns; a pivot this small is rounding noise
  const tolerance = 1e-10 * N;
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = G[a * M + b];
      for (let k = 0; k < b; k++) sum -= L[a * M + k] * L[b * M + k];
      if (a === b) {
        if (sum <= tolerance) {
          throw new RangeError(
            `patterns: expected linearly independent patterns, but ` +
              `patterns[${a}] lies in the span of the earlier ones ` +
              `(Cholesky pivot ${sum.toExponential(3)})`,
          );
        }
        L[a * M + a] = Math.sqrt(sum);
      } else {
        L[a * M + b] = sum / L[b * M + b];
      }
    }
  }
  return L;
}

/**
 * Solves L L^T y = v in place (v becomes y): forward then back
 * substitution. L is [M, M] row-major lower triangular, v has length M.
 */
export function choleskySolve(
  L: Float64Array,
  M: number,
  v: Float64Array,
): void {
  for (let a = 0; a < M; a++) {
    let sum = v[a];
    for (let k = 0; k < a; k++) sum -= L[a * M + k] * v[k];
    v[a] = sum / L[a * M + a];
  }
  for (let a = M - 1; a >= 0; a--) {
    let sum = v[a];
    for (let k = a + 1; k < M; k++) sum -= L[k * M + a] * v[k];
    v[a] = sum / L[a * M + a];
  }
}
