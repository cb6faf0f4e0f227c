/**
 * Collects a kernel's iopub messages into nbformat 4 outputs, per cell.
 *
 * Reference: jupyter-client messaging spec (stream, display_data,
 * update_display_data, execute_result, error, clear_output), with the
 * front-end behaviour JupyterLab gives them:
 * - consecutive stream messages of one name merge into one output, and the
 *   text is collapsed as a terminal shows it (see TerminalText);
 * - update_display_data replaces data and metadata of every earlier output
 *   with that `transient.display_id`, in any cell;
 * - clear_output empties the cell now, or with `wait: true` just before the
 *   next output arrives.
 * Size caps: a display output whose data exceeds `displayBytes` (as JSON)
 * is replaced by a text note; a cell's stream text beyond `streamBytes` is
 * cut, with a note saying how much was left out.
 */
import {
  toLines,
  type DisplayDataOutput,
  type ErrorOutput,
  type ExecuteResultOutput,
  type Output,
  type StreamOutput,
} from "./notebook.js";
import { DIAGNOSTIC_LINE } from "./traceback.js";

export interface OutputCaps {
  /** Largest display/execute_result data, in bytes of JSON; 16 MiB. */
  displayBytes?: number;
  /** Largest stream text of one cell, in UTF-8 bytes; 1 MiB. */
  streamBytes?: number;
}

/** The part of an iopub message the collector reads. */
export interface IopubMessage {
  msgType: string;
  content: Record<string, unknown>;
}

/**
 * Text as a terminal would show it: "\r" moves the cursor to the start of
 * the line and later text overwrites the characters under it ("abc\rX" is
 * "Xbc"); "\n" (so also "\r\n") ends the line. Other control characters
 * (ANSI escapes included) are kept as they are.
 */
export class TerminalText {
  private done = "";
  private line = "";
  private col = 0;

  write(text: string): void {
    for (const part of text.split(/(\r|\n)/)) {
      if (part === "\n") {
        this.done += this.line + "\n";
        this.line = "";
        this.col = 0;
      } else if (part === "\r") {
        this.col = 0;
      } else if (part !== "") {
        const end = this.col + part.length;
        this.line = this.line.slice(0, this.col) + part + this.line.slice(end);
        this.col = end;
      }
    }
  }

  /** Length in UTF-16 units (a cheap lower bound of the UTF-8 size). */
  get length(): number {
    return this.done.length + this.line.length;
  }

  toString(): string {
    return this.done + this.line;
  }
}

interface StreamEntry {
  kind: "stream";
  name: "stdout" | "stderr";
  screen: TerminalText;
  /**
   * The current run of stderr chunks, not yet written to `screen`: if the
   * cell fails, the last of them are its traceback (see takeErrorText).
   */
  held: string[];
}
interface RichEntry {
  kind: "rich";
  output: DisplayDataOutput | ExecuteResultOutput;
}
interface ErrorEntry {
  kind: "error";
  output: ErrorOutput;
}
type Entry = StreamEntry | RichEntry | ErrorEntry;

interface CellState {
  entries: Entry[];
  clearOnNext: boolean;
  /** Stream text refused at intake because the cell was over its cap. */
  droppedBytes: number;
}

const MiB = 1024 * 1024;

export class OutputCollector {
  private readonly cells = new Map<number, CellState>();
  private readonly displays = new Map<string, RichEntry[]>();
  private readonly displayCap: number;
  private readonly streamCap: number;

  constructor(caps: OutputCaps = {}) {
    this.displayCap = positive(
      "outputCap.displayBytes",
      caps.displayBytes,
      16 * MiB,
    );
    this.streamCap = positive("outputCap.streamBytes", caps.streamBytes, MiB);
  }

  /** Applies one iopub message addressed to cell `cell`. */
  handle(cell: number, msg: IopubMessage): void {
    const state = this.state(cell);
    const c = msg.content;
    switch (msg.msgType) {
      case "stream":
        this.beforeOutput(state);
        this.addStream(
          state,
          c.name === "stderr" ? "stderr" : "stdout",
          String(c.text ?? ""),
        );
        break;
      case "display_data":
      case "execute_result": {
        this.beforeOutput(state);
        const entry = this.richEntry(msg.msgType, c);
        state.entries.push(entry);
        const id = displayId(c);
        if (id !== undefined) {
          this.displays.set(id, [...(this.displays.get(id) ?? []), entry]);
        }
        break;
      }
      case "update_display_data":
        this.updateDisplay(c);
        break;
      case "clear_output":
        if (c.wait === true) state.clearOnNext = true;
        else this.clear(state);
        break;
      case "error":
        this.beforeOutput(state);
        this.addError(cell, {
          output_type: "error",
          ename: String(c.ename ?? "Error"),
          evalue: String(c.evalue ?? ""),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      // status, execute_input and the rest carry no output.
    }
  }

  /**
   * Removes and returns the failing cell's error report: the trailing
   * diagnostics of the last stderr run, or else its last chunk (tslab
   * prints a thrown value with a single console.error). Null when the cell
   * wrote nothing to stderr last.
   */
  takeErrorText(cell: number): string | null {
    const last = this.state(cell).entries.at(-1);
    if (last?.kind !== "stream" || last.held.length === 0) return null;
    let from = last.held.length - 1;
    const isDiagnostic = (t: string) =>
      DIAGNOSTIC_LINE.test(t.replace(/\n$/, ""));
    if (isDiagnostic(last.held[from])) {
      while (from > 0 && isDiagnostic(last.held[from - 1])) from--;
    }
    const text = last.held.splice(from).join("");
    if (last.held.length === 0 && last.screen.length === 0) {
      this.state(cell).entries.pop();
    }
    return text;
  }

  addError(cell: number, output: ErrorOutput): void {
    this.state(cell).entries.push({ kind: "error", output });
  }

  /** The cell's outputs in nbformat form, with the stream cap applied. */
  outputs(cell: number): Output[] {
    const state = this.cells.get(cell);
    if (!state) return [];
    let budget = this.streamCap;
    let omitted = state.droppedBytes;
    let noteAt = -1;
    const out: Output[] = [];
    for (const entry of state.entries) {
      if (entry.kind !== "stream") {
        out.push(structuredClone(entry.output));
        continue;
      }
      flushHeld(entry);
      let text = entry.screen.toString();
      const bytes = Buffer.byteLength(text);
      if (bytes > budget) {
        text = cutUtf8(text, budget);
        omitted += bytes - Buffer.byteLength(text);
        if (noteAt >= 0) continue; // the note is already placed
        noteAt = out.length;
      }
      budget -= Buffer.byteLength(text);
      out.push({ output_type: "stream", name: entry.name, text });
    }
    if (omitted > 0) {
      // Refused text with nothing cut (cannot happen in practice) still
      // gets its note, on a new stderr output.
      if (noteAt < 0) {
        out.push({ output_type: "stream", name: "stderr", text: "" });
        noteAt = out.length - 1;
      }
      const note = out[noteAt] as StreamOutput;
      const text = note.text as string;
      note.text =
        text +
        (text === "" || text.endsWith("\n") ? "" : "\n") +
        `[memnets: stream output truncated: over the cap of ` +
        `${this.streamCap} bytes per cell; ${omitted} bytes omitted]\n`;
    }
    for (const o of out) {
      if (o.output_type === "stream") o.text = toLines(o.text as string);
    }
    return out;
  }

  private state(cell: number): CellState {
    let state = this.cells.get(cell);
    if (!state) {
      state = { entries: [], clearOnNext: false, droppedBytes: 0 };
      this.cells.set(cell, state);
    }
    return state;
  }

  private beforeOutput(state: CellState): void {
    if (state.clearOnNext) this.clear(state);
  }

  private clear(state: CellState): void {
    state.entries = [];
    state.clearOnNext = false;
    state.droppedBytes = 0;
  }

  private addStream(state: CellState, name: "stdout" | "stderr", text: string) {
    const used = state.entries.reduce(
      (n, e) => n + (e.kind === "stream" ? e.screen.length + heldLength(e) : 0),
      0,
    );
    // UTF-16 length never exceeds UTF-8 size, so this only refuses text
    // that is surely over the cap; outputs() applies the exact cut.
    if (used > this.streamCap) {
      state.droppedBytes += Buffer.byteLength(text);
      return;
    }
    const last = state.entries.at(-1);
    let entry: StreamEntry;
    if (last?.kind === "stream" && last.name === name) {
      entry = last;
    } else {
      if (last?.kind === "stream") flushHeld(last);
      entry = { kind: "stream", name, screen: new TerminalText(), held: [] };
      state.entries.push(entry);
    }
    if (name === "stderr") {
      entry.held.push(text);
      // Only the end of a stderr run can be a traceback; bound the rest.
      if (entry.held.length > 256)
        entry.screen.write(entry.held.shift() as string);
    } else {
      entry.screen.write(text);
    }
  }

  private richEntry(
    type: "display_data" | "execute_result",
    c: Record<string, unknown>,
  ): RichEntry {
    const data = this.capData(objectOr(c.data));
    const metadata = objectOr(c.metadata);
    if (type === "display_data") {
      return { kind: "rich", output: { output_type: type, data, metadata } };
    }
    const count =
      typeof c.execution_count === "number" ? c.execution_count : null;
    return {
      kind: "rich",
      output: { output_type: type, execution_count: count, data, metadata },
    };
  }

  private updateDisplay(c: Record<string, unknown>): void {
    const id = displayId(c);
    if (id === undefined) return;
    for (const entry of this.displays.get(id) ?? []) {
      entry.output.data = this.capData(objectOr(c.data));
      entry.output.metadata = objectOr(c.metadata);
    }
  }

  private capData(data: Record<string, unknown>): Record<string, unknown> {
    const bytes = Buffer.byteLength(JSON.stringify(data));
    if (bytes <= this.displayCap) return data;
    return {
      "text/plain":
        `[memnets: display output truncated: ${bytes} bytes ` +
        `(${Object.keys(data).join(", ")}) over the cap of ` +
        `${this.displayCap} bytes]`,
    };
  }
}

function flushHeld(entry: StreamEntry): void {
  for (const chunk of entry.held) entry.screen.write(chunk);
  entry.held = [];
}

function heldLength(entry: StreamEntry): number {
  return entry.held.reduce((n, t) => n + t.length, 0);
}

function displayId(c: Record<string, unknown>): string | undefined {
  const transient = c.transient as { display_id?: unknown } | undefined;
  const id = transient?.display_id;
  return typeof id === "string" ? id : undefined;
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes. */
function cutUtf8(text: string, bytes: number): string {
  const cut = Buffer.from(text).subarray(0, bytes).toString();
  return cut.replace(/\uFFFD$/, "");
}

function positive(name: string, value: number | undefined, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name}: expected a positive number, got ${value}`);
  }
  return value;
}
