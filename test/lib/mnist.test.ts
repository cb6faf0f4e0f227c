import { describe, expect, it } from "vitest";
import { binaryDigits } from "../../lib/src/datasets.js";
import { loadMnist } from "../../lib/src/mnist.js";
import { Random } from "../../lib/src/random.js";

// Per-digit counts of MNIST's training split, as published with the data
// set (LeCun, Cortes and Burges) and printed by every loader's tutorial.
const TRAIN_COUNTS = [
  5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
];

describe("loadMnist", () => {
  it("reads the whole training split with its published label counts", () => {
    const set = loadMnist();
    expect(set.images.rows).toBe(60000);
    expect(set.images.cols).toBe(784);
    expect(set.images.dtype).toBe("float32");
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual(TRAIN_COUNTS);
    // The first training images are 5, 0, 4, 1, 9 (the set's well-known head).
    expect([...set.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
  });

  it("scales grey levels to [0, 1] with real ink in the middle", () => {
    const { images } = loadMnist({ split: "test", count: 100 });
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of images.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    // Corners are background in every MNIST image; the centre has ink.
    let corner = 0;
    let centre = 0;
    for (let r = 0; r < 100; r++) {
      corner += images.get(r, 0) + images.get(r, 783);
      centre += images.get(r, 14 * 28 + 14);
    }
    expect(corner).toBe(0);
    expect(centre).toBeGreaterThan(10);
  });

  it("binarises by threshold and stochastically, the latter seeded", () => {
    const grey = loadMnist({ split: "test", count: 50, dtype: "float64" });
    const thr = loadMnist({ split: "test", count: 50, binarize: "threshold" });
    let wrong = 0;
    for (let i = 0; i < grey.images.data.length; i++) {
      if (thr.images.data[i] !== (grey.images.data[i] > 0.5 ? 1 : 0)) wrong++;
    }
    expect(wrong).toBe(0);
    const opts = { split: "test", count: 50, binarize: "stochastic" } as const;
    const s1 = loadMnist({ ...opts, random: new Random(3) });
    const s2 = loadMnist({ ...opts, random: new Random(3) });
    expect(s1.images.data).toEqual(s2.images.data);
    let ink = 0;
    let expected = 0;
    let bad = 0;
    for (let i = 0; i < grey.images.data.length; i++) {
      const v = s1.images.data[i];
      if (!(v === 0 || v === 1) || (grey.images.data[i] === 0 && v !== 0)) {
        bad++;
      }
      ink += v;
      expected += grey.images.data[i];
    }
    expect(bad).toBe(0);
    // 50 * 784 independent draws: the total is within a few percent.
    expect(Math.abs(ink - expected) / expected).toBeLessThan(0.05);
  });

  it("keeps only the requested digits of a range", () => {
    const twos = loadMnist({
      split: "test",
      start: 100,
      count: 500,
      digits: [2],
    });
    const all = loadMnist({ split: "test", start: 100, count: 500 });
    const want = [...all.labels].filter((l) => l === 2).length;
    expect(twos.images.rows).toBe(want);
    expect([...twos.labels].every((l) => l === 2)).toBe(true);
  });

  it("rejects bad options by name", () => {
    expect(() => loadMnist({ count: 60001 })).toThrow(/options\.count/);
    expect(() => loadMnist({ split: "val" as "test" })).toThrow(
      /options\.split/,
    );
    expect(() => loadMnist({ binarize: "stochastic" })).toThrow(
      /options\.random/,
    );
    expect(() => loadMnist({ threshold: 1 })).toThrow(/options\.threshold/);
    expect(() => loadMnist({ digits: [10] })).toThrow(/options\.digits/);
    expect(() => loadMnist({ cuont: 3 } as object)).toThrow(/cuont/);
  });

  it("names options.start and the split's size when start is past it", () => {
    // Used to blame options.count: "expected an integer >= 0, got -10000".
    expect(() => loadMnist({ start: 70000 })).toThrow(
      new RangeError(
        "options.start: expected at most 60000 (the train split has 60000 " +
          "images), got 70000",
      ),
    );
    expect(() => loadMnist({ split: "test", start: 10001 })).toThrow(
      /^options\.start: expected at most 10000 \(the test split/,
    );
    expect(loadMnist({ split: "test", start: 10000 }).images.rows).toBe(0);
  });

  it("shows the kind and the value of a bad option", () => {
    const threshold = { threshold: "0.5" as unknown as number };
    expect(() => loadMnist(threshold)).toThrow(TypeError);
    expect(() => loadMnist(threshold)).toThrow(
      /threshold: .* got string "0\.5"/,
    );
    const split = { split: "validation" as "test" };
    expect(() => loadMnist(split)).toThrow(RangeError);
    expect(() => loadMnist(split)).toThrow(/got string "validation"/);
    expect(() => loadMnist({ split: 1 as unknown as "test" })).toThrow(
      TypeError,
    );
    expect(() => loadMnist(null as unknown as object)).toThrow(
      new TypeError("options: expected an object, got null"),
    );
  });
});

describe("binaryDigits", () => {
  it("gives the 8x8 digits as a 0/1 matrix agreeing with the bipolar set", () => {
    const set = binaryDigits();
    expect(set.images.rows).toBe(1797);
    expect(set.images.cols).toBe(64);
    expect(set.labels.length).toBe(1797);
    expect([...set.images.data].every((v) => v === 0 || v === 1)).toBe(true);
    expect(() => binaryDigits(16)).toThrow(/threshold/);
  });
});
