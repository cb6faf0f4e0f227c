/**
 * The student release of a homework notebook (issue 8).
 *
 * An instructor version marks its parts in cell metadata under
 * `memnets.homework`:
 *
 * - `{ "solution": true }`: a code cell holding one or more regions
 *   between a line `// BEGIN SOLUTION` and a line `// END SOLUTION`. The
 *   release replaces each region, markers included, by one line
 *   `throw new Error("not implemented");` at the BEGIN line's indentation.
 * - `{ "check": ID, "points": P }`, optionally `"hidden": true`: a code
 *   cell that runs exactly one `check("ID", P, ...)`. Hidden checks are
 *   removed from the release; visible ones keep their metadata, so that
 *   each check cell stays tied to its points.
 *
 * Markdown may hold instructor-only text between `<!-- BEGIN INSTRUCTOR -->`
 * and `<!-- END INSTRUCTOR -->` lines; the release drops it. Every output
 * and execution count is cleared, and the notebook's metadata gets a
 * `memnets.homework` record: the assignment's name, the visible checks
 * and their points, and the total of the hidden ones (so that students
 * know how much is graded beyond what they can run).
 *
 * `releaseNotebook` is a pure function; the CLI writes its results
 * atomically and never over a file that is not an earlier release.
 */

import { createHash } from "node:crypto";

// The module alone, not the whole library: the CLI starts faster.
import { CHECK_ID, NOT_IMPLEMENTED } from "memnets/dist/homework.js";

import {
  type Cell,
  type CodeCell,
  type Notebook,
  sourceText,
  toLines,
} from "../notebook.js";

/** The stub a solution region becomes. */
export const STUB = `throw new Error(${JSON.stringify(NOT_IMPLEMENTED)});`;

/** What a check cell's metadata says. */
export interface CheckInfo {
  id: string;
  points: number;
  hidden: boolean;
}

/** Thrown for an instructor notebook that cannot be released. */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleaseError";
  }
}

/** The `memnets.homework` metadata of a released notebook. */
export interface ReleaseRecord {
  released: true;
  assignment: string;
  checks: { id: string; points: number }[];
  visiblePoints: number;
  hiddenPoints: number;
  /**
   * SHA-256 of the released cells: a file whose cells still hash to it is
   * an untouched release; one that does not holds a student's work.
   */
  cellsSha256?: string;
}

/** What `releaseNotebook` returns. */
export interface Release {
  notebook: Notebook;
  record: ReleaseRecord;
  /** Every check of the instructor version, hidden ones included. */
  allChecks: CheckInfo[];
}

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\s*$/;
const END = /^\s*\/\/\s*END SOLUTION\s*$/;
const BEGIN_NOTE = /^\s*<!--\s*BEGIN INSTRUCTOR\s*-->\s*$/;
const END_NOTE = /^\s*<!--\s*END INSTRUCTOR\s*-->\s*$/;

/**
 * The student version of the instructor notebook `nb` (not modified),
 * named `assignment`. Throws a ReleaseError naming the cell for a
 * malformed marker, metadata or check call.
 */
export function releaseNotebook(nb: Notebook, assignment: string): Release {
  const cells: Cell[] = [];
  const allChecks: CheckInfo[] = [];
  const ids = new Set<string>();
  let solutions = 0;
  nb.cells.forEach((cell, k) => {
    const where = `cell ${k + 1}`;
    const meta = homeworkMeta(cell, where);
    const text = sourceText(cell.source);
    if (cell.cell_type === "markdown") {
      if (meta)
        throw new ReleaseError(
          `${where}: homework metadata on a markdown cell`,
        );
      checkStrayMarkers(text, where);
      cells.push({
        ...clone(cell),
        source: toLines(dropInstructorText(text, where)),
      });
      return;
    }
    if (cell.cell_type !== "code") {
      cells.push(clone(cell));
      return;
    }
    if (meta !== null) checkRole(meta, where);
    const solution = meta?.solution === true;
    if (meta?.check === undefined && /\bcheck\(\s*["'`]/.test(text)) {
      throw new ReleaseError(
        `${where}: calls check(...) but has no metadata memnets.homework.check ` +
          `(a check without it would be released, hidden or not)`,
      );
    }
    checkStrayMarkers(text, where);
    const hasMarkers = toLines(text).some((l) =>
      BEGIN.test(l.replace(/\n$/, "")),
    );
    if (hasMarkers && !solution) {
      throw new ReleaseError(
        `${where}: "// BEGIN SOLUTION" in a cell without metadata ` +
          `memnets.homework.solution = true`,
      );
    }
    if (meta?.check !== undefined) {
      if (solution)
        throw new ReleaseError(
          `${where}: a cell is a solution or a check, not both`,
        );
      const info = checkInfo(meta, text, where);
      if (ids.has(info.id))
        throw new ReleaseError(`${where}: check id "${info.id}" used twice`);
      ids.add(info.id);
      allChecks.push(info);
      if (info.hidden) return;
    }
    const out = clearOutputs(clone(cell) as CodeCell);
    if (solution) {
      solutions++;
      out.source = toLines(stubSolutions(text, where));
    }
    cells.push(out);
  });
  if (solutions === 0)
    throw new ReleaseError(
      "no solution cell (metadata memnets.homework.solution)",
    );
  if (allChecks.length === 0)
    throw new ReleaseError("no check cell (metadata memnets.homework.check)");
  const visible = allChecks.filter((c) => !c.hidden);
  const record: ReleaseRecord = {
    released: true,
    assignment,
    checks: visible.map((c) => ({ id: c.id, points: c.points })),
    visiblePoints: sum(visible.map((c) => c.points)),
    hiddenPoints: sum(allChecks.filter((c) => c.hidden).map((c) => c.points)),
  };
  record.cellsSha256 = cellsDigest(cells);
  const metadata = clone(nb.metadata);
  const memnets = { ...((metadata.memnets as Record<string, unknown>) ?? {}) };
  delete memnets.run;
  memnets.homework = record;
  metadata.memnets = memnets;
  return { notebook: { ...clone(nb), cells, metadata }, record, allChecks };
}

/** Replaces each solution region of `text` by the stub. */
export function stubSolutions(text: string, where = "cell"): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let open: number | null = null;
  lines.forEach((line, i) => {
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open !== null) {
        throw new ReleaseError(
          `${where}, line ${i + 1}: BEGIN SOLUTION inside an open region (line ${open + 1})`,
        );
      }
      open = i;
      out.push(begin[1] + STUB);
    } else if (END.test(line)) {
      if (open === null)
        throw new ReleaseError(
          `${where}, line ${i + 1}: END SOLUTION without BEGIN`,
        );
      open = null;
    } else if (open === null) {
      out.push(line);
    }
  });
  if (open !== null)
    throw new ReleaseError(
      `${where}, line ${open + 1}: BEGIN SOLUTION never ended`,
    );
  if (out.length === lines.length && !lines.some((l) => BEGIN.test(l))) {
    throw new ReleaseError(
      `${where}: a solution cell without a "// BEGIN SOLUTION" region`,
    );
  }
  return out.join("\n");
}

function dropInstructorText(text: string, where: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let open = false;
  lines.forEach((line, i) => {
    if (BEGIN_NOTE.test(line)) {
      if (open)
        throw new ReleaseError(
          `${where}, line ${i + 1}: nested BEGIN INSTRUCTOR`,
        );
      open = true;
    } else if (END_NOTE.test(line)) {
      if (!open)
        throw new ReleaseError(
          `${where}, line ${i + 1}: END INSTRUCTOR without BEGIN`,
        );
      open = false;
    } else if (!open) out.push(line);
  });
  if (open) throw new ReleaseError(`${where}: BEGIN INSTRUCTOR never ended`);
  return out.join("\n");
}

function homeworkMeta(
  cell: Cell,
  where: string,
): Record<string, unknown> | null {
  const memnets = (cell.metadata as Record<string, unknown> | undefined)
    ?.memnets as Record<string, unknown> | undefined;
  const meta = memnets?.homework;
  if (meta === undefined) return null;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw new ReleaseError(
      `${where}: metadata memnets.homework must be an object`,
    );
  }
  const known = ["solution", "check", "points", "hidden"];
  for (const key of Object.keys(meta)) {
    if (!known.includes(key)) {
      throw new ReleaseError(
        `${where}: unknown key memnets.homework.${key} (known: ${known.join(", ")})`,
      );
    }
  }
  return meta as Record<string, unknown>;
}

/** The check's metadata, matched against its one `check(...)` call. */
function checkInfo(
  meta: Record<string, unknown>,
  text: string,
  where: string,
): CheckInfo {
  const { check: id, points, hidden = false } = meta;
  if (typeof id !== "string" || !CHECK_ID.test(id)) {
    throw new ReleaseError(
      `${where}: memnets.homework.check must be an id of letters, digits, ".", "_", "-"`,
    );
  }
  if (typeof points !== "number" || !(points > 0) || !Number.isFinite(points)) {
    throw new ReleaseError(
      `${where}: memnets.homework.points must be a number > 0, got ${JSON.stringify(points)}`,
    );
  }
  if (typeof hidden !== "boolean") {
    throw new ReleaseError(
      `${where}: memnets.homework.hidden must be true or false`,
    );
  }
  const calls = [
    ...text.matchAll(/\bcheck\(\s*(["'`])([^"'`]*)\1\s*,\s*([0-9.]+)\s*,/g),
  ];
  if (calls.length !== 1) {
    throw new ReleaseError(
      `${where}: a check cell must call check("${id}", ${points}, ...) ` +
        `once, found ${calls.length} calls`,
    );
  }
  const [, , callId, callPoints] = calls[0];
  if (callId !== id || Number(callPoints) !== points) {
    throw new ReleaseError(
      `${where}: the metadata says check "${id}" worth ${points}, ` +
        `the cell calls check("${callId}", ${callPoints}, ...)`,
    );
  }
  return { id, points, hidden };
}

function clearOutputs(cell: CodeCell): CodeCell {
  cell.outputs = [];
  cell.execution_count = null;
  return cell;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

/** SHA-256 (hex) of the cells' JSON with each source as one string. */
export function cellsDigest(cells: Cell[]): string {
  const plain = cells.map((c) => ({ ...c, source: sourceText(c.source) }));
  return createHash("sha256").update(JSON.stringify(plain)).digest("hex");
}

/** A cell is a solution, or a check (with points, maybe hidden): nothing else. */
function checkRole(meta: Record<string, unknown>, where: string): void {
  const isCheck = meta.check !== undefined;
  if (meta.solution !== undefined && meta.solution !== true) {
    throw new ReleaseError(`${where}: memnets.homework.solution must be true`);
  }
  if (!isCheck && meta.solution !== true) {
    throw new ReleaseError(
      `${where}: memnets.homework needs "solution": true or "check": ID ` +
        `(got ${JSON.stringify(meta)})`,
    );
  }
  if (!isCheck && (meta.points !== undefined || meta.hidden !== undefined)) {
    throw new ReleaseError(
      `${where}: "points" and "hidden" belong to a check cell (metadata ` +
        `memnets.homework.check); this cell would be released as it is`,
    );
  }
}

/** A marker not alone on its line would be kept as text: refuse it. */
function checkStrayMarkers(text: string, where: string): void {
  text.split("\n").forEach((line, i) => {
    const l = line.replace(/\r$/, "");
    const marker = /(BEGIN|END) (SOLUTION|INSTRUCTOR)/.test(l);
    const whole =
      BEGIN.test(l) || END.test(l) || BEGIN_NOTE.test(l) || END_NOTE.test(l);
    if (marker && !whole) {
      throw new ReleaseError(
        `${where}, line ${i + 1}: a BEGIN/END marker must stand alone on its ` +
          `line ("// BEGIN SOLUTION", "<!-- BEGIN INSTRUCTOR -->")`,
      );
    }
  });
}
