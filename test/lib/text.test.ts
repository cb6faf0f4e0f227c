import { describe, expect, it } from "vitest";

import {
  ChunkBatches,
  loadText,
  splitText,
  Vocabulary,
} from "../../lib/src/text.js";

describe("Vocabulary", () => {
  it("round-trips Cyrillic and astral characters one code point each", () => {
    const text = "Мой дядя самых честных правил 🙂 é\u{1F680}!";
    const vocab = Vocabulary.fromText(text);
    const ids = vocab.encode(text);
    // Array.from counts code points; .length would count the emoji twice.
    expect(ids.length).toBe(Array.from(text).length);
    expect(ids.length).toBeLessThan(text.length);
    expect(vocab.decode(ids)).toBe(text);
    expect(vocab.has("🙂")).toBe(true);
    expect(vocab.chars).toContain("\u{1F680}");
    expect(vocab.size).toBe(new Set(Array.from(text)).size);
  });

  it("sorts characters by code point, ids 0..size-1", () => {
    const vocab = Vocabulary.fromText("cabbа🙂");
    expect(vocab.chars).toEqual(["a", "b", "c", "а", "🙂"]);
    expect(vocab.id("c")).toBe(2);
    expect(Array.from(vocab.encode("abc"))).toEqual([0, 1, 2]);
  });

  it("names an unknown character, its code point and its position", () => {
    const vocab = Vocabulary.fromText("abc");
    expect(() => vocab.encode("ab🙂c")).toThrow(RangeError);
    expect(() => vocab.encode("ab🙂c")).toThrow(
      /"🙂" \(U\+1F642\) at position 2/,
    );
    expect(() => vocab.id("z")).toThrow(/"z" \(U\+007A\)/);
  });

  it("asks for a string in id() and keeps its characters read-only", () => {
    const v = Vocabulary.fromText("ab");
    expect(() => v.id(5 as never)).toThrow(/ch: expected a one-character/);
    expect(() => (v.chars as string[]).push("z")).toThrow(TypeError);
    expect(v.size).toBe(2);
    const source = ["x", "y"];
    const w = new Vocabulary(source);
    source[0] = "q";
    expect(w.decode([0])).toBe("x");
  });

  it("rejects bad ids and bad arguments", () => {
    const vocab = Vocabulary.fromText("abc");
    expect(() => vocab.decode([0, 3])).toThrow(/ids\[1\].*\[0, 3\), got 3/);
    expect(() => vocab.decode([0.5])).toThrow(RangeError);
    expect(() => vocab.decode(null as never)).toThrow(TypeError);
    expect(() => vocab.encode(5 as never)).toThrow(TypeError);
    expect(() => new Vocabulary(["a", "a"])).toThrow(/duplicate/);
    expect(() => new Vocabulary(["ab"])).toThrow(/one character/);
  });
});

describe("splitText", () => {
  it("keeps the last fraction as validation, contiguous", () => {
    const ids = Int32Array.from({ length: 100 }, (_, i) => i);
    const { train, validation } = splitText(ids, 0.2);
    expect(train.length).toBe(80);
    expect(Array.from(validation)).toEqual(
      Array.from({ length: 20 }, (_, i) => 80 + i),
    );
    expect(() => splitText(ids, 1)).toThrow(/validationFraction/);
    expect(() => splitText([1, 2] as never)).toThrow(TypeError);
  });
});

describe("ChunkBatches", () => {
  const ids = Int32Array.from({ length: 23 }, (_, i) => i);

  it("cuts B streams and shifts the targets by one token", () => {
    // L = floor(23 / 2) = 11 tokens per stream, floor(10 / 3) = 3 chunks.
    const chunks = new ChunkBatches(ids, 2, 3);
    expect(chunks.streamLength).toBe(11);
    expect(chunks.count).toBe(3);
    const first = chunks.get(0);
    expect(Array.from(first.inputs)).toEqual([0, 1, 2, 11, 12, 13]);
    expect(Array.from(first.targets)).toEqual([1, 2, 3, 12, 13, 14]);
    const last = chunks.get(2);
    expect(Array.from(last.inputs)).toEqual([6, 7, 8, 17, 18, 19]);
    expect(Array.from(last.targets)).toEqual([7, 8, 9, 18, 19, 20]);
  });

  it("continues each stream from one chunk to the next", () => {
    const chunks = new ChunkBatches(ids, 2, 3);
    const out = chunks.get(0);
    for (let k = 1; k < chunks.count; k++) {
      const previousEnd = [out.inputs[2], out.inputs[5]];
      chunks.get(k, out);
      expect([out.inputs[0], out.inputs[3]]).toEqual(
        previousEnd.map((v) => v + 1),
      );
    }
  });

  it("rejects a too short text, bad sizes and bad indices", () => {
    expect(() => new ChunkBatches(ids, 4, 6)).toThrow(
      /= 28 tokens for one chunk, got 23/,
    );
    expect(() => new ChunkBatches(ids, 0, 3)).toThrow(/batch/);
    expect(() => new ChunkBatches(ids, 2, 1.5)).toThrow(/steps/);
    const chunks = new ChunkBatches(ids, 2, 3);
    expect(() => chunks.get(3)).toThrow(/k: expected an integer in \[0, 3\)/);
    expect(() =>
      chunks.get(0, { inputs: new Int32Array(5), targets: new Int32Array(6) }),
    ).toThrow(/out.inputs/);
  });
});

describe("loadText", () => {
  it("reads Tiny Shakespeare: 1,115,394 characters, 65 distinct", () => {
    const text = loadText("tinyshakespeare");
    expect(text.length).toBe(1115394);
    expect(text.startsWith("First Citizen:")).toBe(true);
    expect(Vocabulary.fromText(text).size).toBe(65);
  });

  it("reads Eugene Onegin in Russian: 143,164 characters, 129 distinct", () => {
    const text = loadText("onegin");
    const chars = Array.from(text);
    expect(chars.length).toBe(143164);
    expect(text).toContain("Евгений Онегин");
    expect(Vocabulary.fromText(text).size).toBe(129);
  });

  it("rejects an unknown name", () => {
    expect(() => loadText("hamlet" as never)).toThrow(
      /tinyshakespeare, onegin, got "hamlet"/,
    );
    // Names inherited from Object.prototype are not texts either.
    for (const name of ["__proto__", "toString", "constructor"]) {
      expect(() => loadText(name as never), name).toThrow(
        /name: expected one of/,
      );
    }
  });
});
