/**
 * Contrastive divergence for the binary RBM: CD-k (Hinton 2002) and
 * persistent CD, PCD (Tieleman 2008), following Hinton's "A Practical
 * Guide to Training Restricted Boltzmann Machines" (2010) by default:
 * - positive statistics use P(h | v_data); the reconstruction is driven by
 *   hidden states sampled from it (section 3.1);
 * - the reconstruction and the negative statistics use probabilities
 *   P(v | h), not samples (3.2), unless `sampleVisible`; intermediate
 *   sweeps of CD-k (k > 1) and the persistent chains sample v;
 * - negative hidden statistics are P(h | v_negative) (3.3);
 * - dW = momentum dW + lr ((V^T P0) / n - (V'^T P') / r - weightDecay W),
 *   W += dW, and the same for a, b without decay.
 *
 * Dimension letters: n rows of a batch, r negative rows (r = n for CD-k,
 * the number of chains for PCD), V visible, H hidden units. All batches are
 * row-major matrices in the model's dtype.
 *
 * Speed: the trainer keeps every scratch matrix, so a batch allocates
 * nothing; the five products of a CD-1 step go through `gemm`, sampling is
 * one tight loop over `random.uniform()`.
 */
import { gemm } from "./gemm";
import {
  addMeanDiff,
  chainScratch,
  finishChain,
  startPersistent,
  zeros,
  type BatchScratch,
  type ChainScratch,
} from "./rbm-chain";
import {
  checkRBMParams,
  hiddenProbs,
  visibleProbs,
  type RBMParams,
} from "./rbm-energy";
import {
  checkCDOptions,
  type CDTrainerOptions,
  type ResolvedCDOptions,
} from "./rbm-options";
import { checkBinary, sampleBinary } from "./rbm";
import { NonFiniteLossError } from "./train";
import { checkMatrix, type FloatArray, Matrix } from "./tensor";

/**
 * Trains an RBM in place by CD-k or PCD, one mini-batch at a time. Holds
 * the momentum buffers (dW, da, db), the persistent chains and every
 * scratch matrix, so a batch allocates nothing after the first of its
 * size. See the module header for the update and `CDTrainerOptions` for
 * the defaults (Hinton's recipe).
 */
export class CDTrainer {
  /** The model, updated in place. */
  readonly rbm: RBMParams;
  private readonly o: ResolvedCDOptions;
  private epochs = 0;
  private batches = 0;
  private stopped = false;
  private readonly dW: Matrix;
  private readonly da: Float64Array;
  private readonly db: Float64Array;
  private readonly scratch = new Map<number, BatchScratch>();
  private persistent: ChainScratch | null = null;
  private readonly gather: Matrix;

  constructor(rbm: RBMParams, options: CDTrainerOptions) {
    checkRBMParams("rbm", rbm);
    this.rbm = rbm;
    this.o = checkCDOptions(options);
    const { W } = rbm;
    this.dW = zeros(W.rows, W.cols, W);
    this.da = new Float64Array(W.rows);
    this.db = new Float64Array(W.cols);
    this.gather = zeros(this.o.batchSize, W.rows, W);
  }

  /** Completed `epoch` calls; drives the default momentum schedule. */
  get epochsDone(): number {
    return this.epochs;
  }

  /** Mini-batch updates done so far (by `step` and `epoch`). */
  get batchesDone(): number {
    return this.batches;
  }

  /** true if `onBatch` returned false during the last `epoch` call. */
  get stoppedEarly(): boolean {
    return this.stopped;
  }

  /** Momentum of the next update: fixed, or 0.5 for 5 epochs, then 0.9. */
  get momentum(): number {
    return this.o.momentum ?? (this.epochs < 5 ? 0.5 : 0.9);
  }

  /**
   * A copy of the persistent chains' visible states `[chains, V]`
   * (fantasy particles), or null without PCD or before the first update.
   */
  chainStates(): Matrix | null {
    return this.persistent ? this.persistent.VS.clone() : null;
  }

  /**
   * One update from the binary rows of `batch` `[n, V]`, n >= 1 (any n:
   * a short last batch is fine). Returns the batch's reconstruction error
   * (mean over rows of the summed squared v - P(v | h0), h0 sampled).
   */
  step(batch: Matrix): number {
    this.checkData("batch", batch);
    const error = this.update(batch, this.scratchFor(batch.rows));
    this.checkError(error);
    return error;
  }

  /**
   * One pass over the binary rows of `data` `[N, V]` in mini-batches of
   * `batchSize` (shuffled with `random` unless `shuffle: false`; the last
   * batch holds the remainder). Calls `onBatch` after each update; returns
   * the mean reconstruction error per row over the rows trained on.
   */
  epoch(data: Matrix): number {
    this.checkData("data", data);
    const { batchSize, shuffle, random, onBatch } = this.o;
    const N = data.rows;
    const nV = data.cols;
    const order = shuffle ? random.permutation(N) : null;
    const batches = Math.ceil(N / batchSize);
    let total = 0;
    let rows = 0;
    this.stopped = false;
    for (let batch = 0; batch < batches; batch++) {
      const start = batch * batchSize;
      const s = this.scratchFor(Math.min(batchSize, N - start));
      const x = s.X.data;
      for (let r = 0; r < s.X.rows; r++) {
        const src = order ? order[start + r] : start + r;
        x.set(data.data.subarray(src * nV, (src + 1) * nV), r * nV);
      }
      const error = this.update(s.X, s);
      this.checkError(error);
      total += error * s.X.rows;
      rows += s.X.rows;
      const info = { epoch: this.epochs, batch, batches };
      if (onBatch?.({ ...info, reconstructionError: error }) === false) {
        this.stopped = true;
        break;
      }
    }
    this.epochs++;
    return total / rows;
  }

  /** Phases and update of one batch X [n, V]; returns its error. */
  private update(X: Matrix, s: BatchScratch): number {
    const { rbm } = this;
    const { k, random, sampleVisible } = this.o;

    // Positive phase and the reconstruction from sampled hidden states.
    hiddenProbs(rbm, X, s.P0);
    sampleBinary(s.P0, random, s.H0);
    visibleProbs(rbm, s.H0, s.R);
    const error = squaredError(X.data, s.R.data) / X.rows;

    // Negative phase: CD continues from the reconstruction, PCD from the
    // persistent chains.
    let chain = s.chain;
    if (this.o.persistent) {
      chain = this.persistentChains();
      startPersistent(rbm, chain, random);
    }
    const persistent = this.o.persistent;
    const Vneg = finishChain(rbm, chain, k, random, sampleVisible, persistent);

    this.applyUpdate(X, s.P0, Vneg, chain.PN);
    this.batches++;
    return error;
  }

  /** Momentum step of W, a, b from the two phases' statistics. */
  private applyUpdate(X: Matrix, P0: Matrix, Vneg: Matrix, PN: Matrix) {
    const { W, a, b } = this.rbm;
    const { learningRate: lr, weightDecay, threads } = this.o;
    const momentum = this.momentum;

    // dW = momentum dW + lr (X^T P0 / n - Vneg^T PN / r - decay W)
    const common = { transA: true, threads };
    gemm(X, P0, this.dW, { ...common, alpha: lr / X.rows, beta: momentum });
    gemm(Vneg, PN, this.dW, { ...common, alpha: -lr / Vneg.rows, beta: 1 });
    stepWeights(W.data, this.dW.data, lr * weightDecay);

    // Biases, without decay.
    for (const [bias, velocity, pos, neg] of [
      [a, this.da, X, Vneg],
      [b, this.db, P0, PN],
    ] as const) {
      for (let j = 0; j < velocity.length; j++) velocity[j] *= momentum;
      addMeanDiff(pos, neg, velocity, lr);
      for (let j = 0; j < velocity.length; j++) bias[j] += velocity[j];
    }
  }

  /** The persistent chains, drawn from sigma(a) on first use. */
  private persistentChains(): ChainScratch {
    if (this.persistent === null) {
      const { W, a } = this.rbm;
      const V0 = zeros(this.o.chains, W.rows, W);
      const { random } = this.o;
      for (let k = 0; k < V0.data.length; k++) {
        const p = 1 / (1 + Math.exp(-a[k % W.rows]));
        V0.data[k] = random.uniform() < p ? 1 : 0;
      }
      this.persistent = chainScratch(this.rbm, V0);
    }
    return this.persistent;
  }

  /** Scratch for batches of `n` rows, made once per size. */
  private scratchFor(n: number): BatchScratch {
    let s = this.scratch.get(n);
    if (s === undefined) {
      const { W } = this.rbm;
      const X =
        n <= this.gather.rows
          ? new Matrix(n, W.rows, this.gather.data.subarray(0, n * W.rows))
          : zeros(n, W.rows, W);
      const P0 = zeros(n, W.cols, W);
      const H0 = zeros(n, W.cols, W);
      const R = zeros(n, W.rows, W);
      // CD's chain reuses R (its first P(v | h)) and H0 (no longer needed).
      const chain = {
        VP: R,
        VS: zeros(n, W.rows, W),
        PN: zeros(n, W.cols, W),
        HN: H0,
      };
      s = { X, P0, H0, R, chain };
      this.scratch.set(n, s);
    }
    return s;
  }

  private checkData(name: string, X: Matrix): void {
    const { W } = this.rbm;
    checkMatrix(name, X, undefined, W.rows, W.dtype);
    if (X.rows === 0) {
      throw new RangeError(`${name}: expected at least one row, got 0`);
    }
    checkBinary(name, X);
  }

  private checkError(error: number): void {
    if (!Number.isFinite(error)) {
      throw new NonFiniteLossError(this.batches - 1, error, this.epochs);
    }
  }
}

/** dw -= decay w, then w += dw, elementwise over W's storage. */
function stepWeights(w: FloatArray, dw: FloatArray, decay: number): void {
  for (let i = 0; i < w.length; i++) {
    const d = dw[i] - decay * w[i];
    dw[i] = d;
    w[i] += d;
  }
}

/** sum_k (x[k] - y[k])^2 over equal-length arrays, in float64. */
function squaredError(x: FloatArray, y: FloatArray): number {
  let total = 0;
  for (let k = 0; k < x.length; k++) {
    const d = x[k] - y[k];
    total += d * d;
  }
  return total;
}
