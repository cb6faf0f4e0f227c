/**
 * Binary restricted Boltzmann machine (lecture section 2; Hinton, "A
 * Practical Guide to Training Restricted Boltzmann Machines", 2010): the
 * stochastic binary neuron, block Gibbs sampling, reconstruction and its
 * error, pseudo-likelihood. Energies and conditionals come from
 * rbm-energy.ts; training is in rbm-train.ts, save and load in rbm-io.ts.
 *
 * Dimension letters: n rows (samples), V visible units, H hidden units.
 * Batches are row-major matrices with one sample per row: visible `[n, V]`,
 * hidden `[n, H]`, in the model's dtype.
 *
 * Limits: binary units only (no Gaussian visible units, no softmax groups);
 * where a state is required (Gibbs chains, pseudo-likelihood, training
 * data) every entry must be exactly 0 or 1.
 */
import { checkRandom } from "./hopfield-checks";
import type { Random } from "./random";
import { checkOptionObject, integerAtLeast } from "./rbm-options";
import {
  checkRBMParams,
  checkTemperature,
  energy,
  freeEnergy,
  hiddenProbs,
  visibleProbs,
  type RBMParams,
} from "./rbm-energy";
import {
  allocate,
  checkDType,
  checkMatrix,
  describeValue,
  type DType,
  type FloatArray,
  Matrix,
} from "./tensor";

/**
 * Stochastic binary neuron: 1 with probability sigma(field / T), else 0
 * (one `random.uniform()` draw). Finite for any field, +-1000 included.
 */
export function stochasticNeuron(
  field: number,
  random: Random,
  temperature = 1,
): 0 | 1 {
  if (typeof field !== "number" || Number.isNaN(field)) {
    throw new TypeError(`field: expected a number, got ${String(field)}`);
  }
  checkRandom("random", random);
  const x = field / checkTemperature(temperature);
  // exp of a non-positive argument only, so nothing overflows.
  const p = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  return random.uniform() < p ? 1 : 0;
}

/**
 * Throws unless `X` is a Matrix whose entries are all exactly 0 or 1; the
 * RangeError names the first offending entry as `name[row, col]`.
 */
export function checkBinary(name: string, X: Matrix): void {
  checkMatrix(name, X);
  const x = X.data;
  for (let k = 0; k < x.length; k++) {
    const v = x[k];
    if (v !== 0 && v !== 1) {
      const row = Math.floor(k / X.cols);
      throw new RangeError(
        `${name}[${row}, ${k - row * X.cols}]: expected 0 or 1 ` +
          `(binary data), got ${v}`,
      );
    }
  }
}

/**
 * out[i] = 1 with probability P[i], else 0, for probabilities `P` `[n, m]`
 * (one `random.uniform()` per entry, in storage order); `out` may be `P`.
 * Entries of P are not checked (they come from a sigmoid): NaN gives 0.
 */
export function sampleBinary(P: Matrix, random: Random, out?: Matrix): Matrix {
  checkMatrix("P", P);
  checkRandom("random", random);
  const S = out
    ? checkMatrix("out", out, P.rows, P.cols, P.dtype)
    : Matrix.zeros(P.rows, P.cols, P.dtype);
  sampleInto(P.data, S.data, random);
  return S;
}

/** The loop of `sampleBinary`, without checks. */
function sampleInto(p: FloatArray, out: FloatArray, random: Random): void {
  for (let i = 0; i < p.length; i++) out[i] = random.uniform() < p[i] ? 1 : 0;
}

/** Options of the `RBM` constructor; every field is optional. */
export interface RBMOptions {
  /** Element type of W, a and b. Default "float64". */
  dtype?: DType;
  /** Seeded source of the initial weights; required if weightScale > 0. */
  random?: Random;
  /** W ~ N(0, weightScale^2), as Hinton's guide (0.01). 0 gives zeros. */
  weightScale?: number;
}

/**
 * Binary RBM. Lecture symbols and fields:
 * - w_ij (visible i, hidden j) -> `W` `[V, H]`, at `W.data[i * H + j]`
 * - a_i, the visible bias -> `a` `[V]`; b_j, the hidden bias -> `b` `[H]`
 * - n1 visible units -> `nVisible`; n2 hidden units -> `nHidden`
 * - E(v, h) -> `energy(V, H)`; F(v) -> `freeEnergy(V)`
 * - P(h = 1 | v) -> `hiddenProbs(V)`; P(v = 1 | h) -> `visibleProbs(H)`
 * - the reconstruction v' = sigma(sigma(v W + b) W^T + a) -> `reconstruct`
 *
 * Biases start at zero; `initVisibleBias(data)` sets a to the data's
 * log-odds (Hinton's guide, section 8). Fields are live: training updates
 * them in place.
 */
export class RBM implements RBMParams {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly W: Matrix;
  readonly a: FloatArray;
  readonly b: FloatArray;

  /**
   * @param nVisible V >= 1
   * @param nHidden H >= 1
   */
  constructor(nVisible: number, nHidden: number, options: RBMOptions = {}) {
    checkOptionObject("options", options, ["dtype", "random", "weightScale"]);
    integerAtLeast("nVisible", nVisible, 1);
    integerAtLeast("nHidden", nHidden, 1);
    const dtype = checkDType("options.dtype", options.dtype ?? "float64");
    const scale = options.weightScale ?? 0.01;
    if (typeof scale !== "number") {
      throw new TypeError(
        `options.weightScale: expected a finite number >= 0, got ` +
          describeValue(scale),
      );
    }
    if (!(scale >= 0 && scale < Infinity)) {
      throw new RangeError(
        `options.weightScale: expected a finite number >= 0, got ${scale}`,
      );
    }
    this.nVisible = nVisible;
    this.nHidden = nHidden;
    this.W = Matrix.zeros(nVisible, nHidden, dtype);
    this.a = allocate(dtype, nVisible);
    this.b = allocate(dtype, nHidden);
    if (scale > 0) {
      const random = options.random;
      if (random === undefined) {
        throw new TypeError(
          `options.random: required to draw W ~ N(0, ${scale}^2) ` +
            "(pass a seeded Random, or weightScale: 0 for zero weights)",
        );
      }
      checkRandom("options.random", random);
      const w = this.W.data;
      for (let k = 0; k < w.length; k++) w[k] = random.normal(0, scale);
    }
  }

  /** Element type of W, a and b. */
  get dtype(): DType {
    return this.W.dtype;
  }

  /** A new RBM holding copies of `params`' W, a and b (same dtype). */
  static fromParams(params: RBMParams): RBM {
    const dtype = checkRBMParams("params", params);
    const { W, a, b } = params;
    const rbm = new RBM(W.rows, W.cols, { dtype, weightScale: 0 });
    rbm.W.data.set(W.data);
    rbm.a.set(a);
    rbm.b.set(b);
    return rbm;
  }

  /** A copy with its own storage. */
  clone(): RBM {
    return RBM.fromParams(this);
  }

  /** P(h = 1 | v) `[n, H]` = sigma((b + V W) / T) for `V` `[n, V]`. */
  hiddenProbs(V: Matrix, out?: Matrix, temperature = 1): Matrix {
    return hiddenProbs(this, V, out, temperature);
  }

  /** P(v = 1 | h) `[n, V]` = sigma((a + H W^T) / T) for `H` `[n, H]`. */
  visibleProbs(H: Matrix, out?: Matrix, temperature = 1): Matrix {
    return visibleProbs(this, H, out, temperature);
  }

  /** Binary hidden states `[n, H]` drawn from P(h | v) at temperature T. */
  sampleHidden(V: Matrix, random: Random, temperature = 1): Matrix {
    checkRandom("random", random);
    const P = hiddenProbs(this, V, undefined, temperature);
    return sampleBinary(P, random, P);
  }

  /** Binary visible states `[n, V]` drawn from P(v | h) at temperature T. */
  sampleVisible(H: Matrix, random: Random, temperature = 1): Matrix {
    checkRandom("random", random);
    const P = visibleProbs(this, H, undefined, temperature);
    return sampleBinary(P, random, P);
  }

  /** F(v) of each row of `V` `[n, V]`, float64 `[n]`. */
  freeEnergy(V: Matrix): Float64Array {
    return freeEnergy(this, V);
  }

  /** E(v, h) of each pair of rows of `V` `[n, V]`, `H` `[n, H]`. */
  energy(V: Matrix, H: Matrix): Float64Array {
    return energy(this, V, H);
  }

  /**
   * `steps` >= 1 sweeps of block Gibbs sampling from the binary rows of
   * `V` `[n, V]` (one chain per row): each sweep draws h ~ P(h | v), then
   * v ~ P(v | h). Returns the last v `[n, V]`, the h `[n, H]` it was drawn
   * from and P(v | h) `[n, V]` (smoother to display than v).
   */
  gibbs(
    V: Matrix,
    steps: number,
    random: Random,
    options: { temperature?: number } = {},
  ): { v: Matrix; h: Matrix; vProbs: Matrix } {
    checkOptionObject("options", options, ["temperature"]);
    this.checkVisible("V", V);
    checkBinary("V", V);
    integerAtLeast("steps", steps, 1);
    checkRandom("random", random);
    const T = checkTemperature(options.temperature ?? 1, "options.temperature");
    const v = V.clone();
    const h = Matrix.zeros(V.rows, this.nHidden, this.dtype);
    const vProbs = Matrix.zeros(V.rows, this.nVisible, this.dtype);
    for (let s = 0; s < steps; s++) {
      sampleInto(hiddenProbs(this, v, h, T).data, h.data, random);
      visibleProbs(this, h, vProbs, T);
      sampleInto(vProbs.data, v.data, random);
    }
    return { v, h, vProbs };
  }

  /**
   * Mean-field reconstruction sigma(sigma(V W + b) W^T + a) `[n, V]` of
   * the rows of `V` `[n, V]` (values in [0, 1]; need not be binary).
   */
  reconstruct(V: Matrix): Matrix {
    this.checkVisible("V", V);
    return visibleProbs(this, hiddenProbs(this, V));
  }

  /**
   * Mean over the rows of `V` `[n, V]`, n >= 1, of the summed squared
   * difference between v and its `reconstruct`ion.
   */
  reconstructionError(V: Matrix): number {
    this.checkVisible("V", V);
    nonEmpty("V", V);
    const R = this.reconstruct(V);
    let total = 0;
    for (let k = 0; k < V.data.length; k++) {
      const d = V.data[k] - R.data[k];
      total += d * d;
    }
    return total / V.rows;
  }

  /**
   * Mean log pseudo-likelihood of the binary rows of `V` `[n, V]`, n >= 1,
   * estimated as scikit-learn's BernoulliRBM does: one visible unit i per
   * row, drawn with `random`, and V log P(v_i | v_rest), where
   * P(v_i | v_rest) = sigma(F(v with v_i flipped) - F(v)).
   */
  pseudoLikelihood(V: Matrix, random: Random): number {
    this.checkVisible("V", V);
    nonEmpty("V", V);
    checkBinary("V", V);
    checkRandom("random", random);
    const flipped = V.clone();
    const nV = this.nVisible;
    for (let r = 0; r < V.rows; r++) {
      const k = r * nV + random.int(nV);
      flipped.data[k] = 1 - flipped.data[k];
    }
    const F = freeEnergy(this, V);
    const Fflip = freeEnergy(this, flipped);
    let total = 0;
    for (let r = 0; r < V.rows; r++) {
      // log sigma(x) = min(x, 0) - log1p(exp(-|x|)): finite for any x.
      const x = Fflip[r] - F[r];
      total += Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
    }
    return (nV * total) / V.rows;
  }

  /**
   * Sets a_i = log(p_i / (1 - p_i)), p_i the mean of column i of the
   * binary `data` `[n, V]`, n >= 1, clipped to [1e-3, 1 - 1e-3] so that a
   * unit that is always off gets a finite bias (Hinton's guide, 8.1).
   */
  initVisibleBias(data: Matrix): void {
    this.checkVisible("data", data);
    nonEmpty("data", data);
    checkBinary("data", data);
    const counts = new Float64Array(this.nVisible);
    for (let r = 0; r < data.rows; r++) {
      const row = data.row(r);
      for (let i = 0; i < row.length; i++) counts[i] += row[i];
    }
    for (let i = 0; i < this.nVisible; i++) {
      const p = Math.min(Math.max(counts[i] / data.rows, 1e-3), 1 - 1e-3);
      this.a[i] = Math.log(p / (1 - p));
    }
  }

  /** Throws unless `X` is `[n, V]` in the model's dtype. */
  private checkVisible(name: string, X: Matrix): void {
    checkMatrix(name, X, undefined, this.nVisible, this.dtype);
  }
}

/** Throws when `X` has no rows (a mean over none is undefined). */
function nonEmpty(name: string, X: Matrix): void {
  if (X.rows === 0) {
    throw new RangeError(`${name}: expected at least one row, got 0`);
  }
}
