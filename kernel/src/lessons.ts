/**
 * `memnets run`: execute lessons one kernel each, write the executed copy
 * and its HTML report atomically, and rebuild the course index.
 *
 * The index lists every executed copy in the output folder whose source
 * lesson still exists, so running one lesson keeps the others' entries.
 */
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "./atomic.js";
import { renderIndex, renderReport, type IndexEntry } from "./export/index.js";
import { readNotebook, type Notebook } from "./notebook.js";
import { ConsoleProgress } from "./progress.js";
import { runNotebook, type RunResult } from "./runner.js";

export const PROJECT_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);

export interface LessonsOptions {
  notebooks: string[];
  outDir: string;
  quick: boolean;
  parameters: Record<string, unknown>;
  allowErrors: boolean;
  cellTimeoutMs: number;
  notebookTimeoutMs: number;
}

interface Outcome {
  name: string;
  status: string;
  cells: string;
  durationMs: number;
  message?: string;
}

/** Every `notebooks/*.ipynb` of the project, sorted (homework/ is not included). */
export async function defaultLessons(): Promise<string[]> {
  const dir = path.join(PROJECT_ROOT, "notebooks");
  const names = await fs.readdir(dir);
  return names
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The first level-one heading of the first markdown cell, else the file name. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const text = Array.isArray(cell.source)
      ? cell.source.join("")
      : cell.source;
    const match = /^#\s+(.+)$/m.exec(text);
    if (match) return match[1].trim();
  }
  return fallback;
}

/** Runs the lessons; returns the process exit code (1 when any failed). */
export async function runLessons(options: LessonsOptions): Promise<number> {
  const files = options.notebooks.length
    ? options.notebooks.map((file) => path.resolve(file))
    : await defaultLessons();
  const progress = new ConsoleProgress();
  const outcomes: Outcome[] = [];
  for (const file of files) {
    outcomes.push(await runLesson(file, options, progress));
  }
  await writeIndex(options.outDir);
  progress.summary(outcomes);
  console.log(`reports: ${path.join(options.outDir, "index.html")}`);
  return outcomes.every((outcome) => outcome.status === "ok") ? 0 : 1;
}

async function runLesson(
  file: string,
  options: LessonsOptions,
  progress: ConsoleProgress,
): Promise<Outcome> {
  const name = path.basename(file, ".ipynb");
  const executedPath = path.join(options.outDir, `${name}.ipynb`);
  if (path.resolve(executedPath) === path.resolve(file)) {
    // Never write over what the user wrote.
    throw new Error(`${file} is inside the output folder; pick another --out`);
  }
  let source: Notebook;
  try {
    source = await readNotebook(file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    progress.invalid(name, message);
    return { name, status: "invalid", cells: "-", durationMs: 0, message };
  }
  let result: RunResult;
  try {
    result = await runNotebook(source, {
      cwd: path.dirname(file),
      notebookPath: file,
      quick: options.quick,
      parameters: options.parameters,
      allowErrors: options.allowErrors,
      cellTimeoutMs: options.cellTimeoutMs,
      notebookTimeoutMs: options.notebookTimeoutMs,
      onProgress: (event) => progress.event(name, event),
    });
  } catch (err) {
    // Bad parameters or a kernel that would not start: nothing ran, so
    // there is no executed copy to write; the summary says why.
    const message = err instanceof Error ? err.message : String(err);
    progress.invalid(name, message);
    return { name, status: "not run", cells: "-", durationMs: 0, message };
  }
  await writeFileAtomic(
    executedPath,
    JSON.stringify(result.notebook, null, 1) + "\n",
  );
  const html = renderReport(result.notebook, {
    title: notebookTitle(result.notebook, name),
    sourcePath: path.relative(PROJECT_ROOT, file),
  });
  await writeFileAtomic(path.join(options.outDir, `${name}.html`), html);
  const failure = result.failure ?? result.cellErrors[0];
  return {
    name,
    status: result.status,
    cells: `${result.cellsRun}/${result.codeCells}`,
    durationMs: result.durationMs,
    message: failure?.message,
  };
}

/** Rebuilds index.html from the executed copies in the output folder. */
export async function writeIndex(outDir: string): Promise<void> {
  const lessons = await defaultLessons();
  const entries: IndexEntry[] = [];
  for (const source of lessons) {
    const name = path.basename(source, ".ipynb");
    const executed = path.join(outDir, `${name}.ipynb`);
    if (!existsSync(executed)) continue;
    const nb = JSON.parse(await fs.readFile(executed, "utf8")) as Notebook;
    const run =
      (nb.metadata?.memnets as { run?: Record<string, unknown> } | undefined)
        ?.run ?? {};
    entries.push({
      title: notebookTitle(nb, name),
      href: `${name}.html`,
      status: String(run.status ?? "unknown"),
      cellsRun: Number(run.cellsRun ?? 0),
      codeCells: Number(run.codeCells ?? 0),
      durationMs: Number(run.durationMs ?? 0),
      sourcePath: path.relative(PROJECT_ROOT, source),
    });
  }
  const extraLinks = existsSync(path.join(outDir, "bench.html"))
    ? [
        {
          title: "Benchmark",
          href: "bench.html",
          note: "lib/ against its peers",
        },
      ]
    : [];
  await writeFileAtomic(
    path.join(outDir, "index.html"),
    renderIndex(entries, {
      title: "memnets: networks with memory",
      extraLinks,
    }),
  );
}

/** `memnets export`: one executed notebook to HTML beside it (or --out). */
export async function exportOne(file: string, out?: string): Promise<void> {
  const nb = await readNotebook(file);
  const name = path.basename(file, ".ipynb");
  const target = out ?? path.join(path.dirname(file), `${name}.html`);
  await writeFileAtomic(
    target,
    renderReport(nb, { title: notebookTitle(nb, name), sourcePath: file }),
  );
}
