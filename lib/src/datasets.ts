/**
 * Small real bitmaps for associative-memory lessons.
 *
 * - Letters: the 5x7 glyphs of the npm package `oled-font-5x7` (MIT,
 *   Suz Hinton), a dependency of this package.
 * - Digits: `lib/data/digits.csv.gz`, the 1,797 8x8 digits of the UCI
 *   "Optical Recognition of Handwritten Digits" set (Alpaydin and Kaynak
 *   1998; test part, as shipped by scikit-learn; CC BY 4.0). One row per
 *   image: 64 pixels of 0..16 in row-major order, then the label.
 *   Provenance of every file: `lib/data/README.md`.
 *
 * Images are row-major [height, width] Float64Array; in bipolar sets +1 is
 * ink and -1 background.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import font from "oled-font-5x7";

import { allocate, checkDType, type DType, Matrix } from "./tensor";

/** A set of labelled bipolar bitmaps. */
export interface BitmapSet {
  width: number;
  height: number;
  /** labels[k] names patterns[k] (a character or a digit). */
  labels: string[];
  /** Each [height, width] row-major, +1 = ink, -1 = background. */
  patterns: Float64Array[];
}

/** The raw digits: pixel values 0..16. */
export interface DigitSet {
  /** 1,797 images, each [8, 8] row-major, values 0..16. */
  images: Float64Array[];
  /** Digit 0..9 of each image. */
  labels: Int32Array;
  width: 8;
  height: 8;
}

/** Labelled images as the rows of one matrix (for the RBM and friends). */
export interface ImageSet {
  /** `[n, width * height]`, one row-major image per row. */
  images: Matrix;
  /** `[n]`, the digit 0..9 of each row. */
  labels: Uint8Array;
  width: number;
  height: number;
}

/** Every character `fontLetters` can draw, in the font's order. */
export function fontCharacters(): string {
  return font.lookup.join("");
}

/**
 * Bipolar 5x7 bitmaps of the given characters from `oled-font-5x7`.
 * @param chars e.g. "ABCXYZ"; each must be in `fontCharacters()`
 *   (letters, digits, punctuation); repeats are allowed
 * @returns width 5, height 7, one [7, 5] row-major pattern per character
 */
export function fontLetters(chars: string): BitmapSet {
  if (typeof chars !== "string") {
    throw new TypeError(`chars: expected a string, got ${typeof chars}`);
  }
  if (chars.length === 0) {
    throw new RangeError("chars: expected at least one character, got ''");
  }
  const { width, height } = font;
  const labels = Array.from(chars);
  const patterns = labels.map((ch) => {
    const glyph = font.lookup.indexOf(ch);
    if (glyph < 0) {
      throw new RangeError(
        `chars: expected characters of the 5x7 font ` +
          `(see fontCharacters()), got ${JSON.stringify(ch)}`,
      );
    }
    // The font stores one byte per column, bit r = row r from the top.
    const image = new Float64Array(width * height);
    for (let col = 0; col < width; col++) {
      const bits = font.fontData[glyph * width + col];
      for (let row = 0; row < height; row++) {
        image[row * width + col] = (bits >> row) & 1 ? 1 : -1;
      }
    }
    return image;
  });
  return { width, height, labels, patterns };
}

let digitCache: { pixels: Float64Array; labels: Int32Array } | null = null;

/** Parses digits.csv.gz once: pixels [1797, 64] row-major, labels. */
function readDigits(): { pixels: Float64Array; labels: Int32Array } {
  if (digitCache) return digitCache;
  // __dirname is lib/dist in the build and lib/src under the tests.
  const file = join(__dirname, "..", "data", "digits.csv.gz");
  const lines = gunzipSync(readFileSync(file))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  const pixels = new Float64Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, row) => {
    const values = line.split(",").map(Number);
    const bad = values.some((v) => !Number.isInteger(v) || v < 0 || v > 16);
    if (values.length !== 65 || bad || values[64] > 9) {
      throw new RangeError(
        `${file} line ${row + 1}: expected 64 pixels in 0..16 and a ` +
          `label in 0..9, got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    pixels.set(values.slice(0, 64), row * 64);
    labels[row] = values[64];
  });
  digitCache = { pixels, labels };
  return digitCache;
}

/**
 * The UCI optical digits: 1,797 images of 8x8 pixels, values 0..16
 * (raw counts of ink in 4x4 blocks of the original 32x32 bitmaps).
 * Returns fresh arrays on every call.
 */
export function loadDigits(): DigitSet {
  const { pixels, labels } = readDigits();
  const images: Float64Array[] = [];
  for (let k = 0; k < labels.length; k++) {
    images.push(pixels.slice(k * 64, (k + 1) * 64));
  }
  return { images, labels: labels.slice(), width: 8, height: 8 };
}

/**
 * The digits binarised to bipolar: pixel > threshold -> +1 (ink), else -1.
 * @param threshold in [0, 16) (default 8, half of the range)
 * @returns width 8, height 8, labels "0".."9", 1,797 patterns [8, 8]
 */
export function bipolarDigits(threshold = 8): BitmapSet {
  if (typeof threshold !== "number") {
    throw new TypeError(
      `threshold: expected a number, got ${typeof threshold}`,
    );
  }
  if (!(threshold >= 0 && threshold < 16)) {
    throw new RangeError(
      `threshold: expected a number in [0, 16), got ${threshold}`,
    );
  }
  const { images, labels } = loadDigits();
  return {
    width: 8,
    height: 8,
    labels: Array.from(labels, String),
    patterns: images.map((img) => img.map((v) => (v > threshold ? 1 : -1))),
  };
}

/**
 * The digits binarised to {0, 1} as the rows of one matrix: pixel >
 * threshold -> 1 (ink). For a binary RBM on 64 visible units.
 * @param threshold in [0, 16) (default 8)
 * @param dtype element type of `images` (default "float64")
 * @returns images `[1797, 64]`, labels `[1797]`, width 8, height 8
 */
export function binaryDigits(
  threshold = 8,
  dtype: DType = "float64",
): ImageSet {
  const patterns = bipolarDigits(threshold).patterns;
  checkDType("dtype", dtype);
  const data = allocate(dtype, patterns.length * 64);
  patterns.forEach((p, k) => {
    for (let i = 0; i < 64; i++) data[k * 64 + i] = p[i] > 0 ? 1 : 0;
  });
  const labels = Uint8Array.from(readDigits().labels);
  return {
    images: new Matrix(patterns.length, 64, data),
    labels,
    width: 8,
    height: 8,
  };
}
