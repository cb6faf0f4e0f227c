/**
 * The grader's parts without a kernel (issue 9): what runs for a
 * submission, how a failed check's message is read, the sandbox's command
 * line, the process table, the watchdog, and the command line's refusals.
 * The whole grader against tslab is in test/e2e/grade.test.ts.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

import {
  AssignmentError,
  gradingCells,
  loadAssignment,
} from "../../kernel/src/grade/assignment.js";
import {
  errorText,
  judge,
  type Judging,
} from "../../kernel/src/grade/grade.js";
import { processTree, readProc } from "../../kernel/src/grade/proc.js";
import {
  DEFAULT_LIMITS,
  sandboxCommand,
} from "../../kernel/src/grade/sandbox.js";
import { Watchdog } from "../../kernel/src/grade/watchdog.js";
import type { Cell, Notebook } from "../../kernel/src/notebook.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

const code = (source: string, homework?: object): Cell => ({
  cell_type: "code",
  source,
  metadata: homework ? { memnets: { homework } } : {},
  outputs: [],
  execution_count: null,
});
const nb = (cells: Cell[], metadata = {}): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata,
  cells,
});

const instructor = nb([
  code('import { Random, check, expectClose as near } from "memnets";'),
  code(
    "function twice(x: number) {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}",
    { solution: true },
  ),
  code('check("small", 2, () => near("2x", twice(1), 2));', {
    check: "small",
    points: 2,
  }),
  code('check("other", 1, () => near("4x", twice(2), 4));', {
    check: "other",
    points: 1,
  }),
  code(
    'import { hebbianWeights } from "memnets";\n' +
      'check("hidden-one", 3, () => {\n' +
      "  const r: Random = new Random(1);\n" +
      '  near("r", twice(r.uniform()) / 2 >= 0 ? 1 : 0, 1);\n' +
      "  void hebbianWeights;\n" +
      "});",
    { check: "hidden-one", points: 3, hidden: true },
  ),
]);

describe("what the grader runs", () => {
  const a = loadAssignment(instructor, "hw", "hw.ipynb");

  it("reads the checks and points from the instructor version", () => {
    expect(a.checks.map((c) => [c.id, c.points, c.hidden])).toEqual([
      ["small", 2, false],
      ["other", 1, false],
      ["hidden-one", 3, true],
    ]);
    expect(a.maxScore).toBe(6);
    expect([...a.libraryNames]).toEqual([
      ["Random", "Random"],
      ["check", "check"],
      ["near", "expectClose"],
      ["hebbianWeights", "hebbianWeights"],
    ]);
  });

  it("runs the preamble, the student's cells, then every check from the instructor", () => {
    const submission = nb([
      instructor.cells[0],
      code("function twice(x: number) { return x + x; }", { solution: true }),
      // Edited: points and body.
      code('check("small", 200, () => {});', { check: "small", points: 200 }),
      // "other" deleted; an unknown check added; a student's own cell.
      code('check("mine", 5, () => {});', { check: "mine", points: 5 }),
      code("const check = () => {};"),
      code("   "),
    ]);
    const all = gradingCells(submission, a, "abc123");
    const { notes } = all;
    const canaries = all.cells.filter((c) => c.role === "canary");
    const cells = all.cells.filter((c) => c.role !== "canary");
    // Two canaries among the checks: a visible check's id and a random one;
    // each compares two different numbers, so it must fail.
    expect(canaries).toHaveLength(2);
    const lastStudent = all.cells.map((c) => c.role).lastIndexOf("student");
    for (const c of canaries) {
      expect(all.cells.indexOf(c)).toBeGreaterThan(lastStudent);
      const [x, y] = (/expectEqual\("value", (\d+), (\d+)\)/.exec(c.code) ?? [])
        .slice(1)
        .map(Number);
      expect(x).toBeGreaterThan(0);
      expect(y).not.toBe(x);
    }
    const ids = canaries.map((c) => c.checkId ?? "");
    expect(ids.filter((id) => id === "small" || id === "other")).toHaveLength(
      1,
    );
    expect(ids.filter((id) => /^check-[0-9a-z]+$/.test(id))).toHaveLength(1);
    expect(cells.map((c) => c.role)).toEqual([
      "preamble",
      "student",
      "student",
      "student",
      "check",
      "check",
      "check",
    ]);
    // The grader's object is a read-only property of the global object,
    // and `globalThis` itself cannot be reassigned.
    expect(cells[0].code).toMatch(
      /^Object\.defineProperty\(globalThis, "globalThis", \{ writable: false, configurable: false \}\);\n/,
    );
    expect(cells[0].code).toContain(
      'void Object.defineProperty(globalThis, "memnetsGrading_abc123", { enumerable: false, writable: false, configurable: false, value:',
    );
    // tslab's way of running cells is frozen before any student code.
    expect(cells[0].code).toContain("Object.freeze(vm);");
    for (const c of all.cells.slice(1)) {
      if (c.role === "student") continue;
      expect(c.code).toContain(
        'const memnetsGrading_abc123 = (globalThis as any)["memnetsGrading_abc123"]',
      );
    }
    expect(cells.slice(1, 4).map((c) => c.sourceIndex)).toEqual([0, 1, 4]);
    expect(cells.slice(4).map((c) => c.checkId)).toEqual([
      "small",
      "other",
      "hidden-one",
    ]);
    // The instructor's source, with the names rebound in a block.
    const hidden = cells[6].code;
    expect(hidden.split("\n")[0]).toBe(
      'import { hebbianWeights } from "memnets";',
    );
    expect(hidden).toContain(
      "const { Random, expectClose: near, hebbianWeights } = memnetsGrading_abc123.lib;",
    );
    expect(hidden).toContain('type Random = import("memnets").Random;');
    expect(hidden).toContain(
      'const check = memnetsGrading_abc123.check("hidden-one");',
    );
    expect(cells[4].code).toContain('check("small", 2, () =>');
    expect(cells[4].code).not.toContain("200");
    expect(notes).toEqual([
      'cell 3: check "small" was edited; the original ran',
      "cell 4: a check cell not in the assignment (not run)",
      'check "other" was missing from the submission; the original ran',
    ]);
  });

  it("runs every visible check before any hidden one", () => {
    const [first, solution, small, other, hidden] = instructor.cells;
    const shuffled = nb([first, solution, hidden, small, other]);
    const b = loadAssignment(shuffled, "hw", "hw.ipynb");
    const ids = gradingCells(shuffled, b, "n")
      .cells.filter((c) => c.role === "check")
      .map((c) => c.checkId);
    expect(ids).toEqual(["small", "other", "hidden-one"]);
  });

  it("refuses a check cell that imports from elsewhere", () => {
    const bad = nb([
      ...instructor.cells.slice(0, 3),
      code('import fs from "fs";\ncheck("other", 1, () => {});', {
        check: "other",
        points: 1,
      }),
    ]);
    expect(() => loadAssignment(bad, "hw", "hw.ipynb")).toThrow(
      AssignmentError,
    );
    expect(() => loadAssignment(bad, "hw", "hw.ipynb")).toThrow(
      /hw.ipynb: cell 4: a check cell may import only named exports from "memnets"/,
    );
  });

  it("refuses an instructor version the release tool refuses", () => {
    const bad = nb([instructor.cells[0], instructor.cells[2]]);
    expect(() => loadAssignment(bad, "hw", "x.ipynb")).toThrow(
      /x.ipynb: no solution cell/,
    );
  });
});

describe("what a cell's outcome means", () => {
  const judging = (): Judging => ({
    kernel: null as unknown as Judging["kernel"],
    nonce: "n0",
    cellTimeoutMs: 60_000,
    verdicts: new Map([
      [
        "small",
        {
          id: "small",
          points: 2,
          hidden: false,
          ran: false,
          passed: false,
          earned: 0,
          message: "not run",
        },
      ],
    ]),
    studentErrors: [],
    review: [],
  });
  const error = (evalue: string) => ({
    output_type: "error" as const,
    ename: "Error",
    evalue,
    traceback: [],
  });

  it("a canary reported as passed gives zero", async () => {
    const j = judging();
    const canary = { role: "canary" as const, code: "", checkId: "x" };
    expect(
      await judge(canary, 'check "x"', { status: "ok", executionCount: 1 }, j),
    ).toMatch(/a check that must fail was reported as passed/);
    expect(
      await judge(
        canary,
        'check "x"',
        {
          status: "error",
          executionCount: 1,
          error: error("CheckFailure: no"),
        },
        j,
      ),
    ).toBeNull();
  });

  it("the record's finding gives zero, its text only for instructors", async () => {
    const j = judging();
    const check = { role: "check" as const, code: "", checkId: "small" };
    const text = "memnets-integrity-n0: Math.abs <script> was changed\n  at x";
    const reason = await judge(
      check,
      'check "small"',
      { status: "error", executionCount: 1, error: error(text) },
      j,
    );
    expect(reason).toBe(
      "changed a built-in or a module of the library that the checks " +
        'compute with (found before or after check "small"; details for ' +
        "the instructor in score.json)",
    );
    expect(j.review).toEqual([
      "the grader's record found a change: Math.abs <script>",
    ]);
    // Another nonce is only a failed check.
    const k = judging();
    expect(
      await judge(
        check,
        'check "small"',
        {
          status: "error",
          executionCount: 1,
          error: error("memnets-integrity-zz: Math.abs was changed"),
        },
        k,
      ),
    ).toBeNull();
    expect(k.verdicts.get("small")).toMatchObject({ ran: true, passed: false });
  });
});

describe("the message of a failed check", () => {
  it("drops tslab's source excerpt and the stack", () => {
    const evalue =
      "/p/lib/dist/homework.js:160\n    throw new CheckFailure(x);\n    ^\n\n" +
      "CheckFailure: W[0]: expected 1, got 2\n    at expectClose (/p/h.js:1:1)\n    at x";
    expect(
      errorText({
        output_type: "error",
        ename: "Error",
        evalue,
        traceback: [],
      }),
    ).toBe("CheckFailure: W[0]: expected 1, got 2");
  });

  it("keeps a compile error with its name", () => {
    expect(
      errorText({
        output_type: "error",
        ename: "TypeScriptError",
        evalue: "Cannot find name 'twice'.",
        traceback: [],
      }),
    ).toBe("TypeScriptError: Cannot find name 'twice'.");
  });

  it("cuts a very long message and says when there was none", () => {
    const long = errorText({
      output_type: "error",
      ename: "Error",
      evalue: "x".repeat(5000),
      traceback: [],
    });
    expect(long.length).toBeLessThan(2100);
    expect(long.endsWith(" ...")).toBe(true);
    expect(errorText(undefined)).toBe("failed with no error report");
  });
});

describe("the sandbox's command line", () => {
  const argv = [process.execPath, "tslab", "kernel"];
  const { command, args } = sandboxCommand(argv, "/tmp/conn-x", {
    limits: { ...DEFAULT_LIMITS, memoryMb: 512, diskMb: 16 },
    uid: 61003,
    projectRoot: root,
  });
  const bwrap = args.slice(args.indexOf("bwrap"));

  it("limits the process, then unshares everything but the user", () => {
    expect(command).toBe("prlimit");
    const limits = args.slice(0, args.indexOf("bwrap"));
    expect(limits).toContain(`--data=${(512 + 256) * 1024 * 1024}`);
    expect(limits).toContain(`--fsize=${16 * 1024 * 1024}`);
    expect(limits).toContain("--core=0");
    for (const flag of [
      "--unshare-pid",
      "--unshare-net",
      "--unshare-ipc",
      "--die-with-parent",
      "--new-session",
      "--clearenv",
    ]) {
      expect(bwrap).toContain(flag);
    }
    expect(args.slice(-argv.length)).toEqual(argv);
  });

  it("binds the packages read-only and neither notebooks nor reports", () => {
    const binds = bwrap.flatMap((a, i) =>
      a === "--ro-bind" || a === "--bind" ? [bwrap[i + 1]] : [],
    );
    expect(binds).toContain(path.join(root, "node_modules"));
    expect(binds).toContain("/tmp/conn-x");
    expect(binds.some((b) => b.includes("notebooks"))).toBe(false);
    expect(binds.some((b) => b.includes("reports"))).toBe(false);
    const rw = bwrap.flatMap((a, i) => (a === "--bind" ? [bwrap[i + 1]] : []));
    expect(rw).toEqual(["/tmp/conn-x"]);
  });

  it("gives a private home of the disk size, readable ancestors", () => {
    const home = bwrap.indexOf("/home/student");
    expect(bwrap.slice(home - 5, home + 1)).toEqual([
      "--size",
      String(16 * 1024 * 1024),
      "--perms",
      "1777",
      "--tmpfs",
      "/home/student",
    ]);
    const first = path.join(root, "node_modules").split(path.sep)[1];
    const dir = bwrap.indexOf(`/${first}`);
    expect(bwrap.slice(dir - 3, dir + 1)).toEqual([
      "--perms",
      "0755",
      "--dir",
      `/${first}`,
    ]);
  });

  it("drops to the slot's user as root", () => {
    if (process.getuid?.() !== 0) return;
    expect(args).toContain("--reuid=61003");
    expect(args).toContain("--bounding-set=-all");
    expect(args).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
  });
});

describe("the process table", () => {
  it("reads a process and walks a tree parents first", () => {
    const me = readProc(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(me?.rssBytes).toBeGreaterThan(0);
    const table = [
      { pid: 1, ppid: 0, comm: "init", rssBytes: 1 },
      { pid: 5, ppid: 2, comm: "c", rssBytes: 1 },
      { pid: 2, ppid: 1, comm: "a", rssBytes: 1 },
      { pid: 3, ppid: 1, comm: "b", rssBytes: 1 },
      { pid: 9, ppid: 8, comm: "x", rssBytes: 1 },
    ];
    expect(processTree(1, table).map((p) => p.pid)).toEqual([1, 2, 3, 5]);
    expect(processTree(2, table).map((p) => p.pid)).toEqual([2, 5]);
    expect(processTree(7, table)).toEqual([]);
    expect(readProc(2 ** 30)).toBeNull();
  });
});

describe("the watchdog", () => {
  const limits = {
    memoryBytes: 2 ** 40,
    diskBytes: null,
    outputBytes: 1000,
    cellTimeoutMs: 60_000,
    deadline: Date.now() + 60_000,
  };
  const watch = (
    pid: number,
    over: Partial<typeof limits> = {},
  ): Promise<string> =>
    new Promise((resolve) => {
      new Watchdog(pid, false, { ...limits, ...over }, resolve, 20);
    });

  it("stops too much output", async () => {
    let reason = "";
    const dog = new Watchdog(process.pid, false, limits, (r) => (reason = r));
    dog.addOutput(600);
    expect(dog.violation).toBeNull();
    dog.addOutput(600);
    dog.stop();
    expect(reason).toMatch(/more than 0 MB of output/);
    expect(dog.violation).toBe(reason);
  });

  it("stops a cell over its time and a run over its deadline", async () => {
    const child = spawn("sleep", ["30"]);
    try {
      const dog = new Promise<string>((resolve) => {
        const d = new Watchdog(
          child.pid as number,
          false,
          { ...limits, cellTimeoutMs: 100 },
          resolve,
          20,
        );
        d.startCell("cell 7");
      });
      expect(await dog).toBe("cell 7 ran longer than 0.1 s (an endless loop?)");
      expect(
        await watch(child.pid as number, { deadline: Date.now() - 1 }),
      ).toMatch(/longer than the time allowed/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("stops a process the kernel starts, and memory over the limit", async () => {
    // Its own group, so that the sleep dies with it.
    const child = spawn("sh", ["-c", "sleep 30 & wait"], { detached: true });
    try {
      expect(await watch(child.pid as number)).toBe(
        "started another process (sleep); submissions may not",
      );
    } finally {
      process.kill(-(child.pid as number), "SIGKILL");
    }
    const alone = spawn("sleep", ["30"]);
    try {
      expect(await watch(alone.pid as number, { memoryBytes: 1 })).toMatch(
        /used more than 0 MB of memory/,
      );
    } finally {
      alone.kill("SIGKILL");
    }
  });
});

describe("memnets grade refuses bad input before grading", () => {
  const cli = path.join(root, "kernel", "dist", "cli.js");
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [cli, "grade", ...args], {
      cwd: root,
    }).then(
      () => "",
      (err: { stderr: string }) => err.stderr,
    );

  it.each([
    [[], /grade expects submission files or folders/],
    [["x.ipynb", "--jobs", "0"], /--jobs expects a whole number >= 1, got 0/],
    [["x.ipynb", "--memory-mb", "lots"], /--memory-mb expects a whole number/],
    [["nope.ipynb"], /nope.ipynb: no such file or folder/],
    [
      ["notebooks/homework", "--out", "notebooks/homework/out"],
      /overlaps the instructors' folder/,
    ],
    [["notebooks", "--out", "notebooks/graded"], /overlaps the output folder/],
    [["x.ipynb", "--quick"], /grade takes no --quick or -p/],
  ])("%j", async (args, message) => {
    expect(await run(args as string[])).toMatch(message);
  });

  it("sees through a symbolic link to the instructors' folder", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "memnets-grade-link-"));
    try {
      const link = path.join(dir, "link");
      symlinkSync(path.join(root, "notebooks", "homework"), link);
      expect(await run(["x.ipynb", "--out", path.join(link, "new")])).toMatch(
        /overlaps the instructors' folder/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
