/**
 * Files of saved models: checked paths, atomic writes (a flushed temporary
 * file in the same folder renamed over the target, so a reader never sees
 * half a file and a failed write leaves the old one), reads whose errors
 * name the file, and the checks of a JSON model file's header, numbers
 * and vocabulary. Shared by rbm-io.ts, rnn-io.ts and recurrent-io.ts.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { describeValue, type DType, dtypeOf, type FloatArray } from "./tensor";
import { Vocabulary } from "./text";

/** Throws unless `file` is a non-empty path string. */
export function checkPath(file: unknown): string {
  if (typeof file !== "string" || file === "") {
    throw new TypeError(
      `file: expected a non-empty path, got ${describeValue(file)}`,
    );
  }
  return file;
}

/** Writes through a flushed temporary file renamed over `file`. */
export function writeFileAtomicSync(
  file: string,
  content: string | Uint8Array,
): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.` +
      `${randomBytes(4).toString("hex")}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx");
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Reads `file` and parses it with `parse`; a parse error is rethrown as the
 * same class with the file name in front of its message.
 */
export function readModelFile<T>(
  file: string,
  parse: (bytes: Uint8Array) => T,
): T {
  const bytes = fs.readFileSync(checkPath(file));
  try {
    return parse(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (err) {
    if (err instanceof Error) {
      const Kind = err.constructor as new (message: string) => Error;
      throw new Kind(`${file}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Throws unless `value` is an array of `length` entries (a TypeError for
 * another kind, a RangeError for another length): the check a loader
 * makes before it allocates a model of the sizes the header claims.
 */
export function checkArrayLength(
  name: string,
  value: unknown,
  length: number,
): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${name}: expected an array, got ${describeValue(value)}`,
    );
  }
  if (value.length !== length) {
    throw new RangeError(
      `${name}: expected ${length} numbers, got ${value.length}`,
    );
  }
  return value;
}

/**
 * Copies the array `value` of finite numbers into `out`; the stored value
 * is checked, so a float32 overflow (1e39 -> Infinity) throws too, and so
 * does any value that would not fit `dtype` (default: `out`'s type; give
 * "float32" to check numbers kept in float64 scratch for a float32
 * model). Strings, null, nested arrays and NaN throw naming `name[i]`.
 */
export function readNumberArray(
  name: string,
  value: unknown,
  out: FloatArray,
  dtype: DType = dtypeOf(out),
): void {
  checkArrayLength(name, value, out.length);
  const list = value as unknown[];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number") {
      const shown = Array.isArray(v) ? `an array` : JSON.stringify(v);
      throw new TypeError(
        `${name}[${i}]: expected a finite number, got ${shown ?? typeof v}`,
      );
    }
    out[i] = v;
    const stored = dtype === "float32" ? Math.fround(v) : out[i];
    if (!Number.isFinite(stored)) {
      // JSON.parse turns 1e400 into Infinity; float32 overflows past 3.4e38.
      throw new RangeError(
        `${name}[${i}]: expected a finite ${dtype} number, got ${v}` +
          (Number.isFinite(v) ? ` (${stored} in ${dtype})` : ""),
      );
    }
  }
}

/**
 * The JSON object in `text` (a leading byte order mark is skipped: a
 * hand-edited file may have one); throws naming `text` otherwise.
 */
export function parseJSONObject(text: unknown): Record<string, unknown> {
  if (typeof text !== "string") {
    throw new TypeError(`text: expected a string, got ${describeValue(text)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (err) {
    throw new SyntaxError(
      `text: not JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new TypeError(
      `text: expected a JSON object, got ${describeValue(doc)}`,
    );
  }
  return doc as Record<string, unknown>;
}

/**
 * Throws unless `doc` has `format` `tag` and `version` `version` and no
 * field outside `fields`.
 */
export function checkHeader(
  doc: Record<string, unknown>,
  tag: string,
  version: number,
  fields: readonly string[],
): void {
  if (doc.format !== tag) {
    throw new RangeError(
      `format: expected "${tag}", got ${JSON.stringify(doc.format)}`,
    );
  }
  if (doc.version !== version) {
    throw new RangeError(
      `version: expected ${version}, got ${JSON.stringify(doc.version)}`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!fields.includes(key)) {
      throw new RangeError(
        `${key}: unknown field (known: ${fields.join(", ")})`,
      );
    }
  }
}

/**
 * `x` as a plain list for JSON, which cannot hold NaN or Infinity: such an
 * entry throws a RangeError naming `model.<name>[i]`.
 */
export function finiteList(name: string, x: FloatArray): number[] {
  const i = x.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw new RangeError(
      `model.${name}[${i}]: JSON cannot hold ${x[i]} (the model diverged)`,
    );
  }
  return Array.from(x);
}

/** Throws unless `vocabulary` is undefined or a Vocabulary of K chars. */
export function checkVocabulary(vocabulary: unknown, K: number): void {
  if (vocabulary === undefined) return;
  if (!(vocabulary instanceof Vocabulary)) {
    throw new TypeError(
      `vocabulary: expected a Vocabulary, got ${describeValue(vocabulary)}`,
    );
  }
  if (vocabulary.size !== K) {
    throw new RangeError(
      `vocabulary: expected ${K} characters (the model's outputs), got ` +
        `${vocabulary.size}`,
    );
  }
}

/** The saved vocabulary `chars` (null if none), checked to have K. */
export function readVocabulary(chars: unknown, K: number): Vocabulary | null {
  if (chars === null || chars === undefined) return null;
  const vocabulary = new Vocabulary(chars as string[]);
  if (vocabulary.size !== K) {
    throw new RangeError(
      `vocabulary: expected ${K} characters, got ${vocabulary.size}`,
    );
  }
  return vocabulary;
}

/**
 * Largest size a model file may claim: 2^24, so that the products of
 * sizes that give array lengths (I G H, H G H) stay exact integers, and a
 * damaged header fails on its numbers before anything is allocated.
 */
export const MAX_SAVED_SIZE = 2 ** 24;

/**
 * Throws unless the saved `value` of `key` is an integer >= 1 (and at most
 * `max` when given).
 */
export function readSize(key: string, value: unknown, max?: number): number {
  const ok =
    typeof value === "number" &&
    Number.isSafeInteger(value) &&
    value >= 1 &&
    (max === undefined || value <= max);
  if (!ok) {
    const range = max === undefined ? ">= 1" : `in [1, ${max}]`;
    throw new RangeError(
      `${key}: expected an integer ${range}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
