/**
 * The two file formats of a saved RBM (rbm-io.ts), encoders and decoders:
 *
 * JSON (readable, diff-able):
 *   { "format": "memnets-rbm", "version": 1, "dtype": "float32",
 *     "nVisible": V, "nHidden": H, "W": [V * H numbers, row-major],
 *     "a": [V numbers], "b": [H numbers] }
 * Every number is written exactly (a float32 value as its exact double),
 * so a round trip restores the same bits.
 *
 * Binary (compact, little-endian): a 24-byte header, then W, a, b as
 * float32 or float64.
 *   offset  0  4 bytes  magic "MRBM"
 *   offset  4  uint16   format version (1)
 *   offset  6  uint8    bytes per element: 4 (float32) or 8 (float64)
 *   offset  7  uint8    reserved, 0
 *   offset  8  uint32   V
 *   offset 12  uint32   H
 *   offset 16  uint32   payload bytes, (V H + V + H) * element bytes
 *   offset 20  uint32   CRC-32 (IEEE) of the payload
 *
 * Bad input (wrong magic, version, sizes, truncation, trailing bytes, a
 * checksum mismatch, malformed JSON, a JSON field not listed above, a
 * number that overflows the dtype) throws naming what is wrong. A UTF-8
 * byte order mark before the JSON is skipped (editors add one).
 */
import { readNumberArray } from "./model-files";
import { RBM } from "./rbm";
import type { RBMParams } from "./rbm-energy";
import { describeValue, type DType, type FloatArray } from "./tensor";

const FORMAT_TAG = "memnets-rbm";
const VERSION = 1;
const MAGIC = [0x4d, 0x52, 0x42, 0x4d]; // "MRBM"
const HEADER_BYTES = 24;
/** The JSON object's fields, all required; any other is an error. */
const JSON_FIELDS = [
  ...["format", "version", "dtype", "nVisible", "nHidden"],
  ...["W", "a", "b"],
];

/** true if `input` starts with the binary format's magic bytes. */
export function isBinaryRBM(input: Uint8Array): boolean {
  return MAGIC.every((byte, i) => input[i] === byte);
}

// ---- JSON ----

/** JSON text of checked `params` of `dtype` (throws on NaN/Infinity). */
export function toJSON(params: RBMParams, dtype: DType): string {
  const { W, a, b } = params;
  const list = (name: string, x: FloatArray) => {
    const i = x.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new RangeError(
        `params.${name}[${i}]: JSON cannot hold ${x[i]} (save as binary, ` +
          "or fix the diverged model)",
      );
    }
    return Array.from(x);
  };
  return JSON.stringify({
    format: FORMAT_TAG,
    version: VERSION,
    dtype,
    nVisible: W.rows,
    nHidden: W.cols,
    W: list("W", W.data),
    a: list("a", a),
    b: list("b", b),
  });
}

/** The RBM in JSON `text`, every field checked. */
export function fromJSON(text: string): RBM {
  let doc: unknown;
  try {
    // JSON.parse rejects a byte order mark; a hand-edited file may have one.
    doc = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (err) {
    throw new SyntaxError(
      `input: not valid JSON (${(err as Error).message}); truncated file?`,
    );
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new TypeError(
      `input: expected a JSON object, got ${describeValue(doc)}`,
    );
  }
  const o = doc as Record<string, unknown>;
  if (o.format !== FORMAT_TAG) {
    throw new RangeError(
      `input.format: expected "${FORMAT_TAG}", got ${JSON.stringify(o.format)}`,
    );
  }
  checkVersion("input.version", o.version);
  const unknown = Object.keys(o).find((key) => !JSON_FIELDS.includes(key));
  if (unknown !== undefined) {
    // A misspelt field would otherwise be ignored without a word.
    throw new RangeError(
      `input.${unknown}: unknown field ${JSON.stringify(unknown)} ` +
        `(a version ${VERSION} file has: ${JSON_FIELDS.join(", ")})`,
    );
  }
  if (o.dtype !== "float32" && o.dtype !== "float64") {
    throw new RangeError(
      `input.dtype: expected "float32" or "float64", got ` +
        JSON.stringify(o.dtype),
    );
  }
  const V = size("input.nVisible", o.nVisible);
  const H = size("input.nHidden", o.nHidden);
  const rbm = new RBM(V, H, { dtype: o.dtype, weightScale: 0 });
  readNumberArray("input.W", o.W, rbm.W.data);
  readNumberArray("input.a", o.a, rbm.a);
  readNumberArray("input.b", o.b, rbm.b);
  return rbm;
}

function checkVersion(name: string, version: unknown): void {
  if (version !== VERSION) {
    throw new RangeError(
      `${name}: unsupported format version ${JSON.stringify(version)} ` +
        `(this library reads version ${VERSION})`,
    );
  }
}

function size(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `${name}: expected an integer >= 1, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

// ---- binary ----

/** The binary format of checked `params` of `dtype`. */
export function toBinary(params: RBMParams, dtype: DType): Uint8Array {
  const { W, a, b } = params;
  const bytes = dtype === "float32" ? 4 : 8;
  const payload = (W.data.length + a.length + b.length) * bytes;
  if (payload > 0xffffffff) {
    throw new RangeError(
      `params: ${payload} bytes of parameters exceed the binary format's ` +
        "4 GiB limit",
    );
  }
  const out = new Uint8Array(HEADER_BYTES + payload);
  const view = new DataView(out.buffer);
  MAGIC.forEach((byte, i) => view.setUint8(i, byte));
  view.setUint16(4, VERSION, true);
  view.setUint8(6, bytes);
  view.setUint32(8, W.rows, true);
  view.setUint32(12, W.cols, true);
  view.setUint32(16, payload, true);
  let offset = HEADER_BYTES;
  for (const x of [W.data, a, b]) {
    for (let i = 0; i < x.length; i++, offset += bytes) {
      if (bytes === 4) view.setFloat32(offset, x[i], true);
      else view.setFloat64(offset, x[i], true);
    }
  }
  view.setUint32(20, crc32(out.subarray(HEADER_BYTES)), true);
  return out;
}

/** The RBM in binary `input` (magic already matched), all checked. */
export function fromBinary(input: Uint8Array): RBM {
  if (input.length < HEADER_BYTES) {
    throw new RangeError(
      `input: truncated header: expected ${HEADER_BYTES} bytes, got ` +
        input.length,
    );
  }
  const view = new DataView(input.buffer, input.byteOffset, input.length);
  checkVersion("input version", view.getUint16(4, true));
  const bytes = view.getUint8(6);
  if (bytes !== 4 && bytes !== 8) {
    throw new RangeError(
      `input: element size byte: expected 4 (float32) or 8 (float64), ` +
        `got ${bytes}`,
    );
  }
  if (view.getUint8(7) !== 0) {
    throw new RangeError(
      `input: reserved byte 7: expected 0, got ${view.getUint8(7)}`,
    );
  }
  const V = size("input nVisible", view.getUint32(8, true));
  const H = size("input nHidden", view.getUint32(12, true));
  const payload = view.getUint32(16, true);
  const expected = (V * H + V + H) * bytes;
  if (payload !== expected) {
    throw new RangeError(
      `input: header payload size ${payload} does not match ${V} x ${H} ` +
        `of ${bytes}-byte elements (${expected} bytes)`,
    );
  }
  const total = HEADER_BYTES + payload;
  if (input.length !== total) {
    const what = input.length < total ? "truncated" : "trailing bytes";
    throw new RangeError(
      `input: ${what}: expected ${total} bytes, got ${input.length}`,
    );
  }
  const stored = view.getUint32(20, true);
  const actual = crc32(input.subarray(HEADER_BYTES));
  if (stored !== actual) {
    throw new RangeError(
      `input: checksum mismatch (stored 0x${hex(stored, 8)}, computed ` +
        `0x${hex(actual, 8)}): the data is corrupted`,
    );
  }
  const dtype = bytes === 4 ? "float32" : "float64";
  const rbm = new RBM(V, H, { dtype, weightScale: 0 });
  let offset = HEADER_BYTES;
  for (const x of [rbm.W.data, rbm.a, rbm.b]) {
    for (let i = 0; i < x.length; i++, offset += bytes) {
      x[i] =
        bytes === 4
          ? view.getFloat32(offset, true)
          : view.getFloat64(offset, true);
    }
  }
  return rbm;
}

/** `value` in lower-case hexadecimal, zero-padded to `digits`. */
export function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

let crcTable: Uint32Array | null = null;

/** CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320). */
function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
