/**
 * Shared by the RBM tests: brute-force enumeration of every (v, h) of a
 * tiny model, written out here so that the tests lean neither on the
 * library's energy functions nor on its exact enumeration (rbm-exact.ts),
 * and a toy data set.
 */
import { Random } from "../../lib/src/random.js";
import { RBM } from "../../lib/src/rbm.js";
import { Matrix } from "../../lib/src/tensor.js";

export const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/** Every binary vector of length n, first unit most significant. */
export function states(n: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < 2 ** n; s++) {
    out.push(Array.from({ length: n }, (_, i) => (s >> (n - 1 - i)) & 1));
  }
  return out;
}

/** E(v, h) = -v W h - a.v - b.h, term by term. */
export function energyOf(
  rbm: RBM,
  v: ArrayLike<number>,
  h: ArrayLike<number>,
): number {
  let e = 0;
  for (let i = 0; i < v.length; i++) {
    e -= rbm.a[i] * v[i];
    for (let j = 0; j < h.length; j++) e -= v[i] * rbm.W.get(i, j) * h[j];
  }
  for (let j = 0; j < h.length; j++) e -= rbm.b[j] * h[j];
  return e;
}

/** p_T(v, h) = exp(-E / T) / Z for all states, rows v, columns h. */
export function joint(rbm: RBM, T = 1) {
  const vs = states(rbm.nVisible);
  const hs = states(rbm.nHidden);
  const p = vs.map((v) => hs.map((h) => Math.exp(-energyOf(rbm, v, h) / T)));
  const Z = p.flat().reduce((s, x) => s + x, 0);
  return { vs, hs, p: p.map((row) => row.map((x) => x / Z)), Z };
}

/** A float64 RBM with weights and biases ~ N(0, scale^2). */
export function tinyRBM(seed: number, nV = 3, nH = 2, scale = 1): RBM {
  const random = new Random(seed);
  const rbm = new RBM(nV, nH, { random, weightScale: scale });
  for (let i = 0; i < nV; i++) rbm.a[i] = random.normal(0, scale);
  for (let j = 0; j < nH; j++) rbm.b[j] = random.normal(0, scale);
  return rbm;
}

/** log sum_h exp(-E(v, h)) of every v (index = v read as binary). */
function logMarginals(rbm: RBM): number[] {
  const hs = states(rbm.nHidden);
  return states(rbm.nVisible).map((v) => {
    const terms = hs.map((h) => -energyOf(rbm, v, h));
    const m = Math.max(...terms);
    return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  });
}

/** Exact mean log p(v) over the binary rows of `data`. */
export function exactLogLikelihood(rbm: RBM, data: Matrix): number {
  const logq = logMarginals(rbm);
  const m = Math.max(...logq);
  const logZ = m + Math.log(logq.reduce((s, x) => s + Math.exp(x - m), 0));
  let total = 0;
  for (let r = 0; r < data.rows; r++) {
    let s = 0;
    for (const x of data.row(r)) s = 2 * s + x;
    total += logq[s] - logZ;
  }
  return total / data.rows;
}

/**
 * Exact gradient of the mean log-likelihood of the rows of `data`:
 * E_data[v P(h | v)^T] - E_model[v P(h | v)^T], and likewise for a, b.
 */
export function exactGradient(rbm: RBM, data: Matrix) {
  const logq = logMarginals(rbm);
  const m = Math.max(...logq);
  const w = logq.map((x) => Math.exp(x - m));
  const Z = w.reduce((s, x) => s + x, 0);
  const [nV, nH] = [rbm.nVisible, rbm.nHidden];
  const g = {
    W: new Float64Array(nV * nH),
    a: new Float64Array(nV),
    b: new Float64Array(nH),
  };
  const add = (v: ArrayLike<number>, weight: number) => {
    for (let j = 0; j < nH; j++) {
      let x = rbm.b[j];
      for (let i = 0; i < nV; i++) x += v[i] * rbm.W.get(i, j);
      g.b[j] += weight * sigma(x);
      for (let i = 0; i < nV; i++) g.W[i * nH + j] += weight * v[i] * sigma(x);
    }
    for (let i = 0; i < nV; i++) g.a[i] += weight * v[i];
  };
  for (let r = 0; r < data.rows; r++) add(data.row(r), 1 / data.rows);
  states(nV).forEach((v, s) => add(v, -w[s] / Z));
  return g;
}

/** Rows of three 6-bit prototypes, each bit flipped with prob. `noise`. */
export function toySet(random: Random, n: number, noise = 0.05): Matrix {
  const prototypes = [
    [1, 1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1],
    [1, 0, 1, 0, 1, 0],
  ];
  return Matrix.fromRows(
    Array.from({ length: n }, (_, r) =>
      prototypes[r % 3].map((x) => (random.uniform() < noise ? 1 - x : x)),
    ),
  );
}

/** Largest |x[i] - y[i]|. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
