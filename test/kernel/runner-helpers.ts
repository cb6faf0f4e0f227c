/** Shared helpers for the runner tests that start a real tslab kernel. */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

import {
  readNotebook,
  runNotebook,
  type Notebook,
  type RunEvent,
  type RunOptions,
} from "../../kernel/src/runner.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixture = (name: string) =>
  path.join(here, "..", "fixtures", "notebooks", name);

export function code(...sources: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: sources.map((source, i) => ({
      cell_type: "code" as const,
      id: `c${i}`,
      source,
      metadata: {},
      execution_count: null,
      outputs: [],
    })),
  };
}

/** True while a process (or process group, for a negative id) exists. */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a notebook (a fixture name or an object) and checks afterwards that
 * the kernel and its whole process group are gone.
 */
export async function run(
  nb: string | Notebook,
  options: Partial<RunOptions> = {},
) {
  const source = typeof nb === "string" ? await readNotebook(fixture(nb)) : nb;
  const events: RunEvent[] = [];
  const result = await runNotebook(source, {
    cwd: os.tmpdir(),
    notebookPath: typeof nb === "string" ? nb : "inline",
    ...options,
    onProgress: (e) => events.push(e),
  });
  const ready = events.find((e) => e.type === "kernel-ready");
  expect(ready).toBeDefined();
  const pid = (ready as { pid: number }).pid;
  expect(exists(pid)).toBe(false);
  expect(exists(-pid)).toBe(false);
  return { result, events, source, pid };
}

/** The text of a cell's outputs of one kind, joined. */
export function streamText(nb: Notebook, cell: number, name = "stdout") {
  const c = nb.cells[cell];
  if (c.cell_type !== "code") throw new TypeError(`cell ${cell} is not code`);
  return c.outputs
    .filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => {
      const text = (o as { text: string | string[] }).text;
      return Array.isArray(text) ? text.join("") : text;
    })
    .join("");
}
