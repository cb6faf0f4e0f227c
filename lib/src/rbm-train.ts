/**
 * Training a binary RBM by CD-k or PCD over epochs, with monitoring through
 * callbacks (STYLE habit 10: the library never prints). The update itself
 * is `CDTrainer` (rbm-cd.ts); defaults follow Hinton's "A Practical Guide
 * to Training Restricted Boltzmann Machines" (2010), see rbm-options.ts.
 *
 * What an epoch reports (`RBMEpochInfo`):
 * - the reconstruction error, always (cheap, but a poor guide to the
 *   likelihood: the guide, section 5);
 * - the free-energy gap mean F(held-out) - mean F(training subset): the
 *   overfitting signal of the guide, 6.1 (it grows when the model starts
 *   to prefer the training rows);
 * - the pseudo-likelihood of the training subset (scikit-learn's
 *   one-flipped-bit estimate, see `RBM.pseudoLikelihood`).
 *
 * Dimension letters: N training rows, V visible units. Data sets are
 * binary row-major matrices `[rows, V]` in the model's dtype.
 */
import { Random } from "./random";
import { checkBinary, RBM } from "./rbm";
import { CDTrainer } from "./rbm-cd";
import { freeEnergy } from "./rbm-energy";
import {
  checkBoolean,
  checkCDOptions,
  checkOptionObject,
  count,
  type CDTrainerOptions,
} from "./rbm-options";
import { checkMatrix, checkSize, describeValue, Matrix } from "./tensor";

export * from "./rbm-cd";
export * from "./rbm-gradient";
export type { CDTrainerOptions, RBMBatchInfo } from "./rbm-options";

/** Data sets to monitor; see the module header. */
export interface RBMMonitor {
  /** A subset of the training rows (a few hundred is enough). */
  train?: Matrix;
  /** Rows not trained on, for the free-energy gap (needs `train`). */
  heldOut?: Matrix;
  /** Monitor every `every` epochs (and after the last). Default 1. */
  every?: number;
}

/** What `trainRBM` reports after each epoch. */
export interface RBMEpochInfo {
  /** 0-based epoch. */
  epoch: number;
  /** Mean over the epoch's rows of the reconstruction error. */
  reconstructionError: number;
  /** mean F(monitor.heldOut) - mean F(monitor.train), when both given. */
  freeEnergyGap?: number;
  /** Mean log pseudo-likelihood of monitor.train, when given. */
  pseudoLikelihood?: number;
  /** Wall time of the epoch's training, monitoring excluded. */
  seconds: number;
}

/** Options of `trainRBM`: those of `CDTrainer` and the following. */
export interface RBMTrainOptions extends CDTrainerOptions {
  /** Passes over the data, an integer >= 0. */
  epochs: number;
  /** Held-out and training subsets to monitor on (see `RBMMonitor`). */
  monitor?: RBMMonitor;
  /** After each epoch (and its monitoring); returning false stops. */
  onEpoch?: (info: RBMEpochInfo) => void | boolean;
  /**
   * Set a to the data's log-odds before training (`RBM.initVisibleBias`,
   * the guide, 8.1). Default: true when every a_i is 0 (a fresh model),
   * so that further training of a trained model keeps its biases.
   */
  initVisibleBias?: boolean;
}

/** What `trainRBM` returns. */
export interface RBMTrainResult {
  /** One entry per epoch run (the last may be cut short by onBatch). */
  history: RBMEpochInfo[];
  /** true if onBatch or onEpoch returned false. */
  stopped: boolean;
}

const TRAIN_KEYS = ["epochs", "monitor", "onEpoch", "initVisibleBias"];

/**
 * Trains `rbm` in place on the binary rows of `data` `[N, V]` for
 * `options.epochs` epochs of mini-batch CD-k or PCD (see `CDTrainer`),
 * calling `onBatch` after each update and `onEpoch` after each epoch.
 * Each call starts a fresh `CDTrainer` (momentum buffers, persistent
 * chains, the momentum schedule from epoch 0); to train in several calls
 * without that restart, keep a `CDTrainer` and call its `epoch`.
 */
export function trainRBM(
  rbm: RBM,
  data: Matrix,
  options: RBMTrainOptions,
): RBMTrainResult {
  if (!(rbm instanceof RBM)) {
    throw new TypeError(`rbm: expected an RBM, got ${describeValue(rbm)}`);
  }
  checkCDOptions(options, TRAIN_KEYS);
  const epochs = checkSize("options.epochs", options.epochs);
  checkData("data", data, rbm);
  const monitor = checkMonitor(options.monitor, rbm);
  const onEpoch = options.onEpoch;
  if (onEpoch !== undefined && typeof onEpoch !== "function") {
    throw new TypeError(
      `options.onEpoch: expected a function, got ${describeValue(onEpoch)}`,
    );
  }
  // Drawn even without monitoring, so that monitoring never changes the
  // training's random stream.
  const monitorRandom = new Random(
    Math.floor(options.random.uniform() * 2 ** 53),
  );
  const init = options.initVisibleBias ?? rbm.a.every((x) => x === 0);
  if (checkBoolean("options.initVisibleBias", init)) rbm.initVisibleBias(data);

  // checkCDOptions allowed only CD keys besides these four.
  const { epochs: _, monitor: _m, onEpoch: _e, ...rest } = options;
  const { initVisibleBias: _i, ...cdOptions } = rest;
  const trainer = new CDTrainer(rbm, cdOptions);
  const history: RBMEpochInfo[] = [];
  let stopped = false;
  for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
    const start = performance.now();
    const reconstructionError = trainer.epoch(data);
    const seconds = (performance.now() - start) / 1000;
    stopped = trainer.stoppedEarly;
    const info: RBMEpochInfo = { epoch, reconstructionError, seconds };
    const due = (epoch + 1) % monitor.every === 0 || epoch + 1 === epochs;
    if (due || stopped) measure(rbm, monitor, monitorRandom, info);
    history.push(info);
    if (onEpoch?.(info) === false) stopped = true;
  }
  return { history, stopped };
}

/** Adds the monitored quantities of `monitor` to `info`. */
function measure(
  rbm: RBM,
  monitor: CheckedMonitor,
  random: Random,
  info: RBMEpochInfo,
): void {
  const { train, heldOut } = monitor;
  if (train === undefined) return;
  if (heldOut !== undefined) {
    info.freeEnergyGap =
      mean(freeEnergy(rbm, heldOut)) - mean(freeEnergy(rbm, train));
  }
  info.pseudoLikelihood = rbm.pseudoLikelihood(train, random);
}

function mean(x: Float64Array): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i];
  return total / x.length;
}

interface CheckedMonitor {
  train?: Matrix;
  heldOut?: Matrix;
  every: number;
}

function checkMonitor(monitor: unknown, rbm: RBM): CheckedMonitor {
  if (monitor === undefined) return { every: 1 };
  checkOptionObject("options.monitor", monitor, ["train", "heldOut", "every"]);
  const { train, heldOut, every } = monitor as RBMMonitor;
  if (train !== undefined) checkData("options.monitor.train", train, rbm);
  if (heldOut !== undefined) {
    if (train === undefined) {
      throw new RangeError(
        "options.monitor.heldOut: the free-energy gap also needs " +
          "options.monitor.train (a subset of the training rows)",
      );
    }
    checkData("options.monitor.heldOut", heldOut, rbm);
  }
  return { train, heldOut, every: count("options.monitor.every", every, 1) };
}

/** Throws unless `X` is binary, non-empty and `[rows, V]` in rbm's dtype. */
function checkData(name: string, X: unknown, rbm: RBM): void {
  const M = checkMatrix(name, X, undefined, rbm.nVisible, rbm.dtype);
  if (M.rows === 0) {
    throw new RangeError(`${name}: expected at least one row, got 0`);
  }
  checkBinary(name, M);
}
