/**
 * Grades one submission (issue 9): reads it as untrusted bytes, runs the
 * student's cells and then the instructor's checks in a fresh sandboxed
 * kernel (see assignment.ts for what runs, sandbox.ts and watchdog.ts for
 * what contains it), and decides each check from the kernel's reply to the
 * grader's own check cell.
 *
 * A submission that cannot be read, or whose run breaks a limit (time,
 * memory, disk, output, processes) or kills its kernel, scores zero with
 * the reason; the checks it passed before are listed but earn nothing.
 * Errors in the student's own cells are reported and the run goes on.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

import { executeCell, IopubRouter, type CellOutcome } from "../cell-exec.js";
import { KernelProcess, KernelStartError } from "../kernel-process.js";
import {
  validateNotebook,
  NotebookFormatError,
  toLines,
  type CodeCell,
  type ErrorOutput,
  type Notebook,
} from "../notebook.js";
import { OutputCollector } from "../outputs.js";
import {
  gradingCells,
  integrityMarker,
  type Assignment,
  type GradingCell,
} from "./assignment.js";
import {
  closeConnDir,
  sandboxLauncher,
  SANDBOX_UID_BASE,
  type SandboxLimits,
} from "./sandbox.js";
import { Watchdog } from "./watchdog.js";

export interface GradeOptions {
  projectRoot: string;
  /** Run the kernel in the sandbox; false only when asked for. */
  sandbox: boolean;
  limits: SandboxLimits;
  /** Output the kernel may send, in MiB. */
  outputMb: number;
  cellTimeoutMs: number;
  /** The whole submission, kernel start included. */
  timeoutMs: number;
  /** Which of the parallel slots runs it (its sandbox user id). */
  slot?: number;
  /** Largest submission file read, in MiB. */
  maxFileMb?: number;
}

export interface CheckVerdict {
  id: string;
  points: number;
  hidden: boolean;
  /** False when the run stopped before this check. */
  ran: boolean;
  passed: boolean;
  earned: number;
  /** Why it failed ("" when it passed). */
  message: string;
}

export interface GradeResult {
  /** The submission's file name. */
  submission: string;
  path: string;
  sha256: string | null;
  assignment: string | null;
  /** "graded", or "zero" for a submission stopped or unreadable. */
  status: "graded" | "zero";
  /** Why the submission scored zero (null when graded). */
  reason: string | null;
  score: number;
  maxScore: number;
  checks: CheckVerdict[];
  /** Errors in the student's own cells (cell numbers as in the file). */
  studentErrors: { cell: number; error: string }[];
  /** Edited or missing check cells, and code an instructor may want to read. */
  notes: string[];
  review: string[];
  sandboxed: boolean;
  durationMs: number;
  peakMemoryMb: number;
  gradedAt: string;
  /** What ran, with outputs: hidden checks included, for instructors. */
  run?: Notebook;
}

const MIB = 1024 * 1024;

/** Reads and grades the submission file `file`. */
export async function gradeFile(
  file: string,
  findAssignment: (nb: Notebook) => Assignment | string,
  options: GradeOptions,
): Promise<GradeResult> {
  const started = Date.now();
  const base = {
    submission: path.basename(file),
    path: path.resolve(file),
  };
  const zero = (
    reason: string,
    extra: Partial<GradeResult> = {},
  ): GradeResult => ({
    ...base,
    sha256: null,
    assignment: null,
    status: "zero",
    reason,
    score: 0,
    maxScore: 0,
    checks: [],
    studentErrors: [],
    notes: [],
    review: [],
    sandboxed: options.sandbox,
    durationMs: Date.now() - started,
    peakMemoryMb: 0,
    gradedAt: new Date().toISOString(),
    ...extra,
  });
  const maxBytes = (options.maxFileMb ?? 20) * MIB;
  let bytes: Buffer;
  try {
    // Not followed: a link could point at any file the grader may read,
    // and parts of an unreadable file are quoted in the feedback.
    const stat = await fs.lstat(file);
    if (stat.isSymbolicLink()) {
      return zero("the file is a symbolic link (not followed)");
    }
    if (!stat.isFile()) return zero("not a file");
    if (stat.size > maxBytes) {
      return zero(`the file is larger than ${maxBytes / MIB} MB`);
    }
    bytes = await fs.readFile(file);
  } catch (err) {
    return zero(`cannot read the file: ${(err as Error).message}`);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  let nb: Notebook;
  try {
    nb = JSON.parse(bytes.toString("utf8")) as Notebook;
    validateNotebook(nb, base.submission);
  } catch (err) {
    const what =
      err instanceof SyntaxError ? "not valid JSON" : "not a notebook";
    const why =
      err instanceof NotebookFormatError || err instanceof SyntaxError
        ? err.message
        : String(err);
    return zero(`the file is ${what}: ${why.slice(0, 300)}`, { sha256 });
  }
  const assignment = findAssignment(nb);
  if (typeof assignment === "string") return zero(assignment, { sha256 });
  const result = await gradeNotebook(nb, assignment, options);
  return {
    ...result,
    ...base,
    sha256,
    durationMs: Date.now() - started,
  };
}

/** Grades a parsed submission against `assignment`. */
export async function gradeNotebook(
  submission: Notebook,
  assignment: Assignment,
  options: GradeOptions,
): Promise<GradeResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const nonce = randomBytes(8).toString("hex");
  const { cells, notes } = gradingCells(submission, assignment, nonce);
  const review = reviewFlags(cells);
  const verdicts = new Map<string, CheckVerdict>(
    assignment.checks.map((c) => [
      c.id,
      {
        id: c.id,
        points: c.points,
        hidden: c.hidden,
        ran: false,
        passed: false,
        earned: 0,
        message: "not run",
      },
    ]),
  );
  const studentErrors: GradeResult["studentErrors"] = [];
  const collector = new OutputCollector({
    streamBytes: 256 * 1024,
    displayBytes: 4 * MIB,
  });
  let reason: string | null = null;
  let peak = 0;
  const slot = options.slot ?? 0;
  const privateCwd = options.sandbox
    ? null
    : await unsandboxedHome(options.projectRoot);

  let kernel: KernelProcess | null = null;
  let watchdog: Watchdog | null = null;
  try {
    kernel = await KernelProcess.start({
      cwd: privateCwd ?? options.projectRoot,
      env: privateCwd ? scrubbedEnv(privateCwd) : undefined,
      transport: options.sandbox ? "ipc" : "tcp",
      nodeArgs: [`--max-old-space-size=${options.limits.memoryMb}`],
      launcher: options.sandbox
        ? sandboxLauncher({
            limits: options.limits,
            uid: SANDBOX_UID_BASE + slot,
            projectRoot: options.projectRoot,
          })
        : undefined,
      startTimeoutMs: Math.max(1, Math.min(60_000, deadline - Date.now())),
    });
    const k = kernel;
    if (options.sandbox) await closeConnDir(k.connDir);
    watchdog = new Watchdog(
      k.pid,
      options.sandbox,
      {
        memoryBytes: options.limits.memoryMb * MIB,
        diskBytes: options.sandbox ? options.limits.diskMb * MIB : null,
        outputBytes: options.outputMb * MIB,
        cellTimeoutMs: options.cellTimeoutMs,
        deadline,
        connDir: options.sandbox ? k.connDir : undefined,
      },
      () => void k.shutdown(),
    );
    const dog = watchdog;
    k.onIopub((msg) =>
      dog.addOutput(outputSize(msg.header.msg_type, msg.content)),
    );
    const router = new IopubRouter(k, collector);
    for (const [index, cell] of cells.entries()) {
      const label =
        cell.role === "check" || cell.role === "canary"
          ? `check "${cell.checkId}"`
          : cell.role === "student"
            ? `cell ${(cell.sourceIndex as number) + 1}`
            : cell.role === "setup"
              ? "the grader's helper cell"
              : "the grader's first cell";
      dog.startCell(label);
      const outcome = await executeCell(
        k,
        router,
        collector,
        index,
        cell.code,
        {
          // The watchdog's limit comes first and names the cell.
          timeoutMs: options.cellTimeoutMs + 10_000,
          timeoutName: "CellTimeout",
          graceMs: 2000,
          interruptMode: "signal",
        },
      );
      if (dog.violation) break;
      reason = await judge(cell, label, outcome, {
        kernel: k,
        nonce,
        cellTimeoutMs: options.cellTimeoutMs,
        verdicts,
        studentErrors,
        review,
      });
      if (reason !== null) break;
    }
    // A last look: the disk may have filled in the final cell.
    if (!dog.violation && k.alive) await dog.tick();
    if (dog.violation) reason = dog.violation;
    // Near the memory limit V8 can stall or crash before the watchdog sees
    // the limit passed: name the likely cause.
    const limit = options.limits.memoryMb * MIB;
    if (
      reason !== null &&
      !/memory/.test(reason) &&
      dog.peakMemoryBytes >= 0.9 * limit
    ) {
      reason =
        `used nearly all its memory (peak ${Math.round(dog.peakMemoryBytes / MIB)} ` +
        `of ${options.limits.memoryMb} MB): ${reason}`;
    }
  } catch (err) {
    if (!(err instanceof KernelStartError)) throw err;
    reason = `the kernel did not start: ${err.message.split("\n")[0]}`;
  } finally {
    watchdog?.stop();
    peak = watchdog?.peakMemoryBytes ?? 0;
    await kernel?.shutdown();
    if (privateCwd) await fs.rm(privateCwd, { recursive: true, force: true });
  }

  const checks = [...verdicts.values()];
  if (reason !== null) for (const v of checks) v.earned = 0;
  const score = checks.reduce((s, v) => s + v.earned, 0);
  return {
    submission: "",
    path: "",
    sha256: null,
    assignment: assignment.name,
    status: reason === null ? "graded" : "zero",
    reason,
    score,
    maxScore: assignment.maxScore,
    checks,
    studentErrors,
    notes,
    review,
    sandboxed: options.sandbox,
    durationMs: Date.now() - started,
    peakMemoryMb: Math.round(peak / MIB),
    gradedAt: new Date().toISOString(),
    run: runNotebook(cells, collector, submission),
  };
}

/** What `judge` reads and records into. */
export interface Judging {
  kernel: KernelProcess;
  nonce: string;
  cellTimeoutMs: number;
  verdicts: Map<string, CheckVerdict>;
  studentErrors: GradeResult["studentErrors"];
  review: string[];
}

/**
 * Records what one cell's outcome means: a check's verdict or a student
 * cell's error. Returns why the submission scores zero, or null to go on.
 */
export async function judge(
  cell: GradingCell,
  label: string,
  outcome: CellOutcome,
  j: Judging,
): Promise<string | null> {
  if (outcome.status === "timeout") {
    return `${label} ran longer than ${j.cellTimeoutMs / 1000} s`;
  }
  if (outcome.status === "died") return diedReason(label, j.kernel);
  if (cell.role === "preamble" && outcome.status !== "ok") {
    return `the grader's first cell failed: ${errorText(outcome.error)}`;
  }
  if (cell.role === "setup") {
    // The instructor's helpers, rebuilt after the student's cells: only a
    // submission that broke the library or the built-ins makes them fail.
    return outcome.status === "ok"
      ? null
      : `the grader could not rebuild the assignment's helper cells ` +
          `after the notebook's own: ${errorText(outcome.error)}`;
  }
  if (cell.role === "student") {
    if (outcome.error) {
      j.studentErrors.push({
        cell: (cell.sourceIndex as number) + 1,
        error: errorText(outcome.error),
      });
    }
    return null;
  }
  const tampered = guardFinding(outcome.error, j.nonce);
  if (tampered !== null) {
    // What changed is the kernel's text: for instructors only (a kernel
    // under the submission's control could put a hidden check there).
    j.review.push(`the grader's record found a change: ${tampered}`);
    return (
      `changed a built-in or a module of the library that the checks ` +
      `compute with (found before or after ${label}; details for the ` +
      `instructor in score.json)`
    );
  }
  if (cell.role === "canary" && outcome.status === "ok") {
    return (
      "a check that must fail was reported as passed: the kernel's " +
      "error reporting was tampered with"
    );
  }
  if (cell.role === "check") {
    const v = j.verdicts.get(cell.checkId as string) as CheckVerdict;
    v.ran = true;
    v.passed = outcome.status === "ok";
    v.earned = v.passed ? v.points : 0;
    v.message = v.passed ? "" : errorText(outcome.error);
  }
  return null;
}

/** The notebook that ran, with its outputs. */
function runNotebook(
  cells: GradingCell[],
  collector: OutputCollector,
  submission: Notebook,
): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: submission.metadata.kernelspec ?? {
        name: "tslab",
        display_name: "TypeScript",
        language: "typescript",
      },
      language_info: { name: "typescript" },
    },
    cells: cells.map((cell, i): CodeCell => ({
      cell_type: "code",
      metadata: {
        memnets: { grading: { role: cell.role, check: cell.checkId } },
      },
      source: toLines(cell.code),
      outputs: collector.outputs(i),
      execution_count: null,
    })),
  };
}

/** What the integrity guard of the grader's cells found, if anything. */
function guardFinding(
  error: ErrorOutput | undefined,
  nonce: string,
): string | null {
  const marker = integrityMarker(nonce) + ": ";
  const text = error?.evalue ?? "";
  const at = text.indexOf(marker);
  if (at < 0) return null;
  const rest = text.slice(at + marker.length).split("\n")[0];
  return rest.replace(/ was changed$/, "").slice(0, 200);
}

/** What a failed cell's error says, without tslab's source excerpt. */
export function errorText(error: ErrorOutput | undefined): string {
  if (!error) return "failed with no error report";
  const text = error.evalue;
  const lines = text.split("\n");
  // tslab's runtime errors: "file:line", the source line, "^", "", then
  // "Name: message" and the stack.
  const start = lines.findIndex((l) => /^[A-Za-z_$][\w$]*: /.test(l));
  let body =
    start >= 0 && /:\d+$/.test(lines[0] ?? "")
      ? lines.slice(start)
      : [`${error.ename}: ${lines[0]}`, ...lines.slice(1)];
  const stack = body.findIndex((l) => /^\s+at /.test(l));
  if (stack >= 0) body = body.slice(0, stack);
  const message = body.join("\n").trim();
  return message.length > 2000 ? message.slice(0, 2000) + " ..." : message;
}

async function diedReason(
  label: string,
  kernel: KernelProcess,
): Promise<string> {
  if (/heap out of memory|Reached heap limit/i.test(kernel.stderr)) {
    return `ran out of memory in ${label} (the JavaScript heap limit)`;
  }
  const exit = await kernel.exited;
  // Through the sandbox, a signal shows as an exit code of 128 + its number.
  const signal =
    exit.signal ??
    (exit.code !== null && exit.code > 128
      ? Object.entries(os.constants.signals).find(
          ([, n]) => n === (exit.code as number) - 128,
        )?.[0]
      : undefined);
  const how = signal ? `on ${signal}` : `with code ${exit.code}`;
  return (
    `the kernel stopped during ${label}: it exited ${how} ` +
    `(process.exit, a crash or a resource limit)`
  );
}

/** Bytes of output a kernel message carries. */
function outputSize(type: string, content: Record<string, unknown>): number {
  if (type === "stream") return Buffer.byteLength(String(content.text ?? ""));
  if (type === "display_data" || type === "update_display_data") {
    return JSON.stringify(content.data ?? {}).length;
  }
  if (type === "execute_result" || type === "error") {
    return JSON.stringify(content).length;
  }
  return 0;
}

/** Code in the student's cells that an instructor may want to read. */
const REVIEW: [RegExp, string][] = [
  [/\brequire\b/, "uses require"],
  [/\beval\b|\bFunction\s*\(|\bReflect\s*\./, "uses eval, Function or Reflect"],
  [
    /\bprocess\s*\.\s*(exit|kill|abort|binding|dlopen|_linkedBinding)\b/,
    "uses process.exit, kill or bindings",
  ],
  [
    /["'](?:node:)?(child_process|worker_threads|vm|cluster)["']/,
    "names a process or VM module",
  ],
  [/\bglobalThis\b|\bglobal\s*\./, "touches globalThis"],
  [
    /\.prototype\b[^;\n]*[^=!<>]=(?![=>])|Object\s*\.\s*(defineProperty|setPrototypeOf)\s*\(/,
    "changes prototypes or properties",
  ],
  [/memnetsGrading|memnetsSetup/, "names the grader's variables"],
  [
    /\bimport\b[^;]*?from\s*["'](?!memnets["'])/,
    "imports a module other than memnets",
  ],
];

/** The code without its comments (a word in a comment is no finding). */
function withoutComments(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");
}

function reviewFlags(cells: GradingCell[]): string[] {
  const flags: string[] = [];
  for (const cell of cells) {
    if (cell.role !== "student") continue;
    const code = withoutComments(cell.code);
    for (const [pattern, what] of REVIEW) {
      if (pattern.test(code)) {
        flags.push(`cell ${(cell.sourceIndex as number) + 1} ${what}`);
      }
    }
  }
  return flags;
}

/** Without the sandbox: a private folder that still finds node_modules. */
async function unsandboxedHome(projectRoot: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "memnets-grade-"));
  await fs.symlink(
    path.join(projectRoot, "node_modules"),
    path.join(dir, "node_modules"),
  );
  await fs.mkdir(path.join(dir, ".tmp"));
  return dir;
}

function scrubbedEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/bin:/bin",
    HOME: home,
    TMPDIR: path.join(home, ".tmp"),
    LANG: "C.UTF-8",
  };
}
