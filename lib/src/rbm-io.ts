/**
 * Save and load of a binary RBM (W, a, b), so that a notebook can reuse
 * weights trained in a longer run: as JSON (readable) or as a compact
 * little-endian binary with a 24-byte header and a CRC-32 (the layouts are
 * in rbm-io-format.ts). Loading checks everything and throws naming what
 * is wrong. Files are written atomically: to a temporary file in the same
 * folder, flushed, then renamed over the target, so a reader never sees
 * half a model.
 */
import { checkPath, readModelFile, writeFileAtomicSync } from "./model-files";
import type { RBM } from "./rbm";
import { checkRBMParams, type RBMParams } from "./rbm-energy";
import {
  fromBinary,
  fromJSON,
  hex,
  isBinaryRBM,
  toBinary,
  toJSON,
} from "./rbm-io-format";
import { describeValue } from "./tensor";

/** The formats of `saveRBM`. */
export type RBMFormat = "json" | "binary";

/**
 * `params` (an RBM or { W, a, b }) as JSON text or as binary bytes
 * (layouts in rbm-io-format.ts). JSON cannot hold NaN or Infinity: such a
 * parameter throws a RangeError naming it.
 */
export function saveRBM(params: RBMParams, format?: "json"): string;
export function saveRBM(params: RBMParams, format: "binary"): Uint8Array;
export function saveRBM(
  params: RBMParams,
  format?: RBMFormat,
): string | Uint8Array;
export function saveRBM(
  params: RBMParams,
  format: RBMFormat = "json",
): string | Uint8Array {
  const dtype = checkRBMParams("params", params);
  checkFormat(format);
  return format === "json" ? toJSON(params, dtype) : toBinary(params, dtype);
}

/**
 * An RBM from what `saveRBM` wrote: JSON text, or bytes holding either
 * the binary format or JSON text (UTF-8; a byte order mark is skipped).
 */
export function loadRBM(input: string | Uint8Array): RBM {
  if (typeof input === "string") return fromJSON(input);
  if (!(input instanceof Uint8Array)) {
    throw new TypeError(
      `input: expected a string or a Uint8Array, got ${describeValue(input)}`,
    );
  }
  if (isBinaryRBM(input)) return fromBinary(input);
  // JSON may start with a UTF-8 byte order mark (EF BB BF) and whitespace.
  const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
  const first = input
    .subarray(bom ? 3 : 0)
    .find((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09);
  if (first === 0x7b /* "{" */) {
    // TextDecoder drops the byte order mark.
    return fromJSON(new TextDecoder().decode(input));
  }
  const head = Array.from(input.subarray(0, 4), (c) => `0x${hex(c, 2)}`);
  throw new RangeError(
    `input: not a saved RBM (expected the magic bytes "MRBM" or a JSON ` +
      `object), got ${input.length ? head.join(" ") : "no bytes"}`,
  );
}

/**
 * Writes `params` to `file` atomically. `format` defaults to "json" for a
 * name ending in ".json", else "binary". The folder is created if needed.
 */
export function saveRBMFile(
  file: string,
  params: RBMParams,
  format?: RBMFormat,
): void {
  checkPath(file);
  const chosen = format ?? (file.endsWith(".json") ? "json" : "binary");
  writeFileAtomicSync(file, saveRBM(params, chosen));
}

/** Reads an RBM saved by `saveRBMFile` (either format, by content). */
export function loadRBMFile(file: string): RBM {
  return readModelFile(file, loadRBM);
}

function checkFormat(format: unknown): void {
  if (format !== "json" && format !== "binary") {
    throw new RangeError(
      `format: expected "json" or "binary", got ${JSON.stringify(format)}`,
    );
  }
}
