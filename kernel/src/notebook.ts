/**
 * Jupyter notebooks (nbformat 4): the types we use, reading with clear
 * errors, and papermill-style parameter injection.
 *
 * Reference: nbformat 4 JSON schema (nbformat.v4.schema.json, minor 0..5).
 * Validation checks the structure the runner and the exporters rely on; it
 * is not a full JSON-schema validation (unknown extra fields are kept).
 */
import { promises as fs } from "node:fs";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output =
  StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}
export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: CellMetadata;
  execution_count: number | null;
  outputs: Output[];
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: CellMetadata;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A file or object that is not a usable nbformat 4 notebook. */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Reads and validates a `.ipynb` file; throws NotebookFormatError. */
export async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (err) {
    throw new NotebookFormatError(path, `cannot read: ${String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NotebookFormatError(
      path,
      `not valid JSON (${(err as Error).message})`,
    );
  }
  validateNotebook(json, path);
  return json;
}

/**
 * Checks that `value` has the nbformat 4 structure; `label` names it in
 * the error (a file path, or "notebook" for an object).
 */
export function validateNotebook(
  value: unknown,
  label = "notebook",
): asserts value is Notebook {
  const fail = (problem: string): never => {
    throw new NotebookFormatError(label, problem);
  };
  if (!isObject(value)) fail(`expected a JSON object, got ${kind(value)}`);
  const nb = value as Record<string, unknown>;
  if (nb.nbformat !== 4) {
    fail(`expected nbformat 4, got ${JSON.stringify(nb.nbformat)}`);
  }
  if (!Number.isInteger(nb.nbformat_minor)) {
    fail(`nbformat_minor: expected an integer, got ${kind(nb.nbformat_minor)}`);
  }
  if (!isObject(nb.metadata)) {
    fail(`metadata: expected an object, got ${kind(nb.metadata)}`);
  }
  if (!Array.isArray(nb.cells)) {
    fail(`cells: expected an array, got ${kind(nb.cells)}`);
  }
  (nb.cells as unknown[]).forEach((cell, i) => {
    const problem = cellProblem(cell);
    if (problem) fail(`cell ${i}: ${problem}`);
  });
}

function cellProblem(cell: unknown): string | null {
  if (!isObject(cell)) return `expected an object, got ${kind(cell)}`;
  const c = cell as Record<string, unknown>;
  if (!["code", "markdown", "raw"].includes(c.cell_type as string)) {
    return (
      'cell_type: expected "code", "markdown" or "raw", got ' +
      JSON.stringify(c.cell_type)
    );
  }
  if (!("source" in c)) return "has no source";
  const src = c.source;
  const okSource =
    typeof src === "string" ||
    (Array.isArray(src) && src.every((s) => typeof s === "string"));
  if (!okSource) {
    return `source: expected a string or a list of strings, got ${kind(src)}`;
  }
  if ("metadata" in c && !isObject(c.metadata)) {
    return `metadata: expected an object, got ${kind(c.metadata)}`;
  }
  const tags = (c.metadata as CellMetadata | undefined)?.tags;
  if (tags !== undefined && !Array.isArray(tags)) {
    return `metadata.tags: expected a list, got ${kind(tags)}`;
  }
  if (c.cell_type === "code" && "outputs" in c && !Array.isArray(c.outputs)) {
    return `outputs: expected a list, got ${kind(c.outputs)}`;
  }
  return null;
}

/** The text of a cell's source (nbformat allows a list of lines). */
export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Splits text into nbformat's list-of-lines form (each keeps its "\n"). */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
