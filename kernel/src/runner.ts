/**
 * Runs a notebook headless on a fresh tslab kernel; returns the executed
 * copy (nbformat 4) and what happened.
 *
 * One kernel per notebook, started in `cwd`, killed (whole process group)
 * at the end of every run whatever happened. The source notebook object is
 * never modified. Progress goes to `onProgress`; nothing is printed.
 * Cell indices everywhere are indices in the executed copy (which holds the
 * injected parameters cell, if any).
 */
import { promises as fs } from "node:fs";

import {
  executeCell,
  IopubRouter,
  type CellLimits,
  type CellStatus,
} from "./cell-exec.js";
import { KernelProcess } from "./kernel-process.js";
import {
  sourceText,
  validateNotebook,
  type CodeCell,
  type Notebook,
} from "./notebook.js";
import { OutputCollector, type OutputCaps } from "./outputs.js";
import { injectParameters } from "./parameters.js";

export { readNotebook, NotebookFormatError } from "./notebook.js";
export type { Notebook } from "./notebook.js";
export { ParameterError } from "./parameters.js";
export { KernelStartError } from "./kernel-process.js";
export type { CellStatus } from "./cell-exec.js";

/**
 * "errors": every cell ran (allowErrors) but some failed; "failed": the run
 * stopped at a failed cell.
 */
export type RunStatus = "ok" | "errors" | "failed" | "timeout" | "died";

export type RunEvent =
  | { type: "notebook-start"; notebookPath?: string; codeCells: number }
  | { type: "kernel-ready"; pid: number; durationMs: number }
  | { type: "cell-start"; cellIndex: number }
  | {
      type: "cell-done";
      cellIndex: number;
      durationMs: number;
      status: CellStatus;
    }
  | {
      type: "notebook-done";
      status: RunStatus;
      durationMs: number;
      cellsRun: number;
    };

export interface RunOptions {
  /** Working directory of the kernel (the CLI passes the notebook's). */
  cwd: string;
  /** Apply the notebook's `metadata.memnets.quick` overrides; false. */
  quick?: boolean;
  /** Parameter overrides (JSON values); applied after the quick ones. */
  parameters?: Record<string, unknown>;
  /** Run on after a failed cell instead of stopping; false. */
  allowErrors?: boolean;
  /** Interrupt a cell running longer than this; 10 minutes. */
  cellTimeoutMs?: number;
  /** Stop the whole run (start-up included) after this; 30 minutes. */
  notebookTimeoutMs?: number;
  /** After an interrupt, kill the kernel if the cell goes on; 5 s. */
  interruptGraceMs?: number;
  /** How to interrupt; tslab's kernelspec implies "signal" (default). */
  interruptMode?: "signal" | "message";
  outputCap?: OutputCaps;
  /** Environment of the kernel process; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: RunEvent) => void;
  /** Used only in messages and events. */
  notebookPath?: string;
}

export interface RunFailure {
  cellIndex: number;
  ename: string;
  evalue: string;
  traceback: string[];
  /** "<path>: cell <i>: <ename>: <evalue>", ready to show. */
  message: string;
}

export interface RunResult {
  notebook: Notebook;
  /** "failed" means the run stopped at a failed cell (not allowErrors). */
  status: RunStatus;
  /** Code cells sent to the kernel (empty cells are skipped). */
  cellsRun: number;
  /** Non-empty code cells in the executed copy. */
  codeCells: number;
  durationMs: number;
  /** The cell the run stopped at (failed, timed out, kernel died). */
  failure?: RunFailure;
  /** Every failed cell, also those passed over with allowErrors. */
  cellErrors: RunFailure[];
}

const MINUTE = 60_000;

/**
 * Executes `source` on a new tslab kernel. Throws before starting a kernel
 * for bad options or parameters (ParameterError), and KernelStartError if
 * tslab does not come up; any later problem is in the result.
 */
export async function runNotebook(
  source: Notebook,
  options: RunOptions,
): Promise<RunResult> {
  const label = options.notebookPath ?? "notebook";
  validateNotebook(source, label);
  await checkOptions(options);
  const started = new Date();
  const deadline =
    started.getTime() + (options.notebookTimeoutMs ?? 30 * MINUTE);
  const emit = options.onProgress ?? (() => {});

  const quick = options.quick ?? false;
  const injection = injectParameters(source, quick, options.parameters ?? {});
  const notebook = injection.notebook;
  const toRun = notebook.cells.flatMap((cell, i) => {
    if (cell.cell_type !== "code") return [];
    cell.outputs = [];
    cell.execution_count = null;
    return sourceText(cell.source).trim() === "" ? [] : [i];
  });
  emit({
    type: "notebook-start",
    notebookPath: options.notebookPath,
    codeCells: toRun.length,
  });

  const collector = new OutputCollector(options.outputCap);
  const kernel = await KernelProcess.start({
    cwd: options.cwd,
    env: options.env,
    startTimeoutMs: Math.max(1, Math.min(MINUTE, deadline - Date.now())),
  });
  emit({
    type: "kernel-ready",
    pid: kernel.pid,
    durationMs: Date.now() - started.getTime(),
  });

  let status: RunStatus = "ok";
  let failure: RunFailure | undefined;
  const cellErrors: RunFailure[] = [];
  let cellsRun = 0;
  try {
    const router = new IopubRouter(kernel, collector);
    for (const index of toRun) {
      const cell = notebook.cells[index] as CodeCell;
      const limits = cellLimits(options, deadline);
      emit({ type: "cell-start", cellIndex: index });
      const t0 = Date.now();
      cellsRun++;
      const outcome = await executeCell(
        kernel,
        router,
        collector,
        index,
        sourceText(cell.source),
        limits,
      );
      cell.execution_count = outcome.executionCount;
      emit({
        type: "cell-done",
        cellIndex: index,
        durationMs: Date.now() - t0,
        status: outcome.status,
      });
      if (outcome.status === "ok" || !outcome.error) continue;

      const { ename, evalue, traceback } = outcome.error;
      const record = {
        cellIndex: index,
        ename,
        evalue,
        traceback,
        message: `${label}: cell ${index}: ${ename}: ${evalue}`,
      };
      cellErrors.push(record);
      if (outcome.status === "error" && options.allowErrors) continue;
      status = outcome.status === "error" ? "failed" : outcome.status;
      failure = record;
      break;
    }
  } finally {
    await kernel.shutdown();
  }

  if (status === "ok" && cellErrors.length > 0) status = "errors";

  // Outputs are assembled last: update_display_data may change earlier cells.
  for (const index of toRun) {
    (notebook.cells[index] as CodeCell).outputs = collector.outputs(index);
  }
  const durationMs = Date.now() - started.getTime();
  recordRun(notebook, {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs,
    status,
    quick,
    parameters: injection.applied,
    tslabVersion: kernel.tslabVersion,
    cellsRun,
    codeCells: toRun.length,
    ...(failure ? { failedCell: failure.cellIndex } : {}),
  });
  emit({ type: "notebook-done", status, durationMs, cellsRun });
  return {
    notebook,
    status,
    cellsRun,
    codeCells: toRun.length,
    durationMs,
    failure,
    cellErrors,
  };
}

function cellLimits(options: RunOptions, deadline: number): CellLimits {
  const cellMs = options.cellTimeoutMs ?? 10 * MINUTE;
  const left = Math.max(0, deadline - Date.now());
  return {
    timeoutMs: Math.min(cellMs, left),
    timeoutName: left < cellMs ? "NotebookTimeout" : "CellTimeout",
    graceMs: options.interruptGraceMs ?? 5000,
    interruptMode: options.interruptMode ?? "signal",
  };
}

function recordRun(nb: Notebook, run: Record<string, unknown>): void {
  const memnets = nb.metadata.memnets;
  const base = typeof memnets === "object" && memnets !== null ? memnets : {};
  nb.metadata.memnets = { ...base, run };
}

async function checkOptions(options: RunOptions): Promise<void> {
  if (typeof options?.cwd !== "string") {
    throw new TypeError(
      `options.cwd: expected a folder path, got ${typeof options?.cwd}`,
    );
  }
  const stat = await fs.stat(options.cwd).catch(() => null);
  if (!stat?.isDirectory()) {
    throw new RangeError(
      `options.cwd: expected an existing folder, got ${options.cwd}`,
    );
  }
  for (const key of [
    "cellTimeoutMs",
    "notebookTimeoutMs",
    "interruptGraceMs",
  ] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new RangeError(
        `options.${key}: expected a positive number of ms, got ${v}`,
      );
    }
  }
  const mode = options.interruptMode;
  if (mode !== undefined && mode !== "signal" && mode !== "message") {
    throw new RangeError(
      `options.interruptMode: expected "signal" or "message", got ${mode}`,
    );
  }
  const params = options.parameters;
  if (
    params !== undefined &&
    (typeof params !== "object" || params === null || Array.isArray(params))
  ) {
    throw new TypeError(
      "options.parameters: expected an object of name -> value",
    );
  }
}
