/**
 * Options of the RBM trainers (rbm-cd.ts, rbm-train.ts), their defaults
 * (Hinton's "A Practical Guide to Training Restricted Boltzmann Machines",
 * 2010, and his MNIST code) and their checks. A bad value throws at once
 * naming the option (`options.learningRate`), the expected and the actual
 * value; an unknown option or one that does not apply throws too.
 */
import { checkRandom } from "./hopfield-checks";
import type { Random } from "./random";
import { checkOptionKeys, describeValue } from "./tensor";

/** What `onBatch` receives after each update of an epoch. */
export interface RBMBatchInfo {
  /** 0-based epoch (completed `CDTrainer.epoch` calls before this one). */
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  /** Batches in the epoch. */
  batches: number;
  /** The batch's reconstruction error (see `CDTrainer.step`). */
  reconstructionError: number;
}

/** Options of `CDTrainer`; every field but `random` has a default. */
export interface CDTrainerOptions {
  /** Seeded source of every sample and of each epoch's shuffle. */
  random: Random;
  /** Rows per mini-batch, >= 1. Default 100 (the guide: 10 to 100). */
  batchSize?: number;
  /** Step size of W, a and b, > 0. Default 0.1 (Hinton's MNIST code). */
  learningRate?: number;
  /**
   * Momentum in [0, 1). Default: 0.5 for the first 5 epochs, then 0.9
   * (the guide, section 9).
   */
  momentum?: number;
  /** L2 weight cost on W only, >= 0. Default 2e-4 (the guide's MNIST). */
  weightDecay?: number;
  /** Gibbs sweeps of the negative phase, >= 1. Default 1 (CD-1). */
  k?: number;
  /** Persistent chains (PCD) instead of restarting from the data. */
  persistent?: boolean;
  /** PCD only: number of chains, >= 1. Default `batchSize`. */
  chains?: number;
  /**
   * Use sampled binary v for the reconstruction's statistics instead of
   * P(v | h). Default false (the guide, 3.2: less sampling noise).
   */
  sampleVisible?: boolean;
  /** Shuffle the rows each epoch. Default true. */
  shuffle?: boolean;
  /** Threads for the products, 1 or 2. Default 1. */
  threads?: number;
  /** After each update of `epoch`; returning false ends the epoch. */
  onBatch?: (info: RBMBatchInfo) => void | boolean;
}

/** `CDTrainerOptions` with the defaults filled in. */
export interface ResolvedCDOptions {
  random: Random;
  batchSize: number;
  learningRate: number;
  /** undefined: the default schedule. */
  momentum: number | undefined;
  weightDecay: number;
  k: number;
  persistent: boolean;
  chains: number;
  sampleVisible: boolean;
  shuffle: boolean;
  threads: number;
  onBatch: ((info: RBMBatchInfo) => void | boolean) | undefined;
}

/** The keys of `CDTrainerOptions`. */
export const CD_OPTION_KEYS: readonly string[] = [
  ...["random", "batchSize", "learningRate", "momentum", "weightDecay"],
  ...["k", "persistent", "chains", "sampleVisible", "shuffle", "threads"],
  "onBatch",
];

/**
 * Checks `options` (whose keys must lie in CD_OPTION_KEYS or `extraKeys`)
 * and fills in the defaults.
 */
export function checkCDOptions(
  options: unknown,
  extraKeys: readonly string[] = [],
): ResolvedCDOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options: expected an object with a random source, got ` +
        describeValue(options),
    );
  }
  checkOptionKeys("options", options, [...CD_OPTION_KEYS, ...extraKeys]);
  const o = options as CDTrainerOptions;
  checkRandom("options.random", o.random);
  const batchSize = count("options.batchSize", o.batchSize, 100);
  const persistent = o.persistent ?? false;
  checkBoolean("options.persistent", persistent);
  if (!persistent && o.chains !== undefined) {
    throw new RangeError(
      "options.chains: applies to persistent chains only " +
        "(set persistent: true, or leave chains out)",
    );
  }
  const threads = o.threads ?? 1;
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(
      `options.threads: expected 1 or 2, got ${String(threads)}`,
    );
  }
  if (o.onBatch !== undefined && typeof o.onBatch !== "function") {
    throw new TypeError(
      `options.onBatch: expected a function, got ${describeValue(o.onBatch)}`,
    );
  }
  const isPositive = (x: number) => x > 0 && x < Infinity;
  const isNonNegative = (x: number) => x >= 0 && x < Infinity;
  return {
    random: o.random,
    batchSize,
    learningRate: number(
      ["options.learningRate", "a finite number > 0"],
      o.learningRate,
      0.1,
      isPositive,
    ),
    momentum:
      o.momentum === undefined
        ? undefined
        : number(
            ["options.momentum", "a number in [0, 1)"],
            o.momentum,
            0,
            (x) => x >= 0 && x < 1,
          ),
    weightDecay: number(
      ["options.weightDecay", "a finite number >= 0"],
      o.weightDecay,
      2e-4,
      isNonNegative,
    ),
    k: count("options.k", o.k, 1),
    persistent,
    chains: count("options.chains", o.chains, batchSize),
    sampleVisible: flag("options.sampleVisible", o.sampleVisible, false),
    shuffle: flag("options.shuffle", o.shuffle, true),
    threads,
    onBatch: o.onBatch,
  };
}

/** Throws a TypeError unless `value` is a boolean. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${name}: expected a boolean, got ${describeValue(value)}`,
    );
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(name, value);
}

/** `value` (or `fallback` when undefined), checked by `ok`. */
export function number(
  [name, expected]: [string, string],
  value: unknown,
  fallback: number,
  ok: (x: number) => boolean,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected a number, got ${describeValue(value)}`,
    );
  }
  if (!ok(value)) {
    throw new RangeError(`${name}: expected ${expected}, got ${value}`);
  }
  return value;
}

/** An integer >= 1, or `fallback` when undefined. */
export function count(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : integerAtLeast(name, value, 1);
}

/**
 * `value` checked to be an integer >= `min`: a TypeError for a non-number,
 * a RangeError stating `min` for anything else out of range.
 */
export function integerAtLeast(
  name: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected an integer >= ${min}, got ${describeValue(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `${name}: expected an integer >= ${min}, got ${value}`,
    );
  }
  return value;
}

/**
 * `checkOptionKeys` (unknown keys throw) after a TypeError for an
 * `options` that is not an object, null included, named as such.
 */
export function checkOptionObject(
  name: string,
  options: unknown,
  known: readonly string[],
): void {
  checkOptionKeys(name, options as object | undefined, known);
}
