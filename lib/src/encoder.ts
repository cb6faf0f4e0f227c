/**
 * The encoder G_W of a Siamese network (issue 7, lecture section 5): a
 * small feed-forward network of dense layers, each row of the input one
 * example,
 *
 *   A_0 = X,  A_l = f(A_{l-1} W_l + b_l)  (l = 1 .. L-1),
 *   G_W(X) = A_L = A_{L-1} W_L + b_L      (the last layer is linear),
 *
 * with f = ReLU or tanh, and its backward pass written out:
 *
 *   dZ_L = dG,  dZ_l = dA_l * f'(A_l),
 *   dW_l += A_{l-1}^T dZ_l,  db_l += sum over rows of dZ_l,
 *   dA_{l-1} = dZ_l W_l^T.
 *
 * The gradients ADD into `gradients`: a Siamese network runs the one
 * encoder on both inputs of a pair and calls `backward` once per branch,
 * so the two branches' gradients sum in the same buffers, which is what
 * sharing the weights W means (clear them with `zeroGrad` before a step).
 *
 * Dimension letters: N examples, n_0 .. n_L the layer widths (`sizes`),
 * n_0 the input width and D = n_L the embedding width. W_l is stored
 * row-major `[n_{l-1}, n_l]` (inputs by outputs, so a row of X times W_l
 * is the layer's pre-activation), b_l is `[n_l]`.
 *
 * Initialisation: W_l normal with variance 2 / n_{l-1} for ReLU (He et
 * al. 2015) or 1 / n_{l-1} for tanh (LeCun et al. 1998), the last layer
 * always 1 / n_{L-1}; biases 0.
 */

import { gemm } from "./gemm";
import { type Parameter, parameter } from "./optim";
import type { Random } from "./random";
import {
  allocate,
  checkDType,
  checkMatrix,
  checkOptionKeys,
  describeValue,
  type DType,
  type FloatArray,
  Matrix,
} from "./tensor";

/** The hidden layers' nonlinearity f. */
export type EncoderActivation = "relu" | "tanh";

/** Options of `new Encoder`. */
export interface EncoderOptions {
  /** Layer widths [n_0, .., n_L], at least two, each an integer >= 1. */
  sizes: readonly number[];
  /** f of the hidden layers: "relu" (default) or "tanh". */
  activation?: EncoderActivation;
  /** "float32" (default, for training) or "float64" (for checks). */
  dtype?: DType;
  /** Seeded source of the initial weights; required unless `init` "zeros". */
  random?: Random;
  /** "normal" (default, see the module header) or "zeros" (for loading). */
  init?: "normal" | "zeros";
}

/** What `forward` keeps for `backward`. */
export interface EncoderCache {
  /** A_0 .. A_L: the input and every layer's output, `[N, n_l]`. */
  activations: Matrix[];
}

const OPTIONS = ["sizes", "activation", "dtype", "random", "init"];

/**
 * G_W: dense layers with shared use by both branches of a Siamese
 * network. Lecture symbols to fields: W_l = `weights[l - 1]`, b_l =
 * `biases[l - 1]`; their gradients are in `gradients` at the same places.
 */
export class Encoder {
  readonly sizes: readonly number[];
  readonly activation: EncoderActivation;
  readonly dtype: DType;
  readonly weights: Matrix[] = [];
  readonly biases: FloatArray[] = [];
  readonly gradients: { weights: Matrix[]; biases: FloatArray[] } = {
    weights: [],
    biases: [],
  };
  /** W_1, b_1, .., W_L, b_L with their gradients, for an optimizer. */
  readonly params: Parameter[] = [];

  constructor(options: EncoderOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `options: expected {sizes, ...}, got ${describeValue(options)}`,
      );
    }
    checkOptionKeys("options", options, OPTIONS);
    this.sizes = Object.freeze(checkSizes(options.sizes));
    this.activation = checkActivation(options.activation ?? "relu");
    this.dtype = checkDType("options.dtype", options.dtype ?? "float32");
    const init = options.init ?? "normal";
    if (init !== "normal" && init !== "zeros") {
      throw new RangeError(
        `options.init: expected "normal" or "zeros", got ${describeValue(init)}`,
      );
    }
    const random = options.random;
    if (init === "normal" && typeof random?.normal !== "function") {
      throw new TypeError(
        `options.random: expected a Random (to draw the initial weights), ` +
          `got ${describeValue(random)}`,
      );
    }
    for (let l = 1; l < this.sizes.length; l++) {
      const [fanIn, fanOut] = [this.sizes[l - 1], this.sizes[l]];
      const W = Matrix.zeros(fanIn, fanOut, this.dtype);
      const last = l === this.sizes.length - 1;
      const gain = this.activation === "relu" && !last ? 2 : 1;
      const std = Math.sqrt(gain / fanIn);
      if (init === "normal") {
        for (let i = 0; i < W.data.length; i++)
          W.data[i] = random!.normal(0, std);
      }
      const b = allocate(this.dtype, fanOut);
      this.weights.push(W);
      this.biases.push(b);
      const pW = parameter(`W${l}`, W);
      const pb = parameter(`b${l}`, b);
      this.gradients.weights.push(new Matrix(fanIn, fanOut, pW.grad));
      this.gradients.biases.push(pb.grad);
      this.params.push(pW, pb);
    }
  }

  /** n_0, the input width. */
  get inputSize(): number {
    return this.sizes[0];
  }

  /** D = n_L, the embedding width. */
  get outputSize(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** G_W(X) of `X` `[N, n_0]` (this encoder's dtype) and the cache. */
  forward(X: Matrix): { output: Matrix; cache: EncoderCache } {
    checkMatrix("X", X, undefined, this.inputSize, this.dtype);
    const activations = [X];
    let A = X;
    for (let l = 0; l < this.weights.length; l++) {
      const W = this.weights[l];
      const Z = Matrix.zeros(A.rows, W.cols, this.dtype);
      const b = this.biases[l];
      for (let i = 0; i < Z.rows; i++) Z.data.set(b, i * W.cols);
      gemm(A, W, Z, { beta: 1 });
      if (l < this.weights.length - 1) activate(this.activation, Z.data);
      activations.push(Z);
      A = Z;
    }
    return { output: A, cache: { activations } };
  }

  /** G_W(X) alone (no cache kept by the caller). */
  embed(X: Matrix): Matrix {
    return this.forward(X).output;
  }

  /**
   * Adds the gradient of a loss with respect to W and b, given `dOutput`
   * = dLoss/dG_W(X) `[N, D]`, into `gradients`; returns dLoss/dX `[N, n_0]`
   * when `inputGradient` is true, else null. `dOutput` may be float64
   * (as `contrastiveLoss` gives it) for a float32 encoder.
   */
  backward(
    cache: EncoderCache,
    dOutput: Matrix,
    inputGradient = false,
  ): Matrix | null {
    const acts = cache?.activations;
    if (!Array.isArray(acts) || acts.length !== this.sizes.length) {
      throw new TypeError(
        `cache: expected what forward() returned, got ${describeValue(cache)}`,
      );
    }
    const N = acts[0]?.rows;
    acts.forEach((A, l) => {
      if (!(A instanceof Matrix) || A.rows !== N || A.cols !== this.sizes[l]) {
        throw new RangeError(
          `cache: activation ${l} is ${describeValue(A)}, expected ` +
            `[${N}, ${this.sizes[l]}]: a cache of this encoder's forward()`,
        );
      }
    });
    checkMatrix("dOutput", dOutput, N, this.outputSize);
    let dZ =
      dOutput.dtype === this.dtype ? dOutput : dOutput.toDType(this.dtype);
    for (let l = this.weights.length - 1; l >= 0; l--) {
      const A = acts[l];
      gemm(A, dZ, this.gradients.weights[l], { transA: true, beta: 1 });
      addColumnSums(dZ, this.gradients.biases[l]);
      if (l === 0 && !inputGradient) return null;
      const dA = Matrix.zeros(N, A.cols, this.dtype);
      gemm(dZ, this.weights[l], dA, { transB: true });
      if (l > 0) activateBackward(this.activation, A.data, dA.data);
      dZ = dA;
    }
    return dZ;
  }

  /** Sets every gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** Number of weights and biases. */
  get parameterCount(): number {
    return this.params.reduce((n, p) => n + p.value.length, 0);
  }
}

/** f applied in place to pre-activations `z`. */
function activate(kind: EncoderActivation, z: FloatArray): void {
  if (kind === "relu") {
    for (let i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
  } else {
    for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i]);
  }
}

/** dA times f'(Z) in place, with f' written through the output A = f(Z). */
function activateBackward(
  kind: EncoderActivation,
  a: FloatArray,
  dA: FloatArray,
): void {
  if (kind === "relu") {
    for (let i = 0; i < a.length; i++) if (!(a[i] > 0)) dA[i] = 0;
  } else {
    for (let i = 0; i < a.length; i++) dA[i] *= 1 - a[i] * a[i];
  }
}

/** out[j] += sum_i M[i, j]. */
function addColumnSums(M: Matrix, out: FloatArray): void {
  const { rows, cols, data } = M;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j] += data[row + j];
  }
}

function checkSizes(sizes: unknown): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new TypeError(
      `options.sizes: expected an array of at least two layer widths ` +
        `[n_0, .., n_L], got ${describeValue(sizes)}`,
    );
  }
  sizes.forEach((n, i) => {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(
        `options.sizes[${i}]: expected an integer >= 1, got ${describeValue(n)}`,
      );
    }
  });
  return sizes.slice();
}

function checkActivation(activation: unknown): EncoderActivation {
  if (activation !== "relu" && activation !== "tanh") {
    throw new RangeError(
      `options.activation: expected "relu" or "tanh", got ` +
        describeValue(activation),
    );
  }
  return activation;
}
