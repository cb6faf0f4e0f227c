import { describe, expect, it } from "vitest";
import { heatmap, histogram, linePlot } from "../../lib/src/plot.js";
import { imageGrid } from "../../lib/src/image-grid.js";

type Obj = Record<string, unknown>;

describe("linePlot", () => {
  it("makes one scatter trace per series with plain-array data", () => {
    const fig = linePlot(
      [
        { name: "async", y: new Float64Array([3, 2, 1]) },
        { name: "sync", x: [1, 2, 3], y: [3, 3, 3], dash: "dot" },
      ],
      { title: "Energy", xLabel: "sweep", yLabel: "E" },
    );
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0]).toMatchObject({
      type: "scatter",
      name: "async",
      mode: "lines",
      y: [3, 2, 1],
    });
    expect(Array.isArray(fig.data[0].y)).toBe(true);
    expect(fig.data[1]).toMatchObject({ x: [1, 2, 3], line: { dash: "dot" } });
    expect(fig.layout.title).toEqual({ text: "Energy" });
    expect((fig.layout.xaxis as Obj).title).toEqual({ text: "sweep" });
    expect((fig.layout.yaxis as Obj).title).toEqual({ text: "E" });
  });

  it("draws reference lines as shapes with labels", () => {
    const fig = linePlot([{ name: "recall", y: [1, 0.5] }], {
      referenceLines: [
        { x: 13.8, label: "0.138 N" },
        { y: 0.5, label: "half" },
      ],
    });
    const shapes = fig.layout.shapes as Obj[];
    expect(shapes).toHaveLength(2);
    expect(shapes[0]).toMatchObject({ x0: 13.8, x1: 13.8, yref: "paper" });
    expect(shapes[1]).toMatchObject({ y0: 0.5, y1: 0.5, xref: "paper" });
    const notes = fig.layout.annotations as Obj[];
    expect(notes.map((a) => a.text)).toEqual(["0.138 N", "half"]);
  });

  it("adds error bars and log axes", () => {
    const fig = linePlot([{ name: "a", y: [1, 10], error: [0.1, 0.2] }], {
      logY: true,
      yRange: [1, 100],
    });
    expect(fig.data[0].error_y).toMatchObject({ array: [0.1, 0.2] });
    expect(fig.layout.yaxis).toMatchObject({ type: "log", range: [0, 2] });
  });

  it("rejects bad input naming the argument", () => {
    expect(() => linePlot([])).toThrow(RangeError);
    expect(() => linePlot([{ name: "a", y: [1, 2], x: [1] }])).toThrow(
      /series\[0\]\.x must have 2 entries/,
    );
    expect(() =>
      linePlot([{ name: "a", y: ["1"] as unknown as number[] }]),
    ).toThrow(TypeError);
    expect(() =>
      linePlot([{ name: "a", y: [1] }], {
        referenceLines: [{ x: 1, y: 2, label: "both" }],
      }),
    ).toThrow(/exactly one of x and y/);
  });
});

describe("heatmap", () => {
  it("splits a row-major matrix into rows, row 0 on top", () => {
    const fig = heatmap([0, 1, 2, 3, 4, 5], 2, 3, { title: "W" });
    expect(fig.data[0]).toMatchObject({
      type: "heatmap",
      z: [
        [0, 1, 2],
        [3, 4, 5],
      ],
      zmid: 0,
    });
    expect((fig.layout.yaxis as Obj).autorange).toBe("reversed");
  });

  it("rejects a size mismatch", () => {
    expect(() => heatmap([1, 2, 3], 2, 2)).toThrow(
      /rows\*cols = 4 entries, got 3/,
    );
    expect(() => heatmap([1, 2], 0, 2)).toThrow(RangeError);
  });
});

describe("histogram", () => {
  it("overlays one histogram trace per sample", () => {
    const fig = histogram(
      [
        { name: "a", values: [1, 2, 2] },
        { name: "b", values: new Float64Array([3]) },
      ],
      { bins: 10, density: true },
    );
    expect(fig.data.map((t) => t.type)).toEqual(["histogram", "histogram"]);
    expect(fig.data[1]).toMatchObject({
      x: [3],
      nbinsx: 10,
      histnorm: "probability density",
    });
    expect(fig.layout.barmode).toBe("overlay");
    expect(() => histogram([{ name: "a", values: [1] }], { bins: 0 })).toThrow(
      RangeError,
    );
  });
});

describe("imageGrid", () => {
  const a = [1, -1, -1, 1, 1, -1]; // 2 rows x 3 cols
  const b = [-1, -1, -1, 1, 1, 1];

  it("puts each image on its own axes, in grid order, with captions", () => {
    const fig = imageGrid([a, b, a], 3, 2, {
      columns: 2,
      titles: ["x", "y", "z"],
    });
    expect(fig.data).toHaveLength(3);
    expect(fig.data.map((t) => t.xaxis)).toEqual(["x", "x2", "x3"]);
    expect(fig.data[1].z).toEqual([
      [-1, -1, -1],
      [1, 1, 1],
    ]);
    // Bipolar images keep -1 white and +1 black.
    expect(fig.data[0]).toMatchObject({ zmin: -1, zmax: 1 });
    const x1 = fig.layout.xaxis as Obj;
    const x2 = fig.layout.xaxis2 as Obj;
    const y3 = fig.layout.yaxis3 as Obj;
    const y1 = fig.layout.yaxis as Obj;
    // Image 2 is right of image 1; image 3 starts the second row, below.
    expect((x2.domain as number[])[0]).toBeGreaterThan(
      (x1.domain as number[])[1],
    );
    expect((y3.domain as number[])[1]).toBeLessThan((y1.domain as number[])[0]);
    expect(y1.autorange).toBe("reversed");
    const notes = fig.layout.annotations as Obj[];
    expect(notes.map((n) => n.text)).toEqual(["x", "y", "z"]);
  });

  it("uses the data range for grey images", () => {
    const fig = imageGrid([[0, 8, 16, 4]], 2, 2);
    expect(fig.data[0]).toMatchObject({ zmin: 0, zmax: 16 });
  });

  it("rejects images of the wrong length and mismatched titles", () => {
    expect(() => imageGrid([a, [1, 1]], 3, 2)).toThrow(
      /images\[1\] must have width\*height = 6 values, got 2/,
    );
    expect(() => imageGrid([a, b], 3, 2, { titles: ["only one"] })).toThrow(
      /one entry per image \(2\), got 1/,
    );
    expect(() => imageGrid([], 3, 2)).toThrow(RangeError);
    expect(() => imageGrid([a], 3, 2, { range: [1, 1] })).toThrow(RangeError);
  });
});

describe("imageGrid title", () => {
  it("widens a narrow grid for a long title, keeping cell sizes", () => {
    const image = [1, -1, -1, 1];
    const plain = imageGrid([image], 2, 2, { cellSize: 40 });
    const titled = imageGrid([image], 2, 2, {
      cellSize: 40,
      title: "A title much wider than one small image",
    });
    const area = (f: typeof plain) => {
      const m = f.layout.margin as Record<string, number>;
      return (f.layout.width as number) - m.l - m.r;
    };
    expect(titled.layout.width).toBeGreaterThan(plain.layout.width as number);
    expect(area(titled)).toBe(area(plain));
  });
});
