/**
 * Checks for homework notebooks (issue 8): a check is one line in a cell,
 *
 *   check("hebb-symmetric", 2, () => expectClose("W", W, W.T));
 *
 * It runs the test, catches what it throws, shows a line saying passed or
 * failed with the points and the reason, and records the result. A failing
 * check does not stop the notebook: the released version of an assignment
 * runs top to bottom with every unimplemented task failing its own checks.
 *
 * A task left for the student is a function whose body the release tool
 * replaces by `throw new Error("not implemented")`; `isNotImplemented`
 * recognises that error, and `attempt` runs demonstration code that uses
 * the student's functions, showing a note instead of failing while they
 * are not written yet.
 *
 * Each check's output also carries its result as JSON under the MIME type
 * `CHECK_MIME`, for a student's own overview. The grader (issue 9) does not
 * trust it: student code runs in the same kernel and could forge it.
 */

import { displayBundle, escapeHtml } from "./display";
import { describeValue } from "./tensor";

/** MIME type of a check's result in its output. */
export const CHECK_MIME = "application/vnd.memnets.check+json";

/** The message of the stub the release tool puts in place of a solution. */
export const NOT_IMPLEMENTED = "not implemented";

/** What a check id may be: letters, digits, ".", "_", "-" (not first). */
export const CHECK_ID = /^[A-Za-z0-9][\w.-]*$/;

/** One check's outcome. */
export interface CheckResult {
  /** The check's id, unique within its assignment. */
  id: string;
  /** Points it is worth. */
  points: number;
  /** Points earned: all or nothing. */
  earned: number;
  passed: boolean;
  /** Why it failed ("" when it passed). */
  message: string;
}

/** Thrown by the `expect*` helpers; its message says what differed. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

const results = new Map<string, CheckResult>();

/**
 * Runs `test` as the check `id` worth `points` (> 0); never throws for a
 * failing test. Shows the result (returns nothing, so that a check as the
 * last line of a cell shows no echo); `checkResults()` lists them. A
 * re-run replaces the earlier result of the same id.
 */
export function check(id: string, points: number, test: () => void): void {
  if (typeof id !== "string" || !CHECK_ID.test(id)) {
    throw new TypeError(
      `id: expected a name of letters, digits, ".", "_" or "-", got ${describeValue(id)}`,
    );
  }
  if (typeof points !== "number" || !(points > 0) || !Number.isFinite(points)) {
    throw new RangeError(
      `points: expected a finite number > 0, got ${describeValue(points)}`,
    );
  }
  if (typeof test !== "function") {
    throw new TypeError(
      `test: expected a function, got ${describeValue(test)}`,
    );
  }
  let message = "";
  try {
    const returned: unknown = test();
    if (returned instanceof Promise) {
      returned.catch(() => undefined);
      message = "the test returned a Promise; checks must be synchronous";
    }
  } catch (err) {
    message = failureMessage(err);
  }
  const passed = message === "";
  const result = { id, points, earned: passed ? points : 0, passed, message };
  results.set(id, result);
  showResult(result);
}

/** The results recorded in this kernel so far, in the order first run. */
export function checkResults(): CheckResult[] {
  return [...results.values()];
}

/** Shows a table of every check run so far and the points earned. */
export function showScore(): void {
  const all = checkResults();
  const earned = all.reduce((s, r) => s + r.earned, 0);
  const total = all.reduce((s, r) => s + r.points, 0);
  const passed = all.filter((r) => r.passed).length;
  const lines = all.map(
    (r) =>
      `| ${r.id} | ${r.passed ? "passed" : "failed"} | ${r.earned} / ${r.points} |`,
  );
  const md = [
    "| check | result | points |",
    "| --- | --- | --- |",
    ...lines,
    `| **total** | ${passed} of ${all.length} passed | **${earned} / ${total}** |`,
  ].join("\n");
  displayBundle({ "text/markdown": md, "text/plain": md });
}

/** True if `err` is the release tool's "not implemented" stub error. */
export function isNotImplemented(err: unknown): boolean {
  return err instanceof Error && err.message === NOT_IMPLEMENTED;
}

/**
 * Runs `body` (code that uses the student's functions); if it stops at a
 * "not implemented" stub, shows a note naming `label` and returns
 * undefined. Any other error is thrown on.
 */
export function attempt<T>(label: string, body: () => T): T | undefined {
  try {
    return body();
  } catch (err) {
    if (!isNotImplemented(err)) throw err;
    const text = `${label}: skipped, a function it uses is not implemented yet`;
    displayBundle({
      "text/plain": text,
      "text/html": `<div style="color:#8a6d00">&#9888; ${escapeHtml(text)}</div>`,
    });
    return undefined;
  }
}

/** Throws a CheckFailure with `message` unless `condition` holds. */
export function expectTrue(condition: boolean, message: string): void {
  if (condition !== true) throw new CheckFailure(message);
}

/**
 * Throws unless `actual` and `expected` (numbers, arrays, nested arrays or
 * typed arrays of one shape) agree within |a - e| <= atol + rtol |e| at
 * every entry; the message names `name`, the first entry that differs and
 * both values. NaN never agrees.
 */
export function expectClose(
  name: string,
  actual: unknown,
  expected: unknown,
  tolerance: { rtol?: number; atol?: number } = {},
): void {
  const rtol = tolerance.rtol ?? 1e-9;
  const atol = tolerance.atol ?? 1e-12;
  for (const [key, t] of [
    ["rtol", rtol],
    ["atol", atol],
  ] as const) {
    if (typeof t !== "number" || !(t >= 0) || !Number.isFinite(t)) {
      throw new TypeError(
        `tolerance.${key}: expected a finite number >= 0, got ${describeValue(t)}`,
      );
    }
  }
  const a = flatten(name, actual);
  const e = flatten(`${name} (expected)`, expected);
  if (a.shape.join("x") !== e.shape.join("x")) {
    throw new CheckFailure(
      `${name}: expected shape [${e.shape.join(", ")}], got [${a.shape.join(", ")}]`,
    );
  }
  for (let i = 0; i < e.values.length; i++) {
    const [x, y] = [a.values[i], e.values[i]];
    // Infinities agree only with themselves (inf - inf is NaN, and
    // |x - inf| <= rtol inf would let any x pass).
    const ok =
      Number.isFinite(x) && Number.isFinite(y)
        ? Math.abs(x - y) <= atol + rtol * Math.abs(y)
        : x === y;
    if (!ok) {
      throw new CheckFailure(
        `${name}${index(e.shape, i)}: expected ${y}, got ${x}` +
          ` (tolerance ${atol} + ${rtol} x |expected|)`,
      );
    }
  }
}

/**
 * Throws unless `actual` and `expected` are equal: numbers by value (NaN
 * equals NaN, -0 equals 0), strings, booleans, null and undefined by
 * identity, arrays and typed arrays entry by entry (a typed array equals a
 * plain array of the same numbers), plain objects key by key. The message
 * names the first place that differs. Functions, Maps and Sets are refused.
 */
export function expectEqual(
  name: string,
  actual: unknown,
  expected: unknown,
): void {
  const where = firstDifference(actual, expected, name);
  if (where !== null) throw new CheckFailure(where);
}

function firstDifference(a: unknown, e: unknown, at: string): string | null {
  for (const v of [a, e]) {
    if (typeof v === "function" || v instanceof Map || v instanceof Set) {
      throw new CheckFailure(`${at}: cannot compare ${describeValue(v)}`);
    }
  }
  if (typeof e === "number" && typeof a === "number") {
    return a === e || (Number.isNaN(a) && Number.isNaN(e))
      ? null
      : `${at}: expected ${e}, got ${a}`;
  }
  const list = (v: unknown) =>
    Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (list(e) || list(a)) {
    if (!list(e) || !list(a)) {
      return `${at}: expected ${describeValue(e)}, got ${describeValue(a)}`;
    }
    const [x, y] = [a as ArrayLike<unknown>, e as ArrayLike<unknown>];
    if (x.length !== y.length) {
      return `${at}: expected ${y.length} entries, got ${x.length}`;
    }
    for (let i = 0; i < y.length; i++) {
      const d = firstDifference(x[i], y[i], `${at}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (
    typeof e === "object" &&
    e !== null &&
    typeof a === "object" &&
    a !== null
  ) {
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const k of [...keys].sort()) {
      const [x, y] = [
        (a as Record<string, unknown>)[k],
        (e as Record<string, unknown>)[k],
      ];
      if (!(k in (a as object))) return `${at}.${k}: missing`;
      if (!(k in (e as object))) return `${at}.${k}: not expected`;
      const d = firstDifference(x, y, `${at}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return a === e ? null : `${at}: expected ${show(e)}, got ${show(a)}`;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(clip(v)) : describeValue(v);
}

/** Throws unless `body` throws an error whose message matches `pattern`. */
export function expectThrows(
  name: string,
  body: () => unknown,
  pattern?: RegExp,
): void {
  if (pattern !== undefined && !(pattern instanceof RegExp)) {
    throw new TypeError(
      `pattern: expected a RegExp, got ${describeValue(pattern)}`,
    );
  }
  try {
    const returned = body();
    if (returned instanceof Promise) {
      returned.catch(() => undefined);
      throw new CheckFailure(
        `${name}: the code returned a Promise; expectThrows checks synchronous code`,
      );
    }
  } catch (err) {
    if (err instanceof CheckFailure) throw err;
    if (isNotImplemented(err)) throw err;
    const text = err instanceof Error ? err.message : String(err);
    if (
      pattern !== undefined &&
      !new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).test(text)
    ) {
      throw new CheckFailure(
        `${name}: threw "${clip(text)}", expected a message matching ${pattern}`,
      );
    }
    return;
  }
  throw new CheckFailure(`${name}: expected an error, but nothing was thrown`);
}

function failureMessage(err: unknown): string {
  if (isNotImplemented(err)) return "not implemented yet";
  if (err instanceof CheckFailure) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `threw ${describeValue(err)}`;
}

function showResult(r: CheckResult): void {
  const verdict = r.passed ? "\u2714 passed" : "\u2718 failed";
  const head = `${verdict}: ${r.id} (${r.earned} / ${r.points} points)`;
  const text = r.passed ? head : `${head}\n  ${r.message}`;
  const color = r.passed ? "#1a7f37" : "#cf222e";
  const html =
    `<div style="font-family:monospace;color:${color}">${escapeHtml(head)}` +
    (r.passed ? "" : `<br>&nbsp;&nbsp;${escapeHtml(r.message)}`) +
    "</div>";
  displayBundle({
    "text/plain": text,
    "text/html": html,
    [CHECK_MIME]: { ...r },
  });
}

interface Flat {
  shape: number[];
  values: number[];
}

/** Numbers, arrays of them (nested, rectangular) and typed arrays. */
function flatten(name: string, value: unknown): Flat {
  if (typeof value === "number") return { shape: [], values: [value] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return {
      shape: [(value as unknown as ArrayLike<number>).length],
      values: Array.from(value as unknown as ArrayLike<number>),
    };
  }
  const matrix = value as {
    rows?: unknown;
    cols?: unknown;
    data?: unknown;
  } | null;
  if (
    matrix !== null &&
    typeof matrix === "object" &&
    typeof matrix.rows === "number" &&
    typeof matrix.cols === "number" &&
    ArrayBuffer.isView(matrix.data)
  ) {
    return {
      shape: [matrix.rows, matrix.cols],
      values: Array.from(matrix.data as unknown as ArrayLike<number>),
    };
  }
  if (!Array.isArray(value)) {
    throw new CheckFailure(
      `${name}: expected numbers, got ${describeValue(value)}`,
    );
  }
  // Array.from visits holes (as undefined), which then fail as non-numbers.
  const parts = Array.from(value, (v, i) => flatten(`${name}[${i}]`, v));
  const inner = parts[0]?.shape ?? [];
  parts.forEach((p, i) => {
    if (p.shape.join("x") !== inner.join("x")) {
      throw new CheckFailure(`${name}[${i}]: rows of different lengths`);
    }
  });
  return {
    shape: [value.length, ...inner],
    values: parts.flatMap((p) => p.values),
  };
}

function index(shape: number[], flat: number): string {
  if (shape.length === 0) return "";
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${at.join("][")}]`;
}

function clip(text: string | undefined): string {
  const t = text ?? "undefined";
  return t.length > 200 ? `${t.slice(0, 200)}...` : t;
}
