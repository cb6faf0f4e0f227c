#!/usr/bin/env node
/**
 * memnets command line: execute lessons and write their reports, export one
 * executed notebook, or register the tslab kernel with Jupyter.
 *
 *   node kernel/dist/cli.js run [notebook.ipynb ...] [--quick] [-p k=v]
 *   node kernel/dist/cli.js export executed.ipynb [--out page.html]
 *   node kernel/dist/cli.js install-kernel [--prefix DIR]
 *   node kernel/dist/cli.js release [assignment.ipynb ...] [--out DIR]
 *   node kernel/dist/cli.js grade submission.ipynb|folder ... [--out DIR]
 *
 * This is the one place that prints: the runner and exporter report through
 * callbacks and return values.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { installKernel } from "./kernelspec.js";
import { runLessons, exportOne } from "./lessons.js";
import { parseParameters, seconds, whole } from "./args.js";
import { homeworkNotebooks, releaseFiles } from "./homework/release-files.js";
import { gradeBatch } from "./grade/batch.js";
import { DEFAULT_LIMITS } from "./grade/sandbox.js";

const USAGE = `usage:
  memnets run [NOTEBOOK.ipynb ...] [options]   execute lessons, write reports
      --quick                 the short setting (notebook metadata memnets.quick)
      -p, --param NAME=VALUE  override a parameter (VALUE read as JSON if it parses)
      --allow-errors          go on after a failed cell
      --out DIR               output folder (default: reports)
      --cell-timeout SECONDS  per cell (default: 900)
      --timeout SECONDS       per notebook (default: 3600)
  memnets export EXECUTED.ipynb [--out PAGE.html]
  memnets install-kernel [--prefix DIR] [--name NAME] [--force]
  memnets release [ASSIGNMENT.ipynb ...] [--out DIR]
      student versions of homework (default: notebooks/homework/*.ipynb
      into reports/homework/release)
  memnets grade SUBMISSION.ipynb|FOLDER ... [options]
      grade submissions in a sandbox against the instructor versions
      --assignment NAME|FILE  grade all against this one (default: the name
                              each release records in its metadata)
      --out DIR               output folder (default: reports/grades)
      --jobs N                submissions at a time (default: 2)
      --cell-timeout SECONDS  per cell (default: 60)
      --timeout SECONDS       per submission (default: 600)
      --memory-mb N           memory of one submission (default: 2048)
      --disk-mb N             its private disk space (default: 64)
      --output-mb N           output it may print (default: 10)
      --no-sandbox            run student code unisolated (trusted code only)`;

const OPTIONS = {
  quick: { type: "boolean", default: false },
  param: {
    type: "string",
    short: "p",
    multiple: true,
    default: [] as string[],
  },
  "allow-errors": { type: "boolean", default: false },
  out: { type: "string" },
  "cell-timeout": { type: "string" },
  timeout: { type: "string" },
  prefix: { type: "string" },
  name: { type: "string" },
  force: { type: "boolean", default: false },
  assignment: { type: "string" },
  jobs: { type: "string" },
  "memory-mb": { type: "string" },
  "disk-mb": { type: "string" },
  "output-mb": { type: "string" },
  "no-sandbox": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} satisfies NonNullable<ParseArgsConfig["options"]>;

function parseCommandLine(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: OPTIONS });
}

/** Ctrl-C and `kill` end the process through "exit", whose handlers kill
 *  the kernel and remove temporary files (an uncaught signal skips them). */
function exitOnSignals(): void {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      console.error(`\nmemnets: ${signal}, stopping`);
      process.exit(code);
    });
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(rest);
  } catch (err) {
    console.error(`memnets: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  exitOnSignals();
  const helpAsked = ["help", "--help", "-h"].includes(command ?? "");
  if (values.help || command === undefined || helpAsked) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case "run":
      return runLessons({
        notebooks: positionals,
        outDir: path.resolve(values.out ?? (await defaultRunOut(positionals))),
        quick: values.quick,
        parameters: parseParameters(values.param ?? []),
        allowErrors: values["allow-errors"],
        cellTimeoutMs: seconds(values["cell-timeout"], "cell-timeout", 900),
        notebookTimeoutMs: seconds(values.timeout, "timeout", 3600),
      });
    case "export":
      if (positionals.length !== 1) {
        throw new RangeError("export expects one executed .ipynb file");
      }
      await exportOne(positionals[0], values.out);
      return 0;
    case "install-kernel": {
      const dir = await installKernel({
        prefix: values.prefix,
        name: values.name,
        force: values.force,
      });
      console.log(`installed the tslab kernelspec in ${dir}`);
      return 0;
    }
    case "release": {
      if (values.quick || (values.param ?? []).length > 0) {
        throw new RangeError(
          "release takes only files and --out (not --quick or -p)",
        );
      }
      const root = path.resolve(
        path.dirname(new URL(import.meta.url).pathname),
        "..",
        "..",
      );
      // `npm run` starts us in the project root; paths typed by the user
      // are relative to where they typed them (INIT_CWD).
      const here = process.env.INIT_CWD ?? process.cwd();
      const sources = positionals.length
        ? positionals.map((p) => path.resolve(here, p))
        : await homeworkNotebooks(root);
      const outDir = values.out
        ? path.resolve(here, values.out)
        : path.resolve("reports/homework/release");
      const written = await releaseFiles(
        sources,
        outDir,
        path.join(root, "notebooks", "homework"),
      );
      for (const w of written) {
        const r = w.release.record;
        console.log(
          `${path.relative(process.cwd(), w.target)}: ${r.checks.length} ` +
            `visible checks (${r.visiblePoints} points), ` +
            `${w.release.allChecks.length - r.checks.length} hidden ` +
            `(${r.hiddenPoints} points) removed`,
        );
      }
      return 0;
    }
    case "grade":
      return grade(positionals, values);
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

async function grade(
  inputs: string[],
  values: ReturnType<typeof parseCommandLine>["values"],
): Promise<number> {
  if (values.quick || (values.param ?? []).length > 0) {
    throw new RangeError("grade takes no --quick or -p");
  }
  const root = path.resolve(
    path.dirname(new URL(import.meta.url).pathname),
    "..",
    "..",
  );
  const here = process.env.INIT_CWD ?? process.cwd();
  const sandbox = !values["no-sandbox"];
  if (!sandbox) {
    console.error(
      "memnets grade: --no-sandbox: student code runs with your rights, " +
        "network and files; use it only for code you trust",
    );
  }
  const outDir = path.resolve(
    here,
    values.out ?? path.join(root, "reports", "grades"),
  );
  const { results, batch } = await gradeBatch(
    inputs.map((p) => path.resolve(here, p)),
    {
      outDir,
      jobs: whole(values.jobs, "jobs", 2),
      assignment: values.assignment?.endsWith(".ipynb")
        ? path.resolve(here, values.assignment)
        : values.assignment,
      instructorDir: path.join(root, "notebooks", "homework"),
      projectRoot: root,
      sandbox,
      limits: {
        ...DEFAULT_LIMITS,
        memoryMb: whole(
          values["memory-mb"],
          "memory-mb",
          DEFAULT_LIMITS.memoryMb,
        ),
        diskMb: whole(values["disk-mb"], "disk-mb", DEFAULT_LIMITS.diskMb),
      },
      outputMb: whole(values["output-mb"], "output-mb", 10),
      cellTimeoutMs: seconds(values["cell-timeout"], "cell-timeout", 60),
      timeoutMs: seconds(values.timeout, "timeout", 600),
      onResult(r, done, total) {
        const score =
          r.status === "zero"
            ? `0 / ${r.maxScore}, zero: ${r.reason}`
            : `${r.score} / ${r.maxScore}`;
        console.log(
          `[${done}/${total}] ${r.submission}: ${score} (${(r.durationMs / 1000).toFixed(1)} s)`,
        );
      },
    },
  );
  const perMinute = results.length / (batch.durationMs / 60_000);
  console.log(
    `graded ${results.length} in ${(batch.durationMs / 1000).toFixed(1)} s ` +
      `(${perMinute.toFixed(1)} per minute, ${batch.jobs} at a time); ` +
      `summary: ${shortPath(here, path.join(outDir, "summary.html"))}`,
  );
  return 0;
}

/** `file` relative to `here` if it is inside, else absolute. */
function shortPath(here: string, file: string): string {
  const rel = path.relative(here, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

/**
 * reports/, or reports/homework/run when every notebook given is homework
 * (an instructor version or a release), so that running an assignment
 * never replaces the report of the lesson of the same number.
 */
async function defaultRunOut(notebooks: string[]): Promise<string> {
  if (notebooks.length === 0) return "reports";
  const kinds = await Promise.all(notebooks.map(isHomework));
  if (kinds.every((k) => k)) return path.join("reports", "homework", "run");
  if (kinds.some((k) => k)) {
    throw new RangeError(
      "lessons and homework notebooks in one run: run them separately, or give --out",
    );
  }
  return "reports";
}

async function isHomework(file: string): Promise<boolean> {
  try {
    const nb = JSON.parse(await readFile(file, "utf8"));
    if (nb?.metadata?.memnets?.homework !== undefined) return true;
    return (
      nb?.cells?.some?.(
        (c: { metadata?: { memnets?: { homework?: unknown } } }) =>
          c?.metadata?.memnets?.homework !== undefined,
      ) === true
    );
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      `memnets: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(2);
  },
);
