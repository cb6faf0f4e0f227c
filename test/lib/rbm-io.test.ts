import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import { RBM } from "../../lib/src/rbm.js";
import {
  loadRBM,
  loadRBMFile,
  saveRBM,
  saveRBMFile,
} from "../../lib/src/rbm-io.js";

/** A model whose every parameter is a non-trivial number. */
function model(dtype: "float32" | "float64", nV = 7, nH = 5): RBM {
  const random = new Random(dtype === "float32" ? 1 : 2);
  const rbm = new RBM(nV, nH, { dtype, random, weightScale: 0.3 });
  for (let i = 0; i < nV; i++) rbm.a[i] = random.normal(0, 2);
  for (let j = 0; j < nH; j++) rbm.b[j] = random.normal(0, 2) * 1e-7;
  // a subnormal number must survive too
  rbm.W.data[0] = dtype === "float32" ? 5e-40 : 1e-310;
  return rbm;
}

/** Same dtype, shapes and bits. */
function expectSame(actual: RBM, expected: RBM): void {
  expect(actual).toBeInstanceOf(RBM);
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.W.shape).toEqual(expected.W.shape);
  expect(actual.W.data).toEqual(expected.W.data);
  expect(actual.a).toEqual(expected.a);
  expect(actual.b).toEqual(expected.b);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memnets-rbm-io-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("saveRBM / loadRBM round trip", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`restores every bit through JSON (${dtype})`, () => {
      const rbm = model(dtype);
      const text = saveRBM(rbm);
      expect(typeof text).toBe("string");
      expect(JSON.parse(text)).toMatchObject({
        format: "memnets-rbm",
        version: 1,
        dtype,
        nVisible: 7,
        nHidden: 5,
      });
      expectSame(loadRBM(text), rbm);
      expectSame(loadRBM(new TextEncoder().encode(` \n${text}`)), rbm);
    });

    it(`restores every bit through the binary format (${dtype})`, () => {
      const rbm = model(dtype);
      const bytes = saveRBM(rbm, "binary");
      const size = dtype === "float32" ? 4 : 8;
      expect(bytes.length).toBe(24 + (7 * 5 + 7 + 5) * size);
      expect(Array.from(bytes.subarray(0, 4))).toEqual([77, 82, 66, 77]);
      expectSame(loadRBM(bytes), rbm);
    });
  }

  it("writes files atomically and reads either format by content", () => {
    const rbm = model("float32");
    const json = path.join(dir, "nested", "model.json");
    const bin = path.join(dir, "model.rbm");
    saveRBMFile(json, rbm);
    saveRBMFile(bin, rbm);
    expect(fs.readFileSync(json, "utf8").startsWith("{")).toBe(true);
    expect(fs.readFileSync(bin).subarray(0, 4).toString()).toBe("MRBM");
    expectSame(loadRBMFile(json), rbm);
    expectSame(loadRBMFile(bin), rbm);
    // overwrite with another model: the file holds the new one
    const other = model("float64");
    saveRBMFile(bin, other, "binary");
    expectSame(loadRBMFile(bin), other);
    // no temporary files are left behind
    const leftovers = [
      ...fs.readdirSync(dir),
      ...fs.readdirSync(path.dirname(json)),
    ].filter((f) => f.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });

  it("removes its temporary file when the rename fails", () => {
    const target = path.join(dir, "occupied");
    fs.mkdirSync(path.join(target, "child"), { recursive: true });
    expect(() => saveRBMFile(target, model("float64"))).toThrow();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("loadRBM bad input", () => {
  const rbm = model("float64", 3, 2);
  const bytes = saveRBM(rbm, "binary");
  const edited = (edit: (b: Uint8Array, view: DataView) => void) => {
    const copy = bytes.slice();
    edit(copy, new DataView(copy.buffer));
    return copy;
  };

  it("names what is wrong with a binary file", () => {
    const cases: [Uint8Array, RegExp][] = [
      [bytes.subarray(0, 10), /truncated header: expected 24 bytes, got 10/],
      [bytes.subarray(0, bytes.length - 1), /truncated: expected 112 bytes/],
      [new Uint8Array([...bytes, 0]), /trailing bytes: expected 112 bytes/],
      [edited((b) => (b[0] = 0x4e)), /not a saved RBM .* got 0x4e 0x52/],
      [
        edited((_, v) => v.setUint16(4, 2, true)),
        /unsupported format version 2/,
      ],
      [edited((b) => (b[6] = 2)), /expected 4 \(float32\) or 8/],
      [edited((b) => (b[7] = 1)), /reserved byte 7: expected 0, got 1/],
      [
        edited((_, v) => v.setUint32(8, 0, true)),
        /nVisible: expected an integer >= 1/,
      ],
      [edited((_, v) => v.setUint32(12, 3, true)), /does not match 3 x 3/],
      [edited((b) => (b[40] ^= 1)), /checksum mismatch .* corrupted/],
      [new Uint8Array(0), /got no bytes/],
    ];
    for (const [input, message] of cases) {
      expect(() => loadRBM(input), message.source).toThrow(message);
    }
  });

  it("names what is wrong with JSON", () => {
    const text = saveRBM(rbm);
    const doc = () => JSON.parse(text) as Record<string, unknown>;
    const withField = (key: string, value: unknown) =>
      JSON.stringify({ ...doc(), [key]: value });
    const cases: [string, RegExp, ErrorConstructor][] = [
      [text.slice(0, -20), /not valid JSON .*truncated/, SyntaxError],
      ["[1, 2]", /expected a JSON object, got Array/, TypeError],
      [
        withField("format", "other"),
        /input\.format: expected "memnets-rbm"/,
        RangeError,
      ],
      [
        withField("version", 9),
        /input\.version: unsupported format version 9/,
        RangeError,
      ],
      [withField("dtype", "int8"), /input\.dtype/, RangeError],
      [withField("nHidden", 2.5), /input\.nHidden/, RangeError],
      [
        withField("W", [1, 2]),
        /input\.W: expected 6 numbers, got 2/,
        RangeError,
      ],
      [
        withField("a", [0, "1", 0]),
        /input\.a\[1\]: expected a finite number/,
        TypeError,
      ],
      [withField("b", null), /input\.b: expected an array/, TypeError],
    ];
    for (const [input, message, kind] of cases) {
      expect(() => loadRBM(input), message.source).toThrow(message);
      expect(() => loadRBM(input)).toThrow(kind);
    }
  });

  it("rejects a number that overflows the dtype, naming it", () => {
    // 1e39 is finite as a double, so it used to pass the check and be
    // stored as Infinity in the Float32Array.
    const f32 = JSON.parse(saveRBM(model("float32", 3, 2))) as {
      a: number[];
    };
    f32.a[0] = 1e39;
    const text = JSON.stringify(f32);
    expect(() => loadRBM(text)).toThrow(RangeError);
    expect(() => loadRBM(text)).toThrow(
      /^input\.a\[0\]: expected a finite float32 number, got 1e\+39/,
    );
    f32.a[0] = 3e38; // the largest float32 is 3.4e38
    expect(loadRBM(JSON.stringify(f32)).a[0]).toBe(Math.fround(3e38));
    // JSON.parse reads 1e400 as Infinity, in either dtype.
    const f64 = saveRBM(rbm).replace(/"b":\[[^,]*/, '"b":[1e400');
    expect(() => loadRBM(f64)).toThrow(
      /^input\.b\[0\]: expected a finite float64 number, got Infinity/,
    );
  });

  it("rejects an unknown field instead of ignoring it", () => {
    const doc = JSON.parse(saveRBM(rbm)) as Record<string, unknown>;
    const typo = JSON.stringify({ ...doc, wieghts: [1, 2] });
    expect(() => loadRBM(typo)).toThrow(
      /^input\.wieghts: unknown field "wieghts" \(a version 1 file has: /,
    );
    expect(() => loadRBM(new TextEncoder().encode(typo))).toThrow(RangeError);
  });

  it("reads JSON after a UTF-8 byte order mark", () => {
    const text = saveRBM(rbm);
    expectSame(loadRBM("\uFEFF" + text), rbm);
    const utf8 = new TextEncoder().encode(text);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
    expectSame(loadRBM(withBom), rbm);
    expectSame(loadRBM(new Uint8Array([0xef, 0xbb, 0xbf, 0x09, ...utf8])), rbm);
    const file = path.join(dir, "bom.json");
    fs.writeFileSync(file, withBom);
    expectSame(loadRBMFile(file), rbm);
  });

  it("prefixes file errors with the path", () => {
    const file = path.join(dir, "broken.rbm");
    fs.writeFileSync(file, bytes.subarray(0, 50));
    expect(() => loadRBMFile(file)).toThrow(
      new RangeError(`${file}: input: truncated: expected 112 bytes, got 50`),
    );
    expect(() => loadRBMFile(path.join(dir, "missing.rbm"))).toThrow(/ENOENT/);
  });

  it("refuses what it cannot save", () => {
    const bad = model("float64", 3, 2);
    bad.a[1] = NaN;
    expect(() => saveRBM(bad)).toThrow(/params\.a\[1\]: JSON cannot hold NaN/);
    expectSame(loadRBM(saveRBM(bad, "binary")), bad);
    expect(() => saveRBM(rbm, "xml" as "json")).toThrow(/format: expected/);
    expect(() => saveRBM({ W: rbm.W } as RBM)).toThrow(/params\.a/);
    expect(() => loadRBM(42 as unknown as string)).toThrow(TypeError);
  });
});
