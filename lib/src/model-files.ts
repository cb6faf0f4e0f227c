/**
 * Files of saved models: checked paths, atomic writes (a flushed temporary
 * file in the same folder renamed over the target, so a reader never sees
 * half a file and a failed write leaves the old one), and reads whose
 * errors name the file. Shared by rbm-io.ts and rnn-io.ts.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { describeValue, type FloatArray } from "./tensor";

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
 * Copies the JSON array `value` of finite numbers into `out`; the stored
 * value is checked, so a float32 overflow (1e39 -> Infinity) throws too.
 */
export function readNumberArray(
  name: string,
  value: unknown,
  out: FloatArray,
): void {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${name}: expected an array, got ${describeValue(value)}`,
    );
  }
  if (value.length !== out.length) {
    throw new RangeError(
      `${name}: expected ${out.length} numbers, got ${value.length}`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== "number") {
      throw new TypeError(
        `${name}[${i}]: expected a finite number, got ${JSON.stringify(v)}`,
      );
    }
    out[i] = v;
    if (!Number.isFinite(out[i])) {
      // JSON.parse turns 1e400 into Infinity; float32 overflows past 3.4e38.
      const dtype = out instanceof Float32Array ? "float32" : "float64";
      throw new RangeError(
        `${name}[${i}]: expected a finite ${dtype} number, got ${v}` +
          (Number.isFinite(v) ? ` (${out[i]} in ${dtype})` : ""),
      );
    }
  }
}
