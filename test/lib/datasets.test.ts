import { describe, expect, it } from "vitest";

import {
  bipolarDigits,
  fontCharacters,
  fontLetters,
  loadDigits,
} from "../../lib/src/datasets.js";

/** Renders a bipolar [height, width] image as rows of '#' and '.'. */
function render(image: Float64Array, width: number): string[] {
  const rows: string[] = [];
  for (let r = 0; r < image.length / width; r++) {
    const row = Array.from(image.slice(r * width, (r + 1) * width));
    rows.push(row.map((v) => (v > 0 ? "#" : ".")).join(""));
  }
  return rows;
}

describe("fontLetters", () => {
  it("returns 5x7 bipolar bitmaps labelled by character", () => {
    const set = fontLetters("HOPFIELD");
    expect(set.width).toBe(5);
    expect(set.height).toBe(7);
    expect(set.labels).toEqual(["H", "O", "P", "F", "I", "E", "L", "D"]);
    expect(set.patterns.length).toBe(8);
    for (const p of set.patterns) {
      expect(p.length).toBe(35);
      expect(p.every((v) => v === 1 || v === -1)).toBe(true);
    }
    expect(new Set(set.patterns.map((p) => p.join())).size).toBe(8);
  });

  it("draws glyphs upright (bit 0 is the top row)", () => {
    const { patterns } = fontLetters("LT");
    expect(render(patterns[0], 5)).toEqual([
      "#....",
      "#....",
      "#....",
      "#....",
      "#....",
      "#....",
      "#####",
    ]);
    expect(render(patterns[1], 5)).toEqual([
      "#####",
      "..#..",
      "..#..",
      "..#..",
      "..#..",
      "..#..",
      "..#..",
    ]);
  });

  it("lists the font's characters, A-Z among them", () => {
    const chars = fontCharacters();
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
      expect(chars).toContain(c);
    }
  });

  it("throws on characters outside the font, naming them", () => {
    expect(() => fontLetters("AЖ")).toThrow(RangeError);
    expect(() => fontLetters("AЖ")).toThrow(/chars: .*got "Ж"/);
    expect(() => fontLetters("")).toThrow(/chars/);
    expect(() => fontLetters(5 as unknown as string)).toThrow(TypeError);
  });
});

describe("digits", () => {
  it("loads 1797 8x8 digits with pixels 0..16 and labels 0..9", () => {
    const { images, labels, width, height } = loadDigits();
    expect([width, height]).toEqual([8, 8]);
    expect(images.length).toBe(1797);
    expect(labels.length).toBe(1797);
    for (const img of images) {
      expect(img.length).toBe(64);
      expect(img.every((v) => Number.isInteger(v) && v >= 0 && v <= 16)).toBe(
        true,
      );
    }
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    // every digit occurs, about 180 times each
    for (const c of counts) expect(c).toBeGreaterThan(150);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(1797);
    // the first row of the file is a 0
    expect(labels[0]).toBe(0);
    expect(Array.from(images[0].slice(0, 8))).toEqual([
      0, 0, 5, 13, 9, 1, 0, 0,
    ]);
  });

  it("returns fresh arrays on every call", () => {
    const a = loadDigits();
    a.images[0][0] = 99;
    a.labels[0] = 7;
    const b = loadDigits();
    expect(b.images[0][0]).toBe(0);
    expect(b.labels[0]).toBe(0);
  });

  it("binarises to bipolar with pixel > threshold as ink", () => {
    const raw = loadDigits();
    for (const threshold of [8, 0]) {
      const set = bipolarDigits(threshold);
      expect(set.patterns.length).toBe(1797);
      expect(set.labels.length).toBe(1797);
      expect(new Set(set.labels)).toEqual(
        new Set(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
      );
      let mismatches = 0;
      set.patterns.forEach((p, k) => {
        p.forEach((v, i) => {
          if (v !== (raw.images[k][i] > threshold ? 1 : -1)) mismatches++;
        });
      });
      expect(mismatches).toBe(0);
    }
    expect(() => bipolarDigits(16)).toThrow(/threshold: .*got 16/);
    expect(() => bipolarDigits(NaN)).toThrow(RangeError);
  });
});
