/**
 * Argument checks shared by the Hopfield modules (internal, not exported
 * from the package). Each throws at once and names the argument, the
 * expected and the actual value: `TypeError` for a wrong kind (not an
 * array, not a number), `RangeError` for a wrong length or value (NaN,
 * Infinity, a state entry other than -1/+1).
 */

import type { Random } from "./random";

/** Throws unless `value` is array-like (an Array or a typed array). */
export function checkArrayLike(name: string, value: unknown): void {
  const ok =
    value !== null &&
    typeof value === "object" &&
    typeof (value as { length?: unknown }).length === "number";
  if (!ok) {
    const kind = value === null ? "null" : typeof value;
    throw new TypeError(`${name}: expected an array of numbers, got ${kind}`);
  }
}

/** Array of finite numbers of the given length (if `length` is given). */
export function checkVector(
  name: string,
  value: ArrayLike<number>,
  length?: number,
): void {
  checkArrayLike(name, value);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(
      `${name}: expected length ${length}, got ${value.length}`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== "number") {
      throw new TypeError(`${name}[${i}]: expected a number, got ${typeof v}`);
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}]: expected a finite number, got ${v}`);
    }
  }
}

/** Bipolar vector: every entry exactly -1 or +1. */
export function checkBipolar(
  name: string,
  value: ArrayLike<number>,
  length?: number,
): void {
  checkVector(name, value, length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v !== 1 && v !== -1) {
      throw new RangeError(`${name}[${i}]: expected -1 or +1, got ${v}`);
    }
  }
}

/**
 * A non-empty list of bipolar patterns of one length N.
 * @returns N
 */
export function checkPatterns(
  name: string,
  patterns: ArrayLike<number>[],
): number {
  if (!Array.isArray(patterns)) {
    throw new TypeError(
      `${name}: expected an array of patterns, got ${typeof patterns}`,
    );
  }
  if (patterns.length === 0) {
    throw new RangeError(`${name}: expected at least one pattern, got 0`);
  }
  checkArrayLike(`${name}[0]`, patterns[0]);
  const size = patterns[0].length;
  if (size === 0) {
    throw new RangeError(`${name}[0]: expected length >= 1, got 0`);
  }
  patterns.forEach((p, mu) => checkBipolar(`${name}[${mu}]`, p, size));
  return size;
}

/** Integer in [min, max]. */
export function checkInteger(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== "number") {
    throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${name}: expected an integer ${range}, got ${value}`);
  }
}

/** One of the listed string options (unsupported options throw). */
export function checkChoice<T extends string>(
  name: string,
  value: T,
  allowed: readonly T[],
): void {
  if (!allowed.includes(value)) {
    const list = allowed.map((a) => JSON.stringify(a)).join(" | ");
    throw new RangeError(
      `${name}: expected ${list}, got ${JSON.stringify(value)}`,
    );
  }
}

/** A random source (duck-typed). */
export function checkRandom(name: string, random: unknown): void {
  // Duck-typed: a Random from another copy of the library must pass too.
  const r = random as Partial<Random> | null | undefined;
  if (typeof r?.permutation !== "function" || typeof r.uniform !== "function") {
    throw new TypeError(
      `${name}: expected a Random, got ${describeKind(random)}`,
    );
  }
}

/** Short name of a value's kind for error messages. */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

export { checkOptionKeys } from "./tensor";
