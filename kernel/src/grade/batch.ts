/**
 * `memnets grade`: grades a batch of submissions, `jobs` at a time, and
 * writes for each `<out>/submissions/<name>/` a score (score.json), the
 * student's feedback page (feedback.html) and what ran (run.ipynb, with
 * the hidden checks: for instructors only); for the class, summary.csv,
 * summary.json and summary.html (table, histogram, throughput).
 *
 * Submissions are read, never written; every file written is inside the
 * output folder, atomically. The output folder may not hold or be held by
 * an input or the instructors' folder.
 */
import { createHash } from "node:crypto";
import { promises as fs, realpathSync } from "node:fs";
import path from "node:path";

import { writeFileAtomic } from "../atomic.js";
import { readNotebook, type Notebook } from "../notebook.js";
import {
  AssignmentError,
  loadAssignment,
  type Assignment,
} from "./assignment.js";
import { gradeFile, type GradeOptions, type GradeResult } from "./grade.js";
import {
  feedbackHtml,
  submissionStem,
  summaryCsv,
  summaryHtml,
  type BatchInfo,
} from "./report.js";
import { probeSandbox } from "./sandbox.js";

export interface BatchOptions extends Omit<GradeOptions, "slot"> {
  outDir: string;
  /** Submissions graded at the same time (kernels in parallel). */
  jobs: number;
  /** The instructor version every submission is graded against. */
  assignment?: string;
  /** Where instructor versions are found by name; notebooks/homework. */
  instructorDir: string;
  onResult?: (result: GradeResult, done: number, total: number) => void;
}

export interface BatchResult {
  results: GradeResult[];
  batch: BatchInfo;
}

/** One submission to grade, as shown, and the folder its results get. */
interface Job {
  file: string;
  /** The file name, or its path inside the folder given. */
  shown: string;
  name: string;
}

/** Grades `inputs` (files and folders of .ipynb); see the module doc. */
export async function gradeBatch(
  inputs: string[],
  options: BatchOptions,
): Promise<BatchResult> {
  if (!Number.isInteger(options.jobs) || options.jobs < 1) {
    throw new RangeError(
      `options.jobs: expected a whole number >= 1, got ${options.jobs}`,
    );
  }
  const outDir = path.resolve(options.outDir);
  const jobs = await collectJobs(inputs, outDir, options.instructorDir);
  const find = await assignmentFinder(options);
  if (options.sandbox) {
    const problem = probeSandbox(options.projectRoot);
    if (problem) {
      throw new Error(
        `the sandbox does not work here: ${problem}. Grading without it ` +
          `(--no-sandbox) runs student code with all your rights.`,
      );
    }
  }

  const started = new Date();
  const results: GradeResult[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const slot = async (index: number): Promise<void> => {
    for (;;) {
      const k = next++;
      if (k >= jobs.length) return;
      const job = jobs[k];
      const graded = await gradeFile(job.file, find, {
        ...options,
        slot: index,
      });
      const result = { ...graded, submission: job.shown };
      results[k] = result;
      await writeSubmission(outDir, job.name, result);
      options.onResult?.(result, ++done, jobs.length);
    }
  };
  const slots = Math.min(options.jobs, Math.max(1, jobs.length));
  await Promise.all(Array.from({ length: slots }, (_, i) => slot(i)));

  const batch: BatchInfo = {
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    jobs: slots,
    sandboxed: options.sandbox,
    limits: {
      memoryMb: options.limits.memoryMb,
      diskMb: options.limits.diskMb,
      outputMb: options.outputMb,
      cellTimeoutS: options.cellTimeoutMs / 1000,
      timeoutS: options.timeoutMs / 1000,
    },
  };
  const summary = results.map((r, k) => ({ ...strip(r), name: jobs[k].name }));
  await writeFileAtomic(path.join(outDir, "summary.csv"), summaryCsv(results));
  await writeFileAtomic(
    path.join(outDir, "summary.json"),
    JSON.stringify({ batch, submissions: summary }, null, 1) + "\n",
  );
  await writeFileAtomic(
    path.join(outDir, "summary.html"),
    summaryHtml(
      results,
      batch,
      jobs.map((j) => j.name),
    ),
  );
  return { results, batch };
}

function strip(result: GradeResult): Omit<GradeResult, "run"> {
  const { run: _run, ...rest } = result;
  return rest;
}

async function writeSubmission(
  outDir: string,
  name: string,
  result: GradeResult,
): Promise<void> {
  const dir = path.join(outDir, "submissions", name);
  await writeFileAtomic(
    path.join(dir, "score.json"),
    JSON.stringify(strip(result), null, 1) + "\n",
  );
  await writeFileAtomic(path.join(dir, "feedback.html"), feedbackHtml(result));
  const runFile = path.join(dir, "run.ipynb");
  if (result.run) {
    await writeFileAtomic(runFile, JSON.stringify(result.run, null, 1) + "\n");
  } else {
    await fs.rm(runFile, { force: true });
  }
}

/** The .ipynb files named or found (recursively) in folders, named. */
async function collectJobs(
  inputs: string[],
  outDir: string,
  instructorDir: string,
): Promise<Job[]> {
  if (inputs.length === 0) {
    throw new RangeError("grade expects submission files or folders");
  }
  // Compared as the disk sees them: through symbolic links.
  const inside = (a: string, b: string) => {
    const [x, y] = [real(a), real(b)];
    return x === y || x.startsWith(y + path.sep);
  };
  const instructors = path.resolve(instructorDir);
  if (inside(outDir, instructors) || inside(instructors, outDir)) {
    throw new RangeError(
      `--out ${outDir}: overlaps the instructors' folder ${instructors}`,
    );
  }
  const jobs: Job[] = [];
  for (const input of inputs) {
    const abs = path.resolve(input);
    if (inside(abs, outDir) || inside(outDir, abs)) {
      throw new RangeError(
        `${input}: overlaps the output folder ${outDir}; grade into another --out`,
      );
    }
    const stat = await fs.stat(abs).catch(() => null);
    if (!stat) throw new RangeError(`${input}: no such file or folder`);
    if (stat.isDirectory()) {
      const found = await notebooksUnder(abs);
      if (found.length === 0) {
        throw new RangeError(`${input}: no .ipynb files in this folder`);
      }
      for (const file of found) {
        const rel = path.relative(abs, file).split(path.sep);
        jobs.push({
          file,
          shown: rel.join("/"),
          name: submissionStem(rel.join("__")),
        });
      }
    } else {
      const shown = path.basename(abs);
      jobs.push({ file: abs, shown, name: submissionStem(shown) });
    }
  }
  // Names that clean up to the same folder ("a b" and "a_b") each get a
  // short hash of what was given; the same file given twice is an error.
  const files = new Set<string>();
  const count = new Map<string, number>();
  for (const job of jobs) {
    if (files.has(job.file)) {
      throw new RangeError(`${job.file} is given twice`);
    }
    files.add(job.file);
    count.set(job.name, (count.get(job.name) ?? 0) + 1);
  }
  for (const job of jobs) {
    if ((count.get(job.name) as number) > 1) {
      const hash = createHash("sha256").update(job.shown).digest("hex");
      job.name = `${job.name}-${hash.slice(0, 8)}`;
    }
  }
  return jobs;
}

/** `p` with every symbolic link resolved, for a path that may not exist. */
function real(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(real(parent), path.basename(abs));
  }
}

async function notebooksUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".")) continue; // .ipynb_checkpoints and the like
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await notebooksUnder(p)));
    // A linked notebook is listed, and gradeFile refuses it with the reason.
    else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith(".ipynb")) {
      out.push(p);
    }
  }
  return out;
}

/**
 * How a submission finds its assignment: the one given, or the name its
 * release recorded (`metadata.memnets.homework.assignment`).
 */
async function assignmentFinder(
  options: BatchOptions,
): Promise<(nb: Notebook) => Assignment | string> {
  const load = async (file: string) => {
    const name = path.basename(file, ".ipynb");
    return loadAssignment(await readNotebook(file), name, file);
  };
  if (options.assignment !== undefined) {
    const given = options.assignment;
    const file = given.endsWith(".ipynb")
      ? path.resolve(given)
      : path.join(options.instructorDir, `${given}.ipynb`);
    const one = await load(file).catch((err: Error) => {
      throw err instanceof AssignmentError
        ? err
        : new RangeError(`--assignment ${given}: ${err.message}`);
    });
    return () => one;
  }
  const all = new Map<string, Assignment>();
  const dir = path.resolve(options.instructorDir);
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith(".ipynb"));
  for (const file of names.sort().map((n) => path.join(dir, n))) {
    const a = await load(file);
    all.set(a.name, a);
  }
  return (nb: Notebook) => {
    const meta = (
      nb.metadata?.memnets as { homework?: { assignment?: unknown } }
    )?.homework?.assignment;
    if (typeof meta === "string") {
      return (
        all.get(meta) ??
        `its metadata names the assignment "${meta.slice(0, 80)}", which is not ` +
          `in ${options.instructorDir}`
      );
    }
    return (
      `cannot tell the assignment: no memnets.homework.assignment in its ` +
      `metadata; grade it with --assignment`
    );
  };
}
