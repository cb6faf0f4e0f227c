/**
 * Training pairs for Siamese networks (issue 7, lecture section 5): from a
 * labelled set, draw pairs of example indices (X1, X2) with the lecture's
 * label Y = 0 for a genuine pair (same class) and Y = 1 for an impostor
 * pair (different classes).
 *
 * A batch is balanced by construction, not by luck: exactly
 * round(count (1 - impostorFraction)) genuine pairs, the rest impostors,
 * placed in a seeded random order so that any slice of it is mixed.
 *
 * Distributions (all uniform draws come from the caller's `Random`):
 * - genuine: the anchor X1 is uniform over the examples whose class has at
 *   least two members (so a class is picked in proportion to its size),
 *   X2 uniform over the other members of that class (never X1 itself);
 * - impostor: X1 is uniform over all examples, X2 uniform over all examples
 *   of the other classes.
 *
 * Dimension letters: N labelled examples, P pairs, K classes.
 *
 * Limits: pairs are drawn with replacement (a batch may repeat a pair, and
 * may hold both (a, b) and (b, a)); no hard-pair mining.
 */

import { checkRandom } from "./hopfield-checks";
import type { Random } from "./random";
import { checkOptionKeys, checkSize, describeValue } from "./tensor";

/** Options of `PairSampler.sample` and `samplePairs`. */
export interface PairOptions {
  /** Share of impostor pairs (Y = 1), in [0, 1]; default 0.5. */
  impostorFraction?: number;
}

/** P pairs of example indices, each array `[P]`. */
export interface LabelledPairs {
  /** Index of X1 in the labelled set. */
  first: Int32Array;
  /** Index of X2 in the labelled set. */
  second: Int32Array;
  /** Y: 0 genuine (same label), 1 impostor (different labels). */
  y: Uint8Array;
}

/**
 * The indices of each class, `labels` `[N]` being non-negative integers.
 * Keys are the labels in ascending order; each value lists the indices
 * with that label in ascending order.
 */
export function classIndices(
  labels: ArrayLike<number>,
): Map<number, Int32Array> {
  checkLabels(labels);
  const sizes = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  }
  const classes = new Map<number, Int32Array>();
  const filled = new Map<number, number>();
  for (const label of [...sizes.keys()].sort((a, b) => a - b)) {
    classes.set(label, new Int32Array(sizes.get(label)!));
    filled.set(label, 0);
  }
  for (let i = 0; i < labels.length; i++) {
    const at = filled.get(labels[i])!;
    classes.get(labels[i])![at] = i;
    filled.set(labels[i], at + 1);
  }
  return classes;
}

/**
 * Draws balanced genuine/impostor pairs from one labelled set. Build it
 * once (it indexes the classes, O(N)) and call `sample` for every batch
 * (O(P)); see the module header for the distributions.
 *
 * ```ts
 * const sampler = new PairSampler(trainLabels);
 * const { first, second, y } = sampler.sample(64, random);
 * ```
 */
export class PairSampler {
  /** N, the number of labelled examples. */
  readonly size: number;
  /** K, the number of distinct labels. */
  readonly classCount: number;
  /** The distinct labels, ascending `[K]`. */
  readonly classLabels: Float64Array;
  /** Example indices grouped by class (class k, in label order) `[N]`. */
  private readonly grouped: Int32Array;
  /** Class k occupies grouped[start[k] .. start[k + 1]) `[K + 1]`. */
  private readonly start: Int32Array;
  /** Class number of each example `[N]`. */
  private readonly classOf: Int32Array;
  /** Place of each example in `grouped` `[N]`. */
  private readonly place: Int32Array;
  /** Examples whose class has >= 2 members: the genuine anchors. */
  private readonly anchors: Int32Array;

  /** @param labels `[N]` non-negative integer class labels */
  constructor(labels: ArrayLike<number>) {
    const classes = classIndices(labels);
    const N = labels.length;
    const K = classes.size;
    this.size = N;
    this.classCount = K;
    this.classLabels = Float64Array.from(classes.keys());
    this.grouped = new Int32Array(N);
    this.start = new Int32Array(K + 1);
    this.classOf = new Int32Array(N);
    this.place = new Int32Array(N);

    // Lay the classes end to end, remembering where each example went.
    let k = 0;
    let anchorCount = 0;
    for (const members of classes.values()) {
      const offset = this.start[k];
      this.grouped.set(members, offset);
      members.forEach((i, j) => {
        this.classOf[i] = k;
        this.place[i] = offset + j;
      });
      if (members.length >= 2) anchorCount += members.length;
      this.start[++k] = offset + members.length;
    }

    // Genuine anchors: the grouped order with the singleton classes left out.
    this.anchors = new Int32Array(anchorCount);
    let a = 0;
    for (k = 0; k < K; k++) {
      const block = this.grouped.subarray(this.start[k], this.start[k + 1]);
      if (block.length >= 2) {
        this.anchors.set(block, a);
        a += block.length;
      }
    }
  }

  /**
   * `count` pairs, exactly round(count (1 - impostorFraction)) of them
   * genuine (rounded half up), in an order drawn from `random`.
   * @returns `first`, `second`, `y`, each `[count]`
   */
  sample(
    count: number,
    random: Random,
    options: PairOptions = {},
  ): LabelledPairs {
    checkSize("count", count);
    checkRandom("random", random);
    const impostorFraction = checkPairOptions(options);
    const genuineCount = Math.round(count * (1 - impostorFraction));
    this.checkCanDraw(genuineCount, count - genuineCount);

    const pairs: LabelledPairs = {
      first: new Int32Array(count),
      second: new Int32Array(count),
      y: new Uint8Array(count),
    };
    // Pair r goes to slot order[r]: the first genuineCount are genuine.
    const order = random.permutation(count);
    for (let r = 0; r < count; r++) {
      const slot = order[r];
      const genuine = r < genuineCount;
      const anchor = genuine
        ? this.anchors[random.int(this.anchors.length)]
        : random.int(this.size);
      pairs.first[slot] = anchor;
      pairs.second[slot] = genuine
        ? this.classmate(anchor, random)
        : this.stranger(anchor, random);
      pairs.y[slot] = genuine ? 0 : 1;
    }
    return pairs;
  }

  /** Uniform over the other members of the anchor's class. */
  private classmate(anchor: number, random: Random): number {
    const k = this.classOf[anchor];
    const from = this.start[k];
    // Draw among n - 1 places and step over the anchor's own place.
    let j = from + random.int(this.start[k + 1] - from - 1);
    if (j >= this.place[anchor]) j++;
    return this.grouped[j];
  }

  /** Uniform over the examples of every other class. */
  private stranger(anchor: number, random: Random): number {
    const k = this.classOf[anchor];
    const n = this.start[k + 1] - this.start[k];
    // Draw among N - n places and step over the anchor's class block.
    let j = random.int(this.size - n);
    if (j >= this.start[k]) j += n;
    return this.grouped[j];
  }

  private checkCanDraw(genuine: number, impostor: number): void {
    if (genuine > 0 && this.anchors.length === 0) {
      throw new RangeError(
        `labels: ${genuine} genuine pairs asked, but no class has 2 or ` +
          `more examples (${this.size} examples, ${this.classCount} classes)`,
      );
    }
    if (impostor > 0 && this.classCount < 2) {
      throw new RangeError(
        `labels: ${impostor} impostor pairs asked, but impostors need 2 or ` +
          `more classes, got ${this.classCount}`,
      );
    }
  }
}

/**
 * `count` balanced pairs from `labels` `[N]` (see `PairSampler`, which
 * this builds once per call; a training loop drawing a batch per step
 * should build the sampler once and call its `sample`).
 * @returns `first`, `second`, `y`, each `[count]`
 */
export function samplePairs(
  labels: ArrayLike<number>,
  count: number,
  random: Random,
  options: PairOptions = {},
): LabelledPairs {
  // Check the cheap arguments before indexing a large label set.
  checkSize("count", count);
  checkRandom("random", random);
  checkPairOptions(options);
  return new PairSampler(labels).sample(count, random, options);
}

function checkPairOptions(options: PairOptions): number {
  checkOptionKeys("options", options, ["impostorFraction"]);
  const fraction = options?.impostorFraction ?? 0.5;
  if (typeof fraction !== "number") {
    throw new TypeError(
      `options.impostorFraction: expected a number in [0, 1], got ` +
        describeValue(fraction),
    );
  }
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(
      `options.impostorFraction: expected a number in [0, 1], got ${fraction}`,
    );
  }
  return fraction;
}

function checkLabels(labels: ArrayLike<number>): void {
  const length = (labels as { length?: unknown } | null)?.length;
  if (typeof labels !== "object" || labels === null || !isIndex(length)) {
    throw new TypeError(
      `labels: expected an array of class labels, got ${describeValue(labels)}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (typeof label !== "number") {
      throw new TypeError(
        `labels[${i}]: expected a non-negative integer, got ` +
          describeValue(label),
      );
    }
    if (!Number.isSafeInteger(label) || label < 0) {
      throw new RangeError(
        `labels[${i}]: expected a non-negative integer, got ${label}`,
      );
    }
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}
