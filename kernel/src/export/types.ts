/**
 * Loose shapes of the nbformat-4 JSON the exporter reads.
 *
 * Only the fields the report uses are named; everything is optional and
 * checked at use, because executed notebooks come from several writers
 * (our runner, Jupyter, tslab) and the report must not crash on a field
 * one of them leaves out.
 */

/** Multiline text as nbformat stores it: one string or a list of lines. */
export type MultilineText = string | string[];

/** A MIME bundle: type to payload (text, lines, or parsed JSON). */
export type MimeBundle = Record<string, unknown>;

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: MultilineText;
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface NotebookCell {
  cell_type: string;
  source: MultilineText;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
  /** Markdown cell attachments: file name to MIME bundle. */
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor?: number;
  metadata?: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Join nbformat multiline text into one string. */
export function joinText(text: unknown): string {
  if (typeof text === "string") return text;
  if (Array.isArray(text)) return text.map(String).join("");
  return "";
}

/** True when `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
