/**
 * Dense row-major matrices over typed arrays, the storage under every
 * model of the course (issue 3).
 *
 * A `Matrix` of shape `[rows, cols]` keeps element (i, j) at
 * `data[i * cols + j]`. Two element types: `float64` (the default, used by
 * gradient checks and reference code) and `float32` (half the memory and
 * faster GEMM for training on real data). Kernels never mix the two: an
 * operation given a float32 and a float64 array throws a `TypeError`.
 *
 * Limits: two dimensions only, always contiguous (no strides, no views of
 * a column or a block); a vector is a plain `Float32Array`/`Float64Array`.
 *
 * The `check*` helpers below are shared by the numeric modules. Each throws
 * at once naming the argument, the expected and the actual value:
 * `TypeError` for a wrong kind, `RangeError` for a wrong shape or value.
 */

/** Element type of a matrix or vector. */
export type DType = "float32" | "float64";

/** The typed arrays a matrix or vector may be stored in. */
export type FloatArray = Float32Array | Float64Array;

/** true for a `Float32Array` or `Float64Array`. */
export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float64Array || value instanceof Float32Array;
}

/** Element type of a typed array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? "float32" : "float64";
}

/** Throws unless `dtype` is "float32" or "float64". */
export function checkDType(name: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  if (typeof dtype !== "string") {
    throw new TypeError(
      `${name}: expected "float32" or "float64", got ${describeValue(dtype)}`,
    );
  }
  throw new RangeError(
    `${name}: expected "float32" or "float64", got "${dtype}"`,
  );
}

/** New zero-filled array of the given type and length. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === "float32"
    ? new Float32Array(length)
    : new Float64Array(length);
}

/**
 * Short description of a value for error messages: a number as itself
 * ("-1", "NaN"), a string quoted with its kind, anything else by its kind.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (isFloatArray(value)) {
    return `${value.constructor.name}(${value.length})`;
  }
  if (value instanceof Matrix) {
    return `Matrix [${value.rows}, ${value.cols}] ${value.dtype}`;
  }
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    return ctor?.name ?? "object";
  }
  return typeof value;
}

/** Throws unless `value` is an integer >= 0 (a dimension or a count). */
export function checkSize(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name}: expected a number, got ${describeValue(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected an integer >= 0, got ${value}`);
  }
  return value;
}

/**
 * Throws unless `value` is a Float32Array or Float64Array, of element type
 * `dtype` and of length `length` when these are given.
 */
export function checkFloatArray(
  name: string,
  value: unknown,
  length?: number,
  dtype?: DType,
): FloatArray {
  if (!isFloatArray(value)) {
    throw new TypeError(
      `${name}: expected a Float32Array or Float64Array, got ${describeValue(value)}`,
    );
  }
  if (dtype !== undefined && dtypeOf(value) !== dtype) {
    throw new TypeError(
      `${name}: expected ${dtype} data, got ${dtypeOf(value)}`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(
      `${name}: expected length ${length}, got ${value.length}`,
    );
  }
  return value;
}

/**
 * Throws unless `value` is a `Matrix`, of shape `[rows, cols]` and element
 * type `dtype` when these are given.
 */
export function checkMatrix(
  name: string,
  value: unknown,
  rows?: number,
  cols?: number,
  dtype?: DType,
): Matrix {
  if (!(value instanceof Matrix)) {
    throw new TypeError(
      `${name}: expected a Matrix, got ${describeValue(value)}`,
    );
  }
  if (dtype !== undefined && value.dtype !== dtype) {
    throw new TypeError(`${name}: expected ${dtype} data, got ${value.dtype}`);
  }
  const rowsOk = rows === undefined || value.rows === rows;
  const colsOk = cols === undefined || value.cols === cols;
  if (!rowsOk || !colsOk) {
    const want = `[${rows ?? "any"}, ${cols ?? "any"}]`;
    throw new RangeError(
      `${name}: expected shape ${want}, got [${value.rows}, ${value.cols}]`,
    );
  }
  return value;
}

/**
 * Dense matrix of shape `[rows, cols]`, row-major: element (i, j) is
 * `data[i * cols + j]`.
 *
 * ```ts
 * const W = Matrix.zeros(3, 4, "float32");
 * W.set(0, 1, 2.5);
 * W.row(0); // Float32Array view of the first row
 * ```
 */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Elements in row-major order; `data.length === rows * cols`. */
  readonly data: FloatArray;

  /**
   * @param rows integer >= 0
   * @param cols integer >= 0
   * @param data existing storage of length `rows * cols` (kept, not
   *   copied), or the element type of new zero storage; default
   *   a new zero `Float64Array`
   */
  constructor(rows: number, cols: number, data?: FloatArray | DType) {
    this.rows = checkSize("rows", rows);
    this.cols = checkSize("cols", cols);
    if (data === undefined || typeof data === "string") {
      const dtype = checkDType("data", data ?? "float64");
      this.data = allocate(dtype, rows * cols);
    } else {
      this.data = checkFloatArray("data", data, rows * cols);
    }
  }

  /** Element type of `data`. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Shape as `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Zero matrix of shape `[rows, cols]`; dtype defaults to float64. */
  static zeros(rows: number, cols: number, dtype: DType = "float64"): Matrix {
    return new Matrix(rows, cols, checkDType("dtype", dtype));
  }

  /**
   * Matrix whose row i is `rows[i]`; every row must have the same length.
   * An empty list gives a `[0, 0]` matrix.
   */
  static fromRows(rows: ArrayLike<number>[], dtype: DType = "float64"): Matrix {
    if (!Array.isArray(rows)) {
      throw new TypeError(
        `rows: expected an array, got ${describeValue(rows)}`,
      );
    }
    const cols = rows.length === 0 ? 0 : rowLength(rows[0], 0);
    const out = new Matrix(rows.length, cols, checkDType("dtype", dtype));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (rowLength(row, i) !== cols) {
        throw new RangeError(
          `rows[${i}]: expected length ${cols}, got ${row.length}`,
        );
      }
      for (let j = 0; j < cols; j++) out.data[i * cols + j] = row[j];
    }
    return out;
  }

  /** Element (i, j). */
  get(i: number, j: number): number {
    this.checkIndex(i, j);
    return this.data[i * this.cols + j];
  }

  /** Sets element (i, j); float32 storage rounds the value. */
  set(i: number, j: number, value: number): void {
    this.checkIndex(i, j);
    this.data[i * this.cols + j] = value;
  }

  /** Row i, `[cols]`, as a view sharing storage with the matrix. */
  row(i: number): FloatArray {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new RangeError(
        `i: expected an integer in [0, ${this.rows}), got ${i}`,
      );
    }
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** Copy with its own storage of the same dtype. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** Copy converted to `dtype` (a copy even when the dtype is the same). */
  toDType(dtype: DType): Matrix {
    const out = Matrix.zeros(this.rows, this.cols, dtype);
    out.data.set(this.data);
    return out;
  }

  /** Rows as plain arrays (for display and tests). */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  private checkIndex(i: number, j: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new RangeError(
        `i: expected an integer in [0, ${this.rows}), got ${i}`,
      );
    }
    if (!Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new RangeError(
        `j: expected an integer in [0, ${this.cols}), got ${j}`,
      );
    }
  }
}

function rowLength(row: unknown, i: number): number {
  const length = (row as { length?: unknown } | null)?.length;
  if (typeof row !== "object" || row === null || typeof length !== "number") {
    throw new TypeError(
      `rows[${i}]: expected an array of numbers, got ${describeValue(row)}`,
    );
  }
  return length;
}

/**
 * The output array of an elementwise kernel: `out` checked to match `like`
 * in length and dtype, or a new zero array like it when `out` is undefined.
 */
export function outLike(
  name: string,
  out: unknown,
  like: FloatArray,
): FloatArray {
  if (out === undefined) return allocate(dtypeOf(like), like.length);
  return checkFloatArray(name, out, like.length, dtypeOf(like));
}

/**
 * Throws if `options` has a key outside `known` (a typo must not pass):
 * the one check of option names that every module uses.
 */
export function checkOptionKeys(
  name: string,
  options: object | undefined,
  known: readonly string[],
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${name}: expected an object, got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const expected = known.length
        ? `known: ${known.join(", ")}`
        : "it takes no options";
      throw new RangeError(
        `${name}.${key}: unsupported option "${key}" (${expected})`,
      );
    }
  }
}
