import { describe, expect, it } from "vitest";

import {
  Matrix,
  checkFloatArray,
  checkMatrix,
  dtypeOf,
  outLike,
} from "../../lib/src/tensor.js";

describe("Matrix", () => {
  it("stores element (i, j) at data[i * cols + j]", () => {
    const A = Matrix.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(A.shape).toEqual([2, 3]);
    expect(Array.from(A.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(A.get(1, 0)).toBe(4);
    A.set(0, 2, -7);
    expect(A.data[2]).toBe(-7);
    expect(A.toArray()).toEqual([
      [1, 2, -7],
      [4, 5, 6],
    ]);
  });

  it("defaults to float64 and keeps float32 when asked", () => {
    expect(new Matrix(2, 2).data).toBeInstanceOf(Float64Array);
    expect(new Matrix(2, 2).dtype).toBe("float64");
    const F = Matrix.zeros(2, 3, "float32");
    expect(F.data).toBeInstanceOf(Float32Array);
    expect(F.dtype).toBe("float32");
    F.set(0, 0, 0.1);
    expect(F.get(0, 0)).toBe(Math.fround(0.1));
  });

  it("wraps given storage without copying it", () => {
    const data = new Float32Array(6);
    const A = new Matrix(3, 2, data);
    A.set(2, 1, 9);
    expect(data[5]).toBe(9);
  });

  it("returns rows as views that share storage", () => {
    const A = Matrix.fromRows([
      [1, 2],
      [3, 4],
    ]);
    const r = A.row(1);
    expect(Array.from(r)).toEqual([3, 4]);
    r[0] = 30;
    expect(A.get(1, 0)).toBe(30);
  });

  it("clones and converts into independent storage", () => {
    const A = Matrix.fromRows([[1.5, 2.25]], "float32");
    const B = A.clone();
    B.set(0, 0, 0);
    expect(A.get(0, 0)).toBe(1.5);
    const C = A.toDType("float64");
    expect(C.dtype).toBe("float64");
    expect(Array.from(C.data)).toEqual([1.5, 2.25]);
    C.set(0, 1, 0);
    expect(A.get(0, 1)).toBe(2.25);
  });

  it("builds an empty matrix from no rows", () => {
    expect(Matrix.fromRows([]).shape).toEqual([0, 0]);
  });

  it("throws RangeError naming data when its length is wrong", () => {
    expect(() => new Matrix(2, 3, new Float64Array(5))).toThrow(RangeError);
    expect(() => new Matrix(2, 3, new Float64Array(5))).toThrow(
      "data: expected length 6, got 5",
    );
  });

  it("throws TypeError for storage that is not a float array", () => {
    const bad = [1, 2] as unknown as Float64Array;
    expect(() => new Matrix(1, 2, bad)).toThrow(TypeError);
    expect(() => new Matrix(1, 2, bad)).toThrow(
      /data: expected a Float32Array/,
    );
  });

  it("rejects bad sizes, dtypes, ragged rows and indices", () => {
    expect(() => new Matrix(-1, 2)).toThrow("rows: expected an integer >= 0");
    expect(() => new Matrix(1.5, 2)).toThrow(RangeError);
    expect(() => new Matrix("2" as unknown as number, 2)).toThrow(TypeError);
    expect(() => Matrix.zeros(2, 2, "int8" as "float32")).toThrow(
      'dtype: expected "float32" or "float64", got "int8"',
    );
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(
      "rows[1]: expected length 2, got 1",
    );
    const A = Matrix.zeros(2, 2);
    expect(() => A.get(2, 0)).toThrow(
      "i: expected an integer in [0, 2), got 2",
    );
    expect(() => A.set(0, -1, 1)).toThrow(RangeError);
    expect(() => A.row(5)).toThrow(RangeError);
  });
});

describe("argument checks", () => {
  it("name the argument, the expected and the actual shape", () => {
    const A = Matrix.zeros(2, 3);
    expect(() => checkMatrix("W", A, 3, 3)).toThrow(
      "W: expected shape [3, 3], got [2, 3]",
    );
    expect(() => checkMatrix("W", A, undefined, undefined, "float32")).toThrow(
      "W: expected float32 data, got float64",
    );
    expect(() => checkMatrix("W", [[1]])).toThrow(TypeError);
    expect(() => checkFloatArray("x", new Float32Array(2), 3)).toThrow(
      "x: expected length 3, got 2",
    );
  });

  it("allocate an output like the input or check the given one", () => {
    const x = new Float32Array(4);
    const y = outLike("out", undefined, x);
    expect(dtypeOf(y)).toBe("float32");
    expect(y.length).toBe(4);
    expect(() => outLike("out", new Float64Array(4), x)).toThrow(TypeError);
    expect(() => outLike("out", new Float32Array(3), x)).toThrow(RangeError);
  });
});
