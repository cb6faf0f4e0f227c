/**
 * Character-level text pipeline for the recurrent lessons (issue 5): a
 * vocabulary of Unicode characters, encoding and decoding, a contiguous
 * train/validation split, batches of contiguous chunks whose hidden state
 * can be carried from one chunk to the next, and the two texts shipped in
 * lib/data (Tiny Shakespeare; Pushkin's "Eugene Onegin" in Russian).
 *
 * A character is a Unicode code point (`Array.from(text)`), not a UTF-16
 * unit: Cyrillic letters and astral symbols such as emoji are one token
 * each. No normalisation is applied (a precomposed "й" and "и" plus a
 * combining breve are different sequences).
 *
 * Dimension letters: N tokens in a stream, B streams (the batch), T steps
 * per chunk.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { atLeastOne } from "./rnn-input";
import { checkOptionKeys, describeValue } from "./tensor";

/**
 * The distinct characters of a text, sorted by code point, each mapped to
 * its index (the token id).
 */
export class Vocabulary {
  /** Character of each id; `chars[id]` is one code point. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  /** @param chars distinct single code points, in id order */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars)) {
      throw new TypeError(
        `chars: expected an array of characters, got ${describeValue(chars)}`,
      );
    }
    this.ids = new Map();
    chars.forEach((ch: unknown, id) => {
      if (typeof ch !== "string" || Array.from(ch).length !== 1) {
        throw new RangeError(
          `chars[${id}]: expected one character (code point), got ` +
            `${JSON.stringify(ch)}`,
        );
      }
      if (this.ids.has(ch)) {
        throw new RangeError(
          `chars[${id}]: duplicate character ${describeChar(ch)}`,
        );
      }
      this.ids.set(ch, id);
    });
    // A frozen copy: a caller's later edit cannot unsync decode and id.
    this.chars = Object.freeze(chars.slice());
  }

  /** The vocabulary of every distinct character of `text`. */
  static fromText(text: string): Vocabulary {
    checkText("text", text);
    const set = new Set(Array.from(text));
    const sorted = Array.from(set).sort(
      (a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number),
    );
    return new Vocabulary(sorted);
  }

  /** Number of characters (ids run 0..size-1). */
  get size(): number {
    return this.chars.length;
  }

  /** true if `ch` (one character) is in the vocabulary. */
  has(ch: string): boolean {
    return this.ids.has(ch);
  }

  /** Id of one character; throws for an unknown one. */
  id(ch: string): number {
    if (typeof ch !== "string") {
      throw new TypeError(
        `ch: expected a one-character string, got ${describeValue(ch)}`,
      );
    }
    const id = this.ids.get(ch);
    if (id === undefined) {
      throw new RangeError(`ch: ${describeChar(ch)} is not in the vocabulary`);
    }
    return id;
  }

  /**
   * The ids `[N]` of the N characters of `text`. Throws a RangeError
   * naming the first unknown character and its position; `name` is what
   * the messages call `text` (a caller's own argument, e.g. "prime").
   */
  encode(text: string, name = "text"): Int32Array {
    checkText(name, text);
    const chars = Array.from(text);
    const out = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) {
      const id = this.ids.get(chars[i]);
      if (id === undefined) {
        throw new RangeError(
          `${name}: character ${describeChar(chars[i])} at position ${i} ` +
            `(in characters) is not in the vocabulary of ${this.size}`,
        );
      }
      out[i] = id;
    }
    return out;
  }

  /** The text of `ids` (integers in [0, size)). */
  decode(ids: ArrayLike<number>): string {
    const n = (ids as { length?: unknown } | null)?.length;
    if (typeof ids !== "object" || ids === null || typeof n !== "number") {
      throw new TypeError(
        `ids: expected an array of token ids, got ${describeValue(ids)}`,
      );
    }
    const parts: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.size) {
        throw new RangeError(
          `ids[${i}]: expected an integer in [0, ${this.size}), got ${id}`,
        );
      }
      parts[i] = this.chars[id];
    }
    return parts.join("");
  }
}

/** `"x" (U+0078)`: a character and its code point, for messages. */
function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  return `${JSON.stringify(ch)} (U+${hex})`;
}

function checkText(name: string, text: unknown): void {
  if (typeof text !== "string") {
    throw new TypeError(
      `${name}: expected a string, got ${describeValue(text)}`,
    );
  }
}

/** A contiguous split of a token stream. */
export interface TextSplit {
  /** The first tokens, `[N - n]`. */
  train: Int32Array;
  /** The last n = round(N * validationFraction) tokens, `[n]`. */
  validation: Int32Array;
}

/**
 * Splits `ids` `[N]` into its first and last part (contiguous, not
 * shuffled: neighbouring characters are not independent, so a shuffled
 * split would leak validation text into training).
 * @param validationFraction in [0, 1); default 0.1
 */
export function splitText(
  ids: Int32Array,
  validationFraction = 0.1,
): TextSplit {
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(
      `ids: expected an Int32Array, got ${describeValue(ids)}`,
    );
  }
  if (
    typeof validationFraction !== "number" ||
    !(validationFraction >= 0 && validationFraction < 1)
  ) {
    throw new RangeError(
      `validationFraction: expected a number in [0, 1), got ` +
        String(validationFraction),
    );
  }
  const cut = ids.length - Math.round(ids.length * validationFraction);
  return { train: ids.slice(0, cut), validation: ids.slice(cut) };
}

/** Inputs and targets of one chunk, both `[B, T]` row-major. */
export interface TextBatch {
  /** inputs[b * T + t]: token t of chunk k in stream b. */
  inputs: Int32Array;
  /** targets[b * T + t]: the token after inputs[b * T + t]. */
  targets: Int32Array;
}

/**
 * Contiguous-chunk batches for truncated backpropagation through time.
 * The stream `[N]` is cut into B equal streams of L = floor(N / B) tokens
 * (stream b starts at b L; a remainder of fewer than B tokens is dropped);
 * chunk k takes tokens k T..k T + T - 1 of each stream as input and the
 * next token of each as target. Chunk k + 1 of stream b continues chunk k,
 * so the final hidden state of one chunk is the right initial state of
 * the next.
 */
export class ChunkBatches {
  readonly batch: number;
  readonly steps: number;
  /** Tokens per stream, L. */
  readonly streamLength: number;
  /** Number of chunks, floor((L - 1) / T). */
  readonly count: number;

  /**
   * @param ids the token stream `[N]`
   * @param batch B >= 1
   * @param steps T >= 1; N must give at least one chunk (N >= B (T + 1))
   */
  constructor(
    readonly ids: Int32Array,
    batch: number,
    steps: number,
  ) {
    if (!(ids instanceof Int32Array)) {
      throw new TypeError(
        `ids: expected an Int32Array, got ${describeValue(ids)}`,
      );
    }
    this.batch = atLeastOne("batch", batch);
    this.steps = atLeastOne("steps", steps);
    this.streamLength = Math.floor(ids.length / batch);
    this.count = Math.max(0, Math.floor((this.streamLength - 1) / steps));
    if (this.count < 1) {
      throw new RangeError(
        `ids: expected at least batch * (steps + 1) = ` +
          `${batch * (steps + 1)} tokens for one chunk, got ${ids.length}`,
      );
    }
  }

  /**
   * Chunk `k` (0 <= k < count), written into `out` when given (arrays of
   * length B T) or into new arrays.
   */
  get(k: number, out?: TextBatch): TextBatch {
    if (!Number.isInteger(k) || k < 0 || k >= this.count) {
      throw new RangeError(
        `k: expected an integer in [0, ${this.count}), got ${String(k)}`,
      );
    }
    const { batch: B, steps: T, streamLength: L, ids } = this;
    const batch = out ?? {
      inputs: new Int32Array(B * T),
      targets: new Int32Array(B * T),
    };
    checkOptionKeys("out", batch, ["inputs", "targets"]);
    for (const name of ["inputs", "targets"] as const) {
      const a = batch[name];
      if (!(a instanceof Int32Array) || a.length !== B * T) {
        throw new RangeError(
          `out.${name}: expected an Int32Array of length ${B * T}, got ` +
            describeValue(a),
        );
      }
    }
    for (let b = 0; b < B; b++) {
      const start = b * L + k * T;
      batch.inputs.set(ids.subarray(start, start + T), b * T);
      batch.targets.set(ids.subarray(start + 1, start + T + 1), b * T);
    }
    return batch;
  }
}

/** The texts shipped in lib/data (provenance: lib/data/README.md). */
export type TextName = "tinyshakespeare" | "onegin";

const TEXT_FILES: Record<TextName, string> = {
  tinyshakespeare: "tinyshakespeare.txt.gz",
  onegin: "onegin.ru.txt.gz",
};

/**
 * A shipped text as a string: "tinyshakespeare" (1,115,394 characters,
 * 65 distinct) or "onegin" (Pushkin's "Eugene Onegin" in Russian,
 * 143,164 characters, 129 distinct).
 */
export function loadText(name: TextName): string {
  if (typeof name !== "string" || !Object.hasOwn(TEXT_FILES, name)) {
    throw new RangeError(
      `name: expected one of ${Object.keys(TEXT_FILES).join(", ")}, got ` +
        `${JSON.stringify(name)}`,
    );
  }
  // __dirname is lib/dist in the build and lib/src under the tests.
  const file = join(__dirname, "..", "data", TEXT_FILES[name]);
  return gunzipSync(readFileSync(file)).toString("utf8");
}
