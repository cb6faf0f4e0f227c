/**
 * The grader end to end (issue 9), through the real command line, tslab
 * and the sandbox: the instructor versions and every release completed
 * with their solutions score full marks, every raw release scores zero
 * with each check failing on its stub, and crafted
 * hostile submissions (one per attack in the issue) are each graded as
 * they should be while the batch finishes. Nothing outside the output
 * folder changes, no process is left behind, and nothing reaches a server
 * the test listens with on 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadAssignment } from "../../kernel/src/grade/assignment.js";
import { gradeFile, type GradeResult } from "../../kernel/src/grade/grade.js";
import { DEFAULT_LIMITS } from "../../kernel/src/grade/sandbox.js";
import { readNotebook } from "../../kernel/src/notebook.js";
import { missingTool } from "../helpers/system.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "cli.js");
const instructorDir = path.join(root, "notebooks", "homework");
const assignments = readdirSync(instructorDir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort()
  .map((f) => f.replace(/\.ipynb$/, ""));
const skip = missingTool("/usr/bin/bwrap");

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: {
    memnets?: {
      homework?: { solution?: boolean; check?: string; points?: number };
    };
  };
  outputs?: { text?: string | string[] }[];
}
interface Nb {
  cells: Cell[];
  metadata: Record<string, unknown> & {
    memnets?: { homework?: { assignment?: string } };
  };
}
/** A score.json: the result without the run. */
type Score = Omit<GradeResult, "run">;

const readNb = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Nb;
const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
const code = (source: string): Cell => ({
  cell_type: "code",
  source,
  metadata: {},
  outputs: [],
});

/** A release with every solution cell taken from the instructor version. */
function completed(release: Nb, instructor: Nb): Nb {
  const solutions = instructor.cells.filter(
    (c) => c.metadata.memnets?.homework?.solution,
  );
  let k = 0;
  return {
    ...release,
    cells: release.cells.map((c) =>
      c.metadata.memnets?.homework?.solution
        ? { ...c, source: solutions[k++].source }
        : c,
    ),
  };
}

/** The contents of every file under `dir` (path -> SHA-256). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        out.set(p, createHash("sha256").update(readFileSync(p)).digest("hex"));
      }
    }
  };
  walk(dir);
  return out;
}

/** Processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (cmd.includes(marker) && Number(name) !== process.pid) {
        found.push(Number(name));
      }
    } catch {
      // gone
    }
  }
  return found;
}

describe.skipIf(skip !== null)("memnets grade (sandboxed)", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "memnets-grade-e2e-"));
  const subs = path.join(work, "submissions");
  const releases = path.join(work, "releases");
  const out = path.join(work, "out");
  const marker = `98765${process.pid}`;
  let server: net.Server;
  let port = 0;
  let connections = 0;
  const scores = new Map<string, Score>();
  let before: Map<string, string>;
  let projectBefore: Map<string, string>;
  let stdout = "";

  /** A hostile variant of lesson 1's completed release. */
  const hostile = new Map<string, Nb>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    port = (server.address() as net.AddressInfo).port;

    const exec = promisify(execFile);
    await exec(process.execPath, [cli, "release", "--out", releases], {
      cwd: root,
    });
    const files: Record<string, string> = {};
    for (const name of assignments) {
      const release = readNb(path.join(releases, `${name}.ipynb`));
      const instructor = readNb(path.join(instructorDir, `${name}.ipynb`));
      files[`solved-${name}.ipynb`] = JSON.stringify(
        completed(release, instructor),
      );
      files[`raw-${name}.ipynb`] = JSON.stringify(release);
    }
    const base = JSON.parse(files[`solved-${assignments[0]}.ipynb`]) as Nb;
    const raw = JSON.parse(files[`raw-${assignments[0]}.ipynb`]) as Nb;
    const withCell = (nb: Nb, source: string, at = 2): Nb => ({
      ...nb,
      cells: [...nb.cells.slice(0, at), code(source), ...nb.cells.slice(at)],
    });
    hostile.set("loop", withCell(base, "while (true) {}"));
    hostile.set(
      "alloc",
      withCell(
        base,
        "const keep: Float64Array[] = [];\n" +
          "for (;;) keep.push(new Float64Array(1 << 24).fill(1));",
      ),
    );
    hostile.set(
      "heap",
      withCell(
        base,
        "const keep: number[][] = [];\nfor (let i = 0; ; i++) keep.push([i, i + 1, i + 2]);",
      ),
    );
    hostile.set(
      "disk",
      withCell(
        base,
        'const fs = require("fs");\nconst os = require("os");\n' +
          "const block = Buffer.alloc(1 << 20, 1);\n" +
          'for (let i = 0; ; i++) fs.writeFileSync(os.tmpdir() + "/f" + i, block);',
      ),
    );
    hostile.set(
      "crash",
      withCell(base, 'process.kill(process.pid, "SIGSEGV");'),
    );
    hostile.set("exit", withCell(base, "process.exit(0);"));
    hostile.set(
      "fork",
      withCell(
        base,
        // Renamed, so that the kernel is not found by its name.
        'process.title = "notnode";\n' +
          'const cp = require("child_process");\n' +
          `cp.spawn("sleep", ["${marker}"], { detached: true, stdio: "ignore" }).unref();\n` +
          `cp.spawn("sleep", ["${marker}"], { stdio: "ignore" });\n` +
          "const t = Date.now(); while (Date.now() - t < 3000) {}",
      ),
    );
    hostile.set(
      "print",
      withCell(base, 'process.stdout.write("x".repeat(50 * 1024 * 1024));'),
    );
    // Snooping, tampering and the network: each attempt is reported in
    // the cell's output, and none may succeed.
    const tries = [
      path.join(instructorDir, `${assignments[0]}.ipynb`),
      path.join(subs, `solved-${assignments[0]}.ipynb`),
      path.join(out, "summary.json"),
    ];
    hostile.set(
      "snoop",
      withCell(
        base,
        'const fs = require("fs");\n' +
          `for (const f of ${JSON.stringify(tries)}) {\n` +
          '  try { fs.readFileSync(f); console.log("READ " + f); }\n' +
          '  catch (e) { console.log("no read: " + (e as any).code); }\n' +
          '  try { fs.writeFileSync(f, "x"); console.log("WROTE " + f); }\n' +
          '  catch (e) { console.log("no write: " + (e as any).code); }\n' +
          "}\n" +
          `fetch("http://127.0.0.1:${port}/").then(() => console.log("NET"),\n` +
          '  (e) => console.log("no net: " + String(e.cause?.code ?? e)));\n' +
          "await new Promise((r) => setTimeout(r, 500));",
      ),
    );
    // Tampering with the checks, on the raw release (nothing implemented).
    const tamper = [
      "const check = (id: string, points: number, test: () => void) => {};",
      "function expectClose(...args: unknown[]) {}",
      'console.log("PASS");',
      'import { display } from "tslab";\n' +
        'display.raw("application/vnd.memnets.check+json", JSON.stringify(' +
        '{ id: "hebb-small", passed: true, points: 100, earned: 100 }));\n' +
        'console.log("FORGED");',
    ].reduceRight((nb, source) => withCell(nb, source), raw);
    const checks = tamper.cells.filter(
      (c) => c.metadata.memnets?.homework?.check !== undefined,
    );
    // Edit one check cell and its points, delete another.
    checks[0].source = `check("${checks[0].metadata.memnets?.homework?.check}", 100, () => {});`;
    (
      checks[0].metadata.memnets as { homework: { points: number } }
    ).homework.points = 100;
    tamper.cells = tamper.cells.filter((c) => c !== checks[1]);
    hostile.set("tamper", tamper);
    // Assigning over the library's exports, the check helpers included.
    hostile.set(
      "patch",
      withCell(
        raw,
        'const hw = require("memnets/dist/homework.js");\n' +
          'for (const k of Object.keys(hw)) if (typeof hw[k] === "function") hw[k] = () => {};\n' +
          'const lib = require("memnets/dist/hopfield.js");\n' +
          'for (const k of Object.keys(lib)) if (typeof lib[k] === "function") lib[k] = () => {};',
      ),
    );
    // Functions that return the right shape, and Math.abs that makes every
    // difference zero: without the grader's guard this scored 13 of 18.
    const shaped = {
      ...raw,
      cells: raw.cells.map((c) => {
        if (!c.metadata.memnets?.homework?.solution) return c;
        const source = text(c.source);
        const body = source.includes("function hebbian")
          ? "return new Float64Array(patterns[0].length ** 2);"
          : "return Float64Array.from(z);";
        return {
          ...c,
          source: source.replace('throw new Error("not implemented");', body),
        };
      }),
    };
    hostile.set("builtin", withCell(shaped, "Math.abs = () => 0;"));

    // Replaces the grader's object in tslab's table of declarations (the
    // tester's attack; it scored 18 of 18 when the object lived there).
    hostile.set(
      "hijack",
      withCell(
        raw,
        'const table: any = (0, eval)("__tsl" + "ab__").exports;\n' +
          'const key = Object.keys(table).find((k) => k.startsWith("memnets" + "Grading_"));\n' +
          'const own = Object.getOwnPropertyNames(globalThis).find((k) => k.startsWith("memnets" + "Grading_"));\n' +
          'console.log("found " + String(key) + " " + String(own));\n' +
          "const fake = { lib: {}, check: () => () => {} };\n" +
          "if (key) table[key] = fake;\n" +
          "try { (globalThis as any)[own as string] = fake; } catch {}\n" +
          "try { Object.defineProperty(globalThis, own as string, { value: fake }); } catch {}\n" +
          "try { (globalThis as any).globalThis = { [own as string]: fake }; } catch {}\n" +
          'console.log((globalThis as any)[own as string] === fake ? "SWAPPED" : "kept");',
      ),
    );
    // Fills the kernel's connection folder, on the host's disk.
    hostile.set(
      "conndir",
      withCell(
        base,
        'const fs = require("fs");\n' +
          'const dir = require("path").dirname(process.argv[process.argv.indexOf("--config-path") + 1]);\n' +
          'try { fs.writeFileSync(dir + "/junk", Buffer.alloc(8 << 20)); console.log("WROTE"); }\n' +
          'catch (e) { console.log("no write: " + (e as any).code); }',
      ),
    );
    // Honest habits: a helper of the student's own named like one the
    // checks use (it cost 2 of 16 points before the grader rebuilt the
    // instructor's helpers for the checks), ordinary code that looks like
    // the review patterns only in comments or at a glance.
    const lstm = JSON.parse(files["solved-04-lstm.ipynb"]) as Nb;
    hostile.set(
      "honest",
      withCell(
        lstm,
        "// elementwise sigmoid; the task does not require it, eval the loss\n" +
          "function sigmoid(M: Matrix): Matrix {\n" +
          "  const out = Matrix.zeros(M.rows, M.cols);\n" +
          "  for (let k = 0; k < M.data.length; k++) out.data[k] = 1 / (1 + Math.exp(-M.data[k]));\n" +
          "  return out;\n" +
          "}\n" +
          "const cluster = Array.prototype.map.call([1, 2], (v: number) => v * 2);\n" +
          "console.log(cluster);",
        3,
      ),
    );
    // The second tester's attacks (test/fixtures/README.md).
    const attack = (name: string) =>
      readFileSync(path.join(root, "test", "fixtures", "grade", name), "utf8");
    hostile.set(
      "iterguard",
      withCell(raw, attack("iter-guard.ts.txt"), raw.cells.length),
    );
    hostile.set(
      "vmlie",
      withCell(raw, attack("vm-lie.ts.txt"), raw.cells.length),
    );
    // Rewrites tslab's execute handler so that every failing cell reports
    // "ok" (before the preamble froze it, the next cell's error vanished
    // and the canaries caught it).
    hostile.set(
      "kernel",
      [
        'const tslab = require("tslab/dist/jupyter.js");\n' +
          "const proto = tslab.JupyterHandlerImpl.prototype;\n" +
          "const original = proto.handleExecuteImpl;\n" +
          "proto.handleExecuteImpl = async function (...args: unknown[]) {\n" +
          "  try { return await original.apply(this, args); } catch (e) { return e; }\n" +
          "};",
        'throw new Error("swallowed");',
      ].reduceRight((nb, source) => withCell(nb, source), raw),
    );
    for (const [name, nb] of hostile)
      files[`hostile-${name}.ipynb`] = JSON.stringify(nb);
    files["hostile-json.ipynb"] = '{"cells": [ not json';
    // Names: another script, and two that clean up to the same folder.
    for (const name of ["Иванов.ipynb", "a b.ipynb", "a_b.ipynb"]) {
      files[name] = "{";
    }
    files["hostile-nometa.ipynb"] = JSON.stringify({
      ...base,
      metadata: { kernelspec: base.metadata.kernelspec },
    });

    mkdirSync(subs);
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(path.join(subs, name), content);
    }
    // A link to a file the grader can read and the student cannot.
    symlinkSync(
      path.join(instructorDir, `${assignments[0]}.ipynb`),
      path.join(subs, "hostile-link.ipynb"),
    );
    before = snapshot(subs);
    projectBefore = new Map([
      ...snapshot(instructorDir),
      ...snapshot(path.join(root, "lib", "dist")),
    ]);

    const run = await exec(
      process.execPath,
      [
        cli,
        "grade",
        subs,
        "--out",
        out,
        "--jobs",
        "2",
        "--cell-timeout",
        "15",
        "--memory-mb",
        "1024",
        "--disk-mb",
        "32",
      ],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    stdout = run.stdout;
    for (const dir of readdirSync(path.join(out, "submissions"))) {
      const score = JSON.parse(
        readFileSync(path.join(out, "submissions", dir, "score.json"), "utf8"),
      ) as Score;
      scores.set(score.submission.replace(/\.ipynb$/, ""), score);
    }
  }, 900_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  /** Everything the cells of a submission's run printed. */
  const printedBy = (name: string) =>
    readNb(path.join(out, "submissions", name, "run.ipynb"))
      .cells.flatMap((c) => c.outputs ?? [])
      .map((o) => text(o.text ?? ""))
      .join("");
  const get = (name: string) => {
    const s = scores.get(name);
    if (!s)
      throw new Error(`no score for ${name}; graded: ${[...scores.keys()]}`);
    return s;
  };

  it("grades every submission and writes the class summary", () => {
    expect(scores.size).toBe(readdirSync(subs).length);
    expect(stdout).toMatch(
      /graded \d+ in [\d.]+ s \([\d.]+ per minute, 2 at a time\)/,
    );
    const csv = readFileSync(path.join(out, "summary.csv"), "utf8");
    expect(csv.trim().split("\r\n")).toHaveLength(scores.size + 1);
    const html = readFileSync(path.join(out, "summary.html"), "utf8");
    for (const name of scores.keys()) expect(html).toContain(name);
  });

  it.each(assignments)(
    "a release completed with the solutions scores full marks: %s",
    (name) => {
      const s = get(`solved-${name}`);
      expect(s.status, s.reason ?? "").toBe("graded");
      expect(s.assignment).toBe(name);
      expect(s.checks.length).toBeGreaterThan(0);
      expect(s.checks.filter((c) => !c.passed)).toEqual([]);
      expect(s.checks.some((c) => c.hidden)).toBe(true);
      expect(s.score).toBe(s.maxScore);
      expect(s.studentErrors).toEqual([]);
    },
  );

  it("the instructor versions themselves score full marks", async () => {
    const options = {
      projectRoot: root,
      sandbox: true,
      limits: DEFAULT_LIMITS,
      outputMb: 10,
      cellTimeoutMs: 60_000,
      timeoutMs: 600_000,
    };
    const grade = async (name: string, slot: number) => {
      const file = path.join(instructorDir, `${name}.ipynb`);
      const a = loadAssignment(await readNotebook(file), name, file);
      return gradeFile(file, () => a, { ...options, slot });
    };
    // Two at a time, as the command line does by default.
    const results = [];
    for (let i = 0; i < assignments.length; i += 2) {
      results.push(
        ...(await Promise.all(
          assignments.slice(i, i + 2).map((name, k) => grade(name, k)),
        )),
      );
    }
    for (const r of results) {
      expect(r.status, `${r.submission}: ${r.reason}`).toBe("graded");
      expect(r.checks.every((c) => c.ran && c.passed)).toBe(true);
      expect(r.score).toBe(r.maxScore);
    }
  }, 600_000);

  it.each(assignments)(
    "the raw release scores zero, every check on its stub: %s",
    (name) => {
      const s = get(`raw-${name}`);
      expect(s.status).toBe("graded");
      expect(s.score).toBe(0);
      for (const c of s.checks) {
        expect(c.ran).toBe(true);
        expect(c.message).toMatch(/not implemented/);
      }
    },
  );

  const zeroes: [string, RegExp][] = [
    ["loop", /cell 3 ran longer than 15 s/],
    ["alloc", /memory/],
    ["heap", /memory|kernel stopped/],
    ["disk", /filled its 32 MB of disk space/],
    ["crash", /kernel stopped during cell 3/],
    ["exit", /kernel stopped during cell 3/],
    ["fork", /started another process \(sleep\)/],
    ["print", /more than 10 MB of output/],
    ["json", /not valid JSON/],
    ["nometa", /cannot tell the assignment/],
    ["link", /symbolic link \(not followed\)/],
  ];
  it.each(zeroes)("hostile %s: zero with the reason", (name, reason) => {
    const s = get(`hostile-${name}`);
    expect(s.status).toBe("zero");
    expect(s.score).toBe(0);
    expect(s.reason).toMatch(reason);
    const page = readFileSync(
      path.join(out, "submissions", `hostile-${name}`, "feedback.html"),
      "utf8",
    );
    expect(page).toContain("zero");
  });

  it("a record switched off through the array iterator is still compared", () => {
    const s = get("hostile-iterguard");
    expect(s.status).toBe("zero");
    expect(s.reason).toMatch(/changed a built-in or a module of the library/);
    expect(s.review.join("\n")).toMatch(/the grader's record found a change/);
  });

  it("a cell cannot make tslab skip the grader's cells", () => {
    const s = get("hostile-vmlie");
    expect(s.status).toBe("graded");
    expect(s.score).toBe(0);
    expect(
      s.checks.every((c) => c.ran && /not implemented/.test(c.message)),
    ).toBe(true);
  });

  it("an honest student's own helper named like the instructor's changes no check", () => {
    const s = get("hostile-honest");
    expect(s.status, s.reason ?? "").toBe("graded");
    expect(s.score).toBe(s.maxScore);
    expect(s.review).toEqual([]);
    expect(s.studentErrors).toEqual([]);
  });

  it("the grader's object cannot be replaced", () => {
    const s = get("hostile-hijack");
    expect(s.status).toBe("graded");
    expect(s.score).toBe(0);
    const printed = printedBy("hostile-hijack");
    expect(printed).toMatch(/found undefined memnetsGrading_[0-9a-f]+/);
    expect(printed).not.toMatch(/SWAPPED/);
    expect(printed).toMatch(/kept/);
  });

  it("the kernel's connection folder cannot be written", () => {
    const s = get("hostile-conndir");
    expect(printedBy("hostile-conndir")).toMatch(/no write: EACCES/);
    expect(s.score).toBe(s.maxScore);
  });

  it("tslab's execute handler cannot be rewritten", () => {
    const s = get("hostile-kernel");
    // The rewrite did not take: the failing cell after it failed...
    expect(s.studentErrors.map((e) => e.error)).toEqual(["Error: swallowed"]);
    // ...and so did every check, on its stub.
    expect(s.status).toBe("graded");
    expect(s.score).toBe(0);
  });

  it("gives every submission a folder of its own, names in any script kept", () => {
    const folders = readdirSync(path.join(out, "submissions"));
    expect(folders).toContain("Иванов");
    const ab = folders.filter((f) => /^a_b-[0-9a-f]{8}$/.test(f));
    expect(ab).toHaveLength(2);
    expect(get("a b").reason).toMatch(/not valid JSON/);
  });

  it("no process a submission started is left behind", () => {
    expect(processesWith(marker)).toEqual([]);
  });

  it("a submission reads and writes nothing outside its sandbox, and has no network", () => {
    const s = get("hostile-snoop");
    // It still scores full marks: nothing it tried was fatal.
    expect(s.score).toBe(s.maxScore);
    const printed = printedBy("hostile-snoop");
    expect(printed).not.toMatch(/READ |WROTE |NET/);
    expect(printed.match(/no read: /g)).toHaveLength(3);
    expect(printed.match(/no write: /g)).toHaveLength(3);
    expect(printed).toMatch(/no net: /);
    expect(connections).toBe(0);
    expect(s.review.join(" ")).toMatch(/require/);
  });

  it.each([
    ["patch", /memnets\/(homework|hopfield)\.js\.\w+/],
    ["builtin", /: Math\.abs$/],
  ])(
    "hostile %s: a changed library or built-in scores zero",
    (name, detail) => {
      const s = get(`hostile-${name}`);
      expect(s.status).toBe("zero");
      expect(s.reason).toMatch(
        /changed a built-in or a module of the library that the checks compute with/,
      );
      const found = s.review.filter((r) => r.startsWith("the grader's record"));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(detail);
    },
  );

  it("redefined helpers, PASS, a forged result and edited checks gain nothing", () => {
    const s = get("hostile-tamper");
    expect(s.status).toBe("graded");
    expect(s.score).toBe(0);
    expect(s.maxScore).toBe(get(`raw-${assignments[0]}`).maxScore);
    for (const c of s.checks) {
      expect(c.ran).toBe(true);
      expect(c.passed).toBe(false);
    }
    const printed = printedBy("hostile-tamper");
    // The attempts really ran in the kernel.
    expect(printed).toMatch(/PASS/);
    expect(printed).toMatch(/FORGED/);
    expect(s.notes.join("\n")).toMatch(/was edited/);
    expect(s.notes.join("\n")).toMatch(/was missing/);
  });

  it("changes nothing outside the output folder", () => {
    expect(snapshot(subs)).toEqual(before);
    expect(
      new Map([
        ...snapshot(instructorDir),
        ...snapshot(path.join(root, "lib", "dist")),
      ]),
    ).toEqual(projectBefore);
    expect(statSync(out).isDirectory()).toBe(true);
  });
});
