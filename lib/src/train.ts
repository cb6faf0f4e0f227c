/**
 * Training loops that report through callbacks (issue 3; STYLE habit 10:
 * the library never prints, the notebook decides what to show).
 *
 * `trainLoop` runs a fixed number of steps grouped into epochs;
 * `trainEpochs` runs epochs over shuffled minibatches of a data set (a
 * new seeded permutation each epoch). Both stop at once with a
 * `NonFiniteLossError` naming the step when a loss is NaN or infinite,
 * before any callback sees it; a callback may return `false` to stop early.
 *
 * Limits: synchronous (a notebook's live display is updated from the
 * callbacks; see progress.ts); no checkpointing.
 */

import type { Random } from "./random";
import { checkOptionKeys, checkSize, describeValue } from "./tensor";

/** Thrown when a step returns a NaN or infinite loss. */
export class NonFiniteLossError extends Error {
  /**
   * @param step 0-based index of the step that produced the loss
   * @param loss the offending value (NaN, Infinity or -Infinity)
   * @param epoch 0-based epoch of that step
   */
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly epoch: number,
  ) {
    super(
      `non-finite loss ${loss} at step ${step} (epoch ${epoch}); ` +
        "try a smaller learning rate or gradient clipping",
    );
    this.name = "NonFiniteLossError";
  }
}

/** Callbacks shared by the loops; returning `false` stops training. */
export interface TrainCallbacks {
  /** After every step, with its 0-based index and its loss. */
  onStep?: (step: number, loss: number) => void | boolean;
  /** After every epoch, with its 0-based index and its mean step loss. */
  onEpoch?: (epoch: number, meanLoss: number) => void | boolean;
}

/** Options of `trainLoop`. */
export interface TrainLoopOptions extends TrainCallbacks {
  /** Number of steps, an integer >= 0. */
  steps: number;
  /** Runs step `step` (0-based) of epoch `epoch`; returns its loss. */
  step: (step: number, epoch: number) => number;
  /** Steps per epoch, >= 1; default `steps` (one epoch). */
  stepsPerEpoch?: number;
}

/** What a training loop did. */
export interface TrainResult {
  /** Loss of every step run, in order. */
  losses: number[];
  /** Mean step loss of every completed epoch. */
  epochLosses: number[];
  /** true if a callback returned `false`. */
  stoppedEarly: boolean;
}

/** Runs `step` for each step and fires the callbacks; see module header. */
export function trainLoop(options: TrainLoopOptions): TrainResult {
  checkKeys(options, ["steps", "step", "stepsPerEpoch", "onStep", "onEpoch"]);
  const steps = checkSize("options.steps", options.steps);
  const perEpoch = options.stepsPerEpoch ?? Math.max(steps, 1);
  checkSize("options.stepsPerEpoch", perEpoch);
  if (perEpoch < 1) {
    throw new RangeError(`options.stepsPerEpoch: expected >= 1, got 0`);
  }
  checkFunction("options.step", options.step);
  const run = new Run(options);
  for (let i = 0; i < steps && !run.stopped; i++) {
    const epoch = Math.floor(i / perEpoch);
    run.record(i, epoch, options.step(i, epoch));
    if ((i + 1) % perEpoch === 0 || i + 1 === steps) run.endEpoch(epoch);
  }
  return run.result();
}

/** Options of `trainEpochs`. */
export interface TrainEpochsOptions extends TrainCallbacks {
  /** Number of passes over the data, an integer >= 0. */
  epochs: number;
  /** Number of examples in the data set, >= 1. */
  count: number;
  /** Examples per minibatch, >= 1 (the last one of an epoch may be short). */
  batchSize: number;
  /** Seeded source of each epoch's shuffle. */
  random: Random;
  /** Trains on the examples `batch` (indices); returns the loss. */
  step: (batch: Int32Array, step: number, epoch: number) => number;
}

/**
 * Epochs of minibatch training: each epoch shuffles the indices 0..count-1
 * with `random` and calls `step` once per batch of `batchSize` of them.
 * Step indices run on across epochs.
 */
export function trainEpochs(options: TrainEpochsOptions): TrainResult {
  checkKeys(options, [
    ...["epochs", "count", "batchSize", "random", "step"],
    ...["onStep", "onEpoch"],
  ]);
  const epochs = checkSize("options.epochs", options.epochs);
  const count = checkSize("options.count", options.count);
  const batchSize = checkSize("options.batchSize", options.batchSize);
  if (count < 1 || batchSize < 1) {
    throw new RangeError(
      `options.count, options.batchSize: expected >= 1, got ${count}, ${batchSize}`,
    );
  }
  checkFunction("options.step", options.step);
  checkFunction("options.random.permutation", options.random?.permutation);
  const run = new Run(options);
  let i = 0;
  for (let epoch = 0; epoch < epochs && !run.stopped; epoch++) {
    for (const batch of minibatches(count, batchSize, options.random)) {
      run.record(i, epoch, options.step(batch, i, epoch));
      i++;
      if (run.stopped) break;
    }
    if (!run.stopped) run.endEpoch(epoch);
  }
  return run.result();
}

/**
 * Splits a random permutation of 0..count-1 into batches of `batchSize`
 * indices (the last one shorter when batchSize does not divide count).
 */
export function minibatches(
  count: number,
  batchSize: number,
  random: Random,
): Int32Array[] {
  checkSize("count", count);
  checkSize("batchSize", batchSize);
  if (batchSize < 1) throw new RangeError("batchSize: expected >= 1, got 0");
  const order = random.permutation(count);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    batches.push(order.subarray(start, Math.min(start + batchSize, count)));
  }
  return batches;
}

/** Bookkeeping shared by the loops: losses, callbacks, early stop. */
class Run {
  readonly losses: number[] = [];
  readonly epochLosses: number[] = [];
  stopped = false;
  private epochStart = 0;

  constructor(private readonly callbacks: TrainCallbacks) {
    if (callbacks.onStep !== undefined) {
      checkFunction("options.onStep", callbacks.onStep);
    }
    if (callbacks.onEpoch !== undefined) {
      checkFunction("options.onEpoch", callbacks.onEpoch);
    }
  }

  record(step: number, epoch: number, loss: unknown): void {
    if (typeof loss !== "number") {
      throw new TypeError(
        "options.step: expected to return a number (the loss) at step " +
          `${step}, got ${describeValue(loss)}`,
      );
    }
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(step, loss, epoch);
    this.losses.push(loss);
    if (this.callbacks.onStep?.(step, loss) === false) this.stopped = true;
  }

  endEpoch(epoch: number): void {
    let total = 0;
    for (let k = this.epochStart; k < this.losses.length; k++) {
      total += this.losses[k];
    }
    const mean = total / (this.losses.length - this.epochStart);
    this.epochStart = this.losses.length;
    this.epochLosses.push(mean);
    if (this.callbacks.onEpoch?.(epoch, mean) === false) this.stopped = true;
  }

  result(): TrainResult {
    const { losses, epochLosses } = this;
    return { losses, epochLosses, stoppedEarly: this.stopped };
  }
}

function checkFunction(name: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `${name}: expected a function, got ${describeValue(value)}`,
    );
  }
}

function checkKeys(options: unknown, known: string[]): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options: expected an object, got ${describeValue(options)}`,
    );
  }
  checkOptionKeys("options", options, known);
}
