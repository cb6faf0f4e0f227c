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
  await checkTargets(files, options.outDir);
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

/**
 * The run record's `source` of a notebook that a memnets run wrote ("" for
 * a copy written before sources were recorded), or null for any other file.
 */
async function executedSource(file: string): Promise<string | null> {
  try {
    const nb = JSON.parse(await fs.readFile(file, "utf8"));
    const run = nb?.metadata?.memnets?.run;
    if (typeof run !== "object" || run === null) return null;
    return typeof run.source === "string" ? run.source : "";
  } catch {
    return null;
  }
}

/**
 * Refuses a run that could replace what a user wrote: two notebooks of one
 * name (the second's copy would replace the first's), or an output notebook
 * that exists and is not an executed copy of ours, such as a source reached
 * through a symbolic link or a same-named notebook from another folder.
 * Paths are compared after resolving links.
 */
export async function checkTargets(
  files: string[],
  outDir: string,
): Promise<void> {
  const byName = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file, ".ipynb");
    const other = byName.get(name);
    if (other !== undefined) {
      throw new Error(
        `${other} and ${file} would both write ${name}.ipynb; ` +
          "run them with different --out folders",
      );
    }
    byName.set(name, file);
  }
  const sources = new Set<string>();
  for (const file of files) {
    if (existsSync(file)) sources.add(await fs.realpath(file));
  }
  for (const [name, file] of byName) {
    const target = path.join(outDir, `${name}.ipynb`);
    if (!existsSync(target)) continue;
    const real = await fs.realpath(target);
    const from = await executedSource(real);
    if (sources.has(real) || from === null) {
      throw new Error(
        `refusing to replace ${target}: it is not an executed copy that ` +
          "memnets wrote (no metadata.memnets.run); pick another --out",
      );
    }
    const ours = path.relative(PROJECT_ROOT, path.resolve(file));
    if (from !== "" && from !== ours) {
      throw new Error(
        `refusing to replace ${target}: it is the executed copy of ${from}, ` +
          `not of ${ours}; pick another --out`,
      );
    }
  }
}

async function runLesson(
  file: string,
  options: LessonsOptions,
  progress: ConsoleProgress,
): Promise<Outcome> {
  const name = path.basename(file, ".ipynb");
  const executedPath = path.join(options.outDir, `${name}.ipynb`);
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
  // Which notebook this copy came from, so that a later run of another
  // notebook of the same name does not replace it (checkTargets).
  const run = (
    result.notebook.metadata.memnets as { run: Record<string, unknown> }
  ).run;
  run.source = path.relative(PROJECT_ROOT, path.resolve(file));
  await writeFileAtomic(
    executedPath,
    JSON.stringify(result.notebook, null, 1) + "\n",
  );
  // The exporter titles the page from the first `# ` heading itself.
  const html = renderReport(result.notebook, {
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

function unreadableEntry(
  name: string,
  source: string,
  err: unknown,
): IndexEntry {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    title: `${name} (unreadable executed copy: ${reason})`,
    href: `${name}.html`,
    status: "unreadable",
    cellsRun: 0,
    codeCells: 0,
    durationMs: 0,
    sourcePath: path.relative(PROJECT_ROOT, source),
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
    let nb: Notebook;
    try {
      nb = JSON.parse(await fs.readFile(executed, "utf8")) as Notebook;
    } catch (err) {
      // One damaged copy must not hide the other lessons.
      entries.push(unreadableEntry(name, source, err));
      continue;
    }
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
  if (!target.endsWith(".html")) {
    throw new RangeError(`--out must name an .html file, got ${target}`);
  }
  await writeFileAtomic(target, renderReport(nb, { sourcePath: file }));
}
